// A sorted set of strings kept as a list of small sorted blocks (the leaf level of a B+tree):
// insert and remove cost O(log n + B) instead of O(n) for one flat array, and ranks/iteration
// (for list, count and pagination) stay cheap. Strings compare by UTF-16 code units (JS `<`).
const B = 256; // target block size; blocks split at 2B

function lowerBound(a: string[], x: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m] < x) lo = m + 1; else hi = m; }
  return lo;
}
function upperBound(a: string[], x: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m] <= x) lo = m + 1; else hi = m; }
  return lo;
}

export class SortedKeys {
  private blocks: string[][] = [];
  private n = 0;

  constructor(sorted: string[] = []) {
    for (let i = 0; i < sorted.length; i += B) this.blocks.push(sorted.slice(i, i + B));
    this.n = sorted.length;
  }

  get size(): number { return this.n; }

  /** Index of the block that should hold x: the last block whose first key is <= x (0 if none). */
  private blockFor(x: string): number {
    const bl = this.blocks;
    let lo = 0, hi = bl.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (bl[m][0] <= x) lo = m + 1; else hi = m; }
    return Math.max(0, lo - 1);
  }

  /** Adds x (callers guarantee it is absent). */
  insert(x: string): void {
    if (this.blocks.length === 0) { this.blocks.push([x]); this.n = 1; return; }
    const b = this.blockFor(x);
    const blk = this.blocks[b];
    blk.splice(lowerBound(blk, x), 0, x);
    this.n++;
    if (blk.length > 2 * B) this.blocks.splice(b, 1, blk.slice(0, B), blk.slice(B));
  }

  /** Removes x if present. */
  remove(x: string): boolean {
    if (this.blocks.length === 0) return false;
    const b = this.blockFor(x);
    const blk = this.blocks[b];
    const i = lowerBound(blk, x);
    if (blk[i] !== x) return false;
    blk.splice(i, 1);
    this.n--;
    if (blk.length === 0) this.blocks.splice(b, 1);
    return true;
  }

  /** Number of keys < x (strict = false) or <= x (strict = true). */
  rank(x: string, strict = false): number {
    if (this.blocks.length === 0) return 0;
    const b = this.blockFor(x);
    let r = 0;
    for (let i = 0; i < b; i++) r += this.blocks[i].length;
    return r + (strict ? upperBound(this.blocks[b], x) : lowerBound(this.blocks[b], x));
  }

  /** Up to `count` keys starting at rank `start`, in order. */
  slice(start: number, count: number): string[] {
    const out: string[] = [];
    if (count <= 0) return out;
    let b = 0, off = start;
    while (b < this.blocks.length && off >= this.blocks[b].length) { off -= this.blocks[b].length; b++; }
    for (; b < this.blocks.length && out.length < count; b++, off = 0) {
      const blk = this.blocks[b];
      const take = Math.min(blk.length - off, count - out.length);
      for (let i = 0; i < take; i++) out.push(blk[off + i]);
    }
    return out;
  }
}
