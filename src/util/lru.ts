// A least-recently-used cache of at most `max` entries (as golang-lru's, which client-go's event
// correlator uses): a read refreshes an entry, a write past the bound drops the least recently used.
// Every operation is O(1). (A Map re-inserted on each read and trimmed from its first key is not: V8
// leaves deleted entries in place until the table is rebuilt, and finding the first live key walks
// over them, thousands per eviction on a busy recorder.)

interface Node<V> { key: string; value: V; prev?: Node<V>; next?: Node<V> }

export class Lru<V> {
  private readonly map = new Map<string, Node<V>>();
  /** Most recently used at the head, least at the tail. */
  private head?: Node<V>;
  private tail?: Node<V>;
  readonly max: number;
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Lru: max must be a positive integer, got ${max}`);
    this.max = max;
  }

  get size(): number { return this.map.size; }

  get(key: string): V | undefined {
    const n = this.map.get(key);
    if (!n) return undefined;
    this.toFront(n);
    return n.value;
  }

  /** The value without refreshing it. */
  peek(key: string): V | undefined { return this.map.get(key)?.value; }

  set(key: string, value: V): void {
    const n = this.map.get(key);
    if (n) { n.value = value; this.toFront(n); return; }
    if (this.map.size >= this.max) this.delete(this.tail!.key);
    const fresh: Node<V> = { key, value };
    this.map.set(key, fresh);
    this.link(fresh);
  }

  delete(key: string): boolean {
    const n = this.map.get(key);
    if (!n) return false;
    this.map.delete(key);
    this.unlink(n);
    return true;
  }

  /** Keys from most to least recently used. */
  *keys(): IterableIterator<string> { for (let n = this.head; n; n = n.next) yield n.key; }

  private toFront(n: Node<V>): void {
    if (this.head === n) return;
    this.unlink(n);
    this.link(n);
  }
  private link(n: Node<V>): void {
    n.prev = undefined;
    n.next = this.head;
    if (this.head) this.head.prev = n;
    this.head = n;
    this.tail ??= n;
  }
  private unlink(n: Node<V>): void {
    if (n.prev) n.prev.next = n.next; else this.head = n.next;
    if (n.next) n.next.prev = n.prev; else this.tail = n.prev;
    n.prev = n.next = undefined;
  }
}
