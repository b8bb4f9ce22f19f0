// Evaluating `x-kubernetes-validations` on a write (k8s.io/apiextensions-apiserver
// pkg/apiserver/schema/cel/validation.go): walk the compiled rule tree alongside the object (and
// the old object, correlated through granular maps and list-type=map lists), bind `self` (and
// `oldSelf`), and report each rule that does not hold with upstream's wording.
import { Optional } from '@marcbachmann/cel-js';
import type { StructuralSchema } from '../schema/types.ts';
import type { FieldError } from '../errors.ts';
import { compiledTree, type CompiledNode, type CompiledRule } from './compile.ts';
import { toCel } from './values.ts';

export interface ValidateOptions {
  /** The path of the object's root in messages; upstream validates custom resources at a nil path. */
  rootPath?: string;
}

const MAX_MESSAGE_BYTES = 5 * 1024;

/** Runs every CEL rule of `schema` on `obj` (an update passes `oldObj`). Answers the failures. */
export function validateCel(schema: StructuralSchema, obj: unknown, oldObj: unknown, opts: ValidateOptions = {}): FieldError[] {
  const tree = compiledTree(schema);
  if (!tree) return [];
  const errs: FieldError[] = [];
  walk(tree, obj, oldObj, undefined, true, errs, opts.rootPath ?? '<nil>');
  return errs;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const join = (p: string | undefined, name: string) => (p === undefined ? name : `${p}.${name}`);

function walk(n: CompiledNode, v: unknown, old: unknown, path: string | undefined, root: boolean, errs: FieldError[], rootLabel: string): void {
  if (v === undefined || v === null) return;
  if (n.rules.length) runRules(n, v, old, path, root, errs, rootLabel);
  const oldOk = n.correlatable ? old : undefined;
  if (isObject(v)) {
    if (n.properties) {
      for (const [k, child] of n.properties) {
        if (!Object.hasOwn(v, k)) continue;
        walk(child, v[k], isObject(oldOk) && Object.hasOwn(oldOk, k) ? oldOk[k] : undefined, join(path, k), false, errs, rootLabel);
      }
    }
    if (n.additionalProperties) {
      for (const k of Object.keys(v)) {
        const p = path === undefined ? `[${k}]` : `${path}[${k}]`;
        walk(n.additionalProperties, v[k], isObject(oldOk) && Object.hasOwn(oldOk, k) ? oldOk[k] : undefined, p, false, errs, rootLabel);
      }
    }
  } else if (Array.isArray(v) && n.items) {
    const oldIndex = n.mapKeys && Array.isArray(old) ? indexByKeys(old, n.mapKeys) : undefined;
    for (let i = 0; i < v.length; i++) {
      const oldItem = oldIndex ? oldIndex.get(keyOf(v[i], n.mapKeys!)) : undefined;
      walk(n.items, v[i], oldItem, `${path ?? ''}[${i}]`, false, errs, rootLabel);
    }
  }
}

function keyOf(item: unknown, keys: string[]): string {
  if (!isObject(item)) return '';
  return JSON.stringify(keys.map((k) => item[k] ?? null));
}
function indexByKeys(list: unknown[], keys: string[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) m.set(keyOf(item, keys), item);
  return m;
}

function runRules(n: CompiledNode, v: unknown, old: unknown, path: string | undefined, root: boolean, errs: FieldError[], rootLabel: string): void {
  const here = path ?? rootLabel;
  const type = n.schema.type ?? '';
  let self: unknown, oldSelf: unknown;
  let converted = false;
  for (const r of n.rules) {
    if (r.error) { errs.push({ type: 'FieldValueInvalid', field: here, value: type, detail: `rule compile error: ${r.error}` }); continue; }
    if (!r.program) continue;
    const hasOld = old !== undefined && old !== null;
    if (r.usesOldSelf && !hasOld && !r.optionalOldSelf) continue;
    if (!converted) {
      self = toCel(n.schema, v, root);
      oldSelf = hasOld ? toCel(n.schema, old, root) : undefined;
      converted = true;
    }
    const ctx = { self, oldSelf: r.optionalOldSelf ? (hasOld ? Optional.of(oldSelf) : Optional.none()) : oldSelf };
    let result: unknown;
    try {
      result = r.program(ctx);
    } catch (e) {
      errs.push({ type: 'FieldValueInvalid', field: here, value: type, detail: evalErrorDetail(e, r) });
      continue;
    }
    if (result === true) continue;
    const field = r.fieldPath ? (path === undefined ? r.fieldPath : joinFieldPath(path, r.fieldPath)) : here;
    errs.push(failure(r, field, n.schema, v, messageFor(r, { self, oldSelf })));
  }
}

function joinFieldPath(path: string, fp: string): string {
  return fp.startsWith('[') ? path + fp : `${path}.${fp}`;
}

function ruleErrorString(r: CompiledRule): string {
  return r.rule.message ? r.rule.message.trim() : r.rule.rule.trim();
}

function evalErrorDetail(e: unknown, r: CompiledRule): string {
  const err = e as { summary?: string; message?: string };
  let msg = err.summary ?? err.message ?? String(e);
  msg = msg.charAt(0).toLowerCase() + msg.slice(1);
  if (msg.startsWith('no such overload')) {
    return `'${msg}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(r)}`;
  }
  return `${msg} evaluating rule: ${ruleErrorString(r)}`;
}

function messageFor(r: CompiledRule, ctx: { self: unknown; oldSelf: unknown }): string {
  if (r.message) {
    try {
      const m = r.message(ctx);
      if (typeof m === 'string') {
        const t = m.trim();
        if (t && t.length <= MAX_MESSAGE_BYTES && !t.includes('\n')) return t;
      }
    } catch { /* upstream logs the failure and falls back to the static message */ }
  }
  return r.rule.message ? r.rule.message.trim() : `failed rule: ${r.rule.rule.trim()}`;
}

function failure(r: CompiledRule, field: string, s: StructuralSchema, v: unknown, detail: string): FieldError {
  const value = s.type === 'object' || s.type === 'array' || isObject(v) || Array.isArray(v) ? undefined : v;
  switch (r.rule.reason) {
    case 'FieldValueForbidden': return { type: 'FieldValueForbidden', field, detail };
    case 'FieldValueRequired': return { type: 'FieldValueRequired', field, detail };
    case 'FieldValueDuplicate': return { type: 'FieldValueDuplicate', field, value };
    default: return { type: 'FieldValueInvalid', field, value, detail };
  }
}
