// Where the resourceVersion goes in stored JSON bytes.
//
// Storage holds each object's JSON without metadata.resourceVersion (the revision is the
// resourceVersion); reads splice `"resourceVersion":"<rev>"` back in at the place upstream's encoder
// writes it. Stored bytes are in wire order (wire-form.ts), so that place is:
// - typed kinds (the bytes start with `{"kind":`): after ObjectMeta's name, generateName, namespace,
//   selfLink and uid, before the first other metadata field (struct order);
// - unstructured kinds (custom resources, keys sorted): before the first metadata key that sorts after
//   "resourceVersion".
// A byte scan in JS over the object's top-level keys and its metadata keys: the place is a few dozen
// bytes in for typed kinds, and native indexOf/compare calls cost more per item of a list.

const Q = 0x22, BS = 0x5c, COLON = 0x3a, COMMA = 0x2c, LB = 0x7b, RB = 0x7d, LS = 0x5b, RS = 0x5d;
const KIND_PREFIX = Buffer.from('{"kind":');
const METADATA = Buffer.from('metadata');
const RESOURCE_VERSION = Buffer.from('resourceVersion');
/** ObjectMeta fields declared before resourceVersion. */
const BEFORE_RV_TYPED = ['name', 'generateName', 'namespace', 'selfLink', 'uid'].map((s) => Buffer.from(s));

/** The index just after the string starting (with its quote) at k; -1 if unterminated. */
function skipString(b: Uint8Array, k: number): number {
  const n = b.length;
  for (let j = k + 1; j < n; j++) {
    const c = b[j];
    if (c === BS) j++;
    else if (c === Q) return j + 1;
  }
  return -1;
}

/** The index just after the JSON value starting at k; -1 if it does not end. */
function skipValue(b: Uint8Array, k: number): number {
  const n = b.length;
  const c = b[k];
  if (c === Q) return skipString(b, k);
  if (c === LB || c === LS) {
    let depth = 0;
    for (let j = k; j < n; j++) {
      const d = b[j];
      if (d === Q) { j = skipString(b, j) - 1; if (j < 0) return -1; }
      else if (d === LB || d === LS) depth++;
      else if (d === RB || d === RS) { if (--depth === 0) return j + 1; }
    }
    return -1;
  }
  for (let j = k; j < n; j++) { const d = b[j]; if (d === COMMA || d === RB || d === RS) return j; }
  return -1;
}

/** Whether b[s..e) equals the bytes of `w`. */
function equalsAt(b: Uint8Array, s: number, e: number, w: Uint8Array): boolean {
  if (e - s !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (b[s + i] !== w[i]) return false;
  return true;
}

/** Byte-wise comparison of b[s..e) with `w` (as Go sorts map keys): <0, 0 or >0. */
function compareAt(b: Uint8Array, s: number, e: number, w: Uint8Array): number {
  const len = Math.min(e - s, w.length);
  for (let i = 0; i < len; i++) { const d = b[s + i] - w[i]; if (d !== 0) return d; }
  return (e - s) - w.length;
}

function beforeRvTyped(b: Uint8Array, s: number, e: number): boolean {
  for (const w of BEFORE_RV_TYPED) if (equalsAt(b, s, e, w)) return true;
  return false;
}

/** In the metadata object whose first key starts at k: the splice point, or -1. */
function inMetadata(b: Uint8Array, k: number, typed: boolean): number {
  if (b[k] === RB) return k;
  for (;;) {
    if (b[k] !== Q) return -1;
    const end = skipString(b, k);
    if (end < 0) return -1;
    if (typed ? !beforeRvTyped(b, k + 1, end - 1) : compareAt(b, k + 1, end - 1, RESOURCE_VERSION) > 0) return k;
    if (b[end] !== COLON) return -1;
    k = skipValue(b, end + 1);
    if (k < 0) return -1;
    if (b[k] === RB) return k;
    if (b[k] !== COMMA) return -1;
    k++;
  }
}

/**
 * The offset in stored JSON bytes where the resourceVersion member goes: either the start of the
 * metadata key it precedes (then it is followed by a comma) or metadata's closing brace (then preceded
 * by a comma unless metadata is otherwise empty). -1 when the bytes have no top-level metadata object
 * (or are not compact JSON).
 */
export function rvOffset(b: Uint8Array): number {
  if (b[0] !== LB) return -1;
  let typed = b.length > KIND_PREFIX.length;
  if (typed) for (let i = 0; i < KIND_PREFIX.length; i++) if (b[i] !== KIND_PREFIX[i]) { typed = false; break; }
  let k = 1;
  while (b[k] === Q) {
    const end = skipString(b, k);
    if (end < 0 || b[end] !== COLON) return -1;
    if (equalsAt(b, k + 1, end - 1, METADATA)) return b[end + 1] === LB ? inMetadata(b, end + 2, typed) : -1;
    k = skipValue(b, end + 1);
    if (k < 0 || b[k] !== COMMA) return -1;
    k++;
  }
  return -1;
}

const API_VERSION = Buffer.from('apiVersion');

/**
 * For the bytes of a typed object (`{"kind":...,"apiVersion":...,` first): the offset of the member after
 * its TypeMeta, so a list can send the item without kind and apiVersion as upstream does; -1 otherwise.
 */
export function afterTypeMeta(b: Uint8Array): number {
  if (b.length <= KIND_PREFIX.length) return -1;
  for (let i = 0; i < KIND_PREFIX.length; i++) if (b[i] !== KIND_PREFIX[i]) return -1;
  let k = skipValue(b, KIND_PREFIX.length);
  if (k < 0 || b[k] !== COMMA || b[k + 1] !== Q) return -1;
  const end = skipString(b, k + 1);
  if (end < 0 || !equalsAt(b, k + 2, end - 1, API_VERSION) || b[end] !== COLON) return -1;
  k = skipValue(b, end + 1);
  return k >= 0 && b[k] === COMMA && b[k + 1] === Q ? k + 1 : -1;
}

/** Bytes to put before `"resourceVersion":"<rev>"` at offset `at` (see rvOffset). */
export const rvPrefix = (b: Uint8Array, at: number): string => (b[at] === RB && b[at - 1] !== LB ? ',' : '');
/** Bytes to put after it. */
export const rvSuffix = (b: Uint8Array, at: number): string => (b[at] === RB ? '' : ',');

const BEFORE_RV_TYPED_KEYS = new Set(['name', 'generateName', 'namespace', 'selfLink', 'uid']);

/**
 * Set metadata.resourceVersion of a parsed object at the place its encoding has it (as rvOffset() for
 * bytes), so re-encoding the object keeps upstream's order. `typed`: a built-in kind (struct order);
 * else keys are sorted. Replaces obj.metadata by a new object when the key must go in the middle.
 */
export function setResourceVersion(obj: { metadata?: Record<string, any> }, rv: string, typed: boolean): void {
  const m = obj.metadata;
  if (m === undefined || m === null || typeof m !== 'object' || Array.isArray(m)) { obj.metadata = { resourceVersion: rv }; return; }
  if (Object.hasOwn(m, 'resourceVersion')) { m.resourceVersion = rv; return; }
  const keys = Object.keys(m);
  const at = keys.findIndex((k) => (typed ? !BEFORE_RV_TYPED_KEYS.has(k) : k > 'resourceVersion'));
  if (at < 0) { m.resourceVersion = rv; return; }
  const out: Record<string, any> = {};
  for (let i = 0; i < at; i++) out[keys[i]] = m[keys[i]];
  out.resourceVersion = rv;
  for (let i = at; i < keys.length; i++) out[keys[i]] = m[keys[i]];
  obj.metadata = out;
}
