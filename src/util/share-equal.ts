// Structural sharing between revisions of an object. A write makes the new revision a private deep copy
// (so nothing the caller holds can change it), and most writes change a small part: a pod's status
// update copies its whole spec. Each revision lives a second or more (watchers, informers, the window of
// recent events) and so dies in V8's old generation: at 10,000 pods the copies of parts that did not
// change were the largest source of old-generation garbage, which drives how far V8 lets the heap grow
// before it collects. Pointing the new revision's unchanged parts at the previous revision's (stored
// objects are never changed once written) leaves the copies to die young instead.

/**
 * Replace, in place, every member of `next` (recursively) that is JSON-equal to the member at the same
 * place in `prev`, with the same keys in the same order, by `prev`'s. `next` must belong to the caller
 * and `prev` must never be changed afterwards. Returns whether `next` as a whole equals `prev`.
 */
export function shareUnchanged(next: unknown, prev: unknown): boolean {
  if (next === prev) return true;
  if (typeof next !== 'object' || next === null || typeof prev !== 'object' || prev === null) return false;
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return false;
    let same = next.length === prev.length;
    const n = Math.min(next.length, prev.length);
    for (let i = 0; i < n; i++) same = take(next, i, prev[i]) && same;
    return same;
  }
  if (Array.isArray(prev)) return false;
  const a = next as Record<string, unknown>, b = prev as Record<string, unknown>;
  const bk = Object.keys(b);
  let same = true, i = 0;
  for (const k in a) {
    if (same && bk[i] !== k) same = false;
    i++;
    if (Object.hasOwn(b, k)) same = take(a, k, b[k]) && same;
  }
  return same && i === bk.length;
}

/** next[k] becomes prev's member when equal (sharing inside it otherwise); whether it was equal. */
function take(next: any, k: string | number, p: unknown): boolean {
  const v = next[k];
  if (v === p) return true;
  if (typeof v === 'object' && v !== null) {
    if (!shareUnchanged(v, p)) return false;
    next[k] = p;
    return true;
  }
  // Equal strings: keep one copy.
  if (typeof v === 'string' && v === p) { next[k] = p; return true; }
  return false;
}
