// JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386) as the apiserver applies them
// (k8s.io/apiserver pkg/endpoints/handlers/patch.go on top of gopkg.in/evanphx/json-patch.v4):
//  - a JSON patch that is not a list of operation objects is 400 BadRequest;
//  - more than 10000 operations is 413;
//  - any failing operation (bad path, failed test, unknown op, index out of range) is 422 Invalid with
//    the generic "the server rejected our request due to an error in our request" message (upstream
//    discards the library's detail; we keep it as the Error's `cause` for logs);
//  - a merge patch that is not an object (null, scalar) is 400 "Invalid JSON Patch".
// Quirks kept from the library: negative array indices count from the end, `replace` of a missing
// object key adds it, `test` of a missing key succeeds when the value is null.
// Neither function mutates its inputs.
import { StatusError, errors, field } from '../errors.ts';
import { deepEqual, goFmt, isObject } from './util.ts';
import { getOwn, setOwn } from '../util/own.ts';
import { jsonCopy } from '../util/json-copy.ts';

const MAX_OPERATIONS = 10000;

class OpError extends Error {}

function rejected(detail: string): StatusError {
  const e = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  (e as Error).cause = detail;
  return e;
}

/** 422 for a patched document that cannot be an object, as upstream's decode step reports it. */
export function notAnObject(result: unknown): StatusError {
  const what = Array.isArray(result) ? 'array' : result === null ? 'null' : typeof result === 'string' ? 'string' : typeof result;
  return errors.invalid('', '', '', [field.invalid('patch', JSON.stringify(result), `json: cannot unmarshal ${what} into Go value of type map[string]interface {}`)]);
}

type Container = Record<string, unknown> | unknown[];

function decodeKey(k: string): string { return k.replace(/~1/g, '/').replace(/~0/g, '~'); }

function parseIndex(key: string, len: number, allowEnd: boolean): number {
  if (!/^-?\d+$/.test(key)) throw new OpError(`value was not a proper array index: '${key}'`);
  let idx = Number(key);
  if (idx < 0) {
    if (idx < -(allowEnd ? len + 1 : len)) throw new OpError(`Unable to access invalid index: ${idx}`);
    idx += allowEnd ? len + 1 : len;
  }
  if (allowEnd ? idx > len : idx >= len) throw new OpError(`Unable to access invalid index: ${idx}`);
  return idx;
}

/** The container holding the last segment of `path`, and that segment (decoded); undefined when absent. */
function findParent(doc: Container, path: string): { con: Container; key: string } | undefined {
  if (!path.startsWith('/')) return undefined;
  const parts = path.split('/').slice(1);
  const key = decodeKey(parts.pop()!);
  let cur: unknown = doc;
  for (const raw of parts) {
    const p = decodeKey(raw);
    if (Array.isArray(cur)) {
      if (!/^-?\d+$/.test(p)) return undefined;
      let i = Number(p);
      if (i < 0) i += cur.length;
      if (i < 0 || i >= cur.length) return undefined;
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!Object.hasOwn(cur, p)) return undefined;
      cur = cur[p];
    } else return undefined;
    if (!Array.isArray(cur) && !isObject(cur)) return undefined;
  }
  return { con: cur as Container, key };
}

function get(con: Container, key: string): { found: boolean; value: unknown } {
  if (Array.isArray(con)) return { found: true, value: con[parseIndex(key, con.length, false)] };
  return Object.hasOwn(con, key) ? { found: true, value: con[key] } : { found: false, value: undefined };
}
function add(con: Container, key: string, value: unknown): void {
  if (Array.isArray(con)) {
    if (key === '-') { con.push(value); return; }
    con.splice(parseIndex(key, con.length, true), 0, value);
  } else setOwn(con, key, value);
}
function remove(con: Container, key: string): void {
  if (Array.isArray(con)) { con.splice(parseIndex(key, con.length, false), 1); return; }
  if (!Object.hasOwn(con, key)) throw new OpError(`Unable to remove nonexistent key: ${key}`);
  delete con[key];
}
function set(con: Container, key: string, value: unknown): void {
  if (Array.isArray(con)) con[parseIndex(key, con.length, false)] = value;
  else setOwn(con, key, value);
}

function str(op: Record<string, unknown>, name: 'path' | 'from'): string {
  const v = op[name];
  if (typeof v !== 'string') throw new OpError(`operation missing ${name} field`);
  return v;
}

/** Apply an RFC 6902 JSON patch. Throws StatusError 400/413/422 as the apiserver does. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw errors.badRequest(`json: cannot unmarshal ${ops === null ? 'null' : Array.isArray(ops) ? 'array' : typeof ops === 'object' ? 'object' : typeof ops} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!isObject(op)) throw errors.badRequest(`json: cannot unmarshal ${Array.isArray(op) ? 'array' : op === null ? 'null' : typeof op} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_OPERATIONS) throw errors.tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`);
  let root = jsonCopy(doc) as Container;
  try {
    for (const op of ops as Record<string, unknown>[]) {
      const kind = typeof op.op === 'string' ? op.op : 'unknown';
      const value = () => (Object.hasOwn(op, 'value') ? jsonCopy(op.value) : null);
      switch (kind) {
        case 'add': {
          const path = str(op, 'path');
          const t = findParent(root, path);
          if (!t) throw new OpError(`add operation does not apply: doc is missing path: "${path}"`);
          add(t.con, t.key, value());
          break;
        }
        case 'remove': {
          const path = str(op, 'path');
          const t = findParent(root, path);
          if (!t) throw new OpError(`remove operation does not apply: doc is missing path: "${path}"`);
          remove(t.con, t.key);
          break;
        }
        case 'replace': {
          const path = str(op, 'path');
          if (path === '') {
            const v = value();
            if (!isObject(v) && !Array.isArray(v)) throw new OpError('replace operation value must be object or array');
            root = v;
            break;
          }
          const t = findParent(root, path);
          if (!t) throw new OpError(`replace operation does not apply: doc is missing path: ${path}`);
          get(t.con, t.key); // range check for arrays; a missing object key is added, as upstream
          set(t.con, t.key, value());
          break;
        }
        case 'move': {
          const from = str(op, 'from');
          const f = findParent(root, from);
          if (!f) throw new OpError(`move operation does not apply: doc is missing from path: ${from}`);
          const v = get(f.con, f.key).value;
          remove(f.con, f.key);
          const path = str(op, 'path');
          const t = findParent(root, path);
          if (!t) throw new OpError(`move operation does not apply: doc is missing destination path: ${path}`);
          add(t.con, t.key, v);
          break;
        }
        case 'copy': {
          const from = str(op, 'from');
          const f = findParent(root, from);
          if (!f) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}`);
          const g = get(f.con, f.key);
          if (!g.found) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}`);
          const path = str(op, 'path');
          const t = findParent(root, path);
          if (!t) throw new OpError(`copy operation does not apply: doc is missing destination path: ${path}`);
          add(t.con, t.key, jsonCopy(g.value));
          break;
        }
        case 'test': {
          const path = str(op, 'path');
          const expected = Object.hasOwn(op, 'value') ? op.value : null;
          if (path === '') {
            if (!deepEqual(root, expected)) throw new OpError(`testing value ${path} failed`);
            break;
          }
          const t = findParent(root, path);
          if (!t) throw new OpError(`test operation does not apply: is missing path: ${path}`);
          const g = get(t.con, t.key);
          const actual = g.found ? g.value : null;
          if (!deepEqual(actual ?? null, expected ?? null)) throw new OpError(`testing value ${path} failed: test failed`);
          break;
        }
        default:
          throw new OpError(`Unexpected kind: ${goFmt(kind)}`);
      }
    }
  } catch (e) {
    if (e instanceof OpError) throw rejected(e.message);
    throw e;
  }
  if (!isObject(root)) throw notAnObject(root);
  return root;
}

/** RFC 7386: objects merge recursively, null deletes, anything else (arrays included) replaces. */
function mergeValue(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map((v) => (isObject(v) || Array.isArray(v) ? mergeValue(undefined, v) : v));
  if (!isObject(patch)) return jsonCopy(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, mergeValue(getOwn(out, k), v));
  }
  return out;
}

/** Apply a JSON merge patch to an object. Throws 400 for a patch that is not an object. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) throw notAnObject(mergeValue(undefined, patch));
  if (!isObject(patch)) throw errors.badRequest('Invalid JSON Patch');
  // jsonCopy: structuredClone's result for JSON data, several times faster (util/json-copy.ts).
  return mergeValue(jsonCopy(doc), patch);
}
