// Ordering and equality of CEL runtime values as the list library needs them (ints, doubles,
// strings, bools, bytes, timestamps, durations, and library types with compareTo).

export function celCompare(a: any, b: any): number {
  const ta = typeof a;
  if ((ta === 'bigint' || ta === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (ta === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (ta === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  if (a && typeof a.compareTo === 'function') return Number(a.compareTo(b));
  if (isUint(a) && isUint(b)) return celCompare(a.valueOf(), b.valueOf());
  if (isDuration(a) && isDuration(b)) return celCompare(a.seconds, b.seconds) || celCompare(a.nanos, b.nanos);
  throw new Error('no such overload');
}

export function celEquals(a: any, b: any): boolean {
  if (a === b) return true;
  const ta = typeof a, tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) return a == b; // eslint-disable-line eqeqeq
  if (a === null || b === null || ta !== 'object' || tb !== 'object') return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!celEquals(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !celEquals(v, b.get(k))) return false;
    return true;
  }
  if (typeof a.equals === 'function') return a.equals(b);
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !celEquals(a[k], b[k])) return false;
  return true;
}

/** cel-js's uint values: objects whose valueOf() is the bigint. */
export function isUint(v: any): boolean {
  return v !== null && typeof v === 'object' && typeof v.valueOf() === 'bigint';
}
/** cel-js's google.protobuf.Duration values (seconds and nanos, with addDuration). */
export function isDuration(v: any): boolean {
  return v !== null && typeof v === 'object' && typeof v.addDuration === 'function';
}
