// Sorting the short arrays of a request's hot path (an object's keys, a message's fields) without
// Array.prototype.sort, which copies its array into a fresh work array on every call: on a few keys
// an insertion sort in place allocates nothing. Long arrays still go to Array.prototype.sort.

const INSERTION_MAX = 16;

/** Sorts `a` in place as a.sort(cmp) would (a stable sort; code-unit order when cmp is omitted) and returns it. */
export function sortSmall<T>(a: T[], cmp?: (x: T, y: T) => number): T[] {
  if (a.length > INSERTION_MAX) return cmp ? a.sort(cmp) : a.sort();
  for (let j = 1; j < a.length; j++) {
    const k = a[j];
    let i = j;
    if (cmp) while (i > 0 && cmp(a[i - 1], k) > 0) { a[i] = a[i - 1]; i--; }
    else while (i > 0 && String(a[i - 1]) > String(k)) { a[i] = a[i - 1]; i--; }
    a[i] = k;
  }
  return a;
}
