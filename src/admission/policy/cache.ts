// A cache of one resource kept current by the store's watch (upstream's informers for policies,
// bindings, namespaces and params). Admission reads it synchronously; `version` changes with every
// event so derived data (the compiled policy set) can be rebuilt only when something changed. When
// the store ends the watch (compaction outran it) it lists again; when the store closes it stops.
import type { ResourceInfo } from '../../registry/resources.ts';
import type { Store, StoreWatch } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';

const keyOf = (o: KObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);

export class WatchCache {
  readonly resource: ResourceInfo;
  private readonly store: Store;
  private readonly items = new Map<string, KObject>();
  private watch?: StoreWatch;
  private stopped = false;
  private ready?: Promise<void>;
  private onChange?: () => void;
  version = 0;
  /** Whether the first list has landed (reads before that would see nothing). */
  synced = false;

  constructor(store: Store, resource: ResourceInfo, onChange?: () => void) {
    this.store = store; this.resource = resource; this.onChange = onChange;
  }

  /** Starts the list+watch once; resolves when the cache holds the current state. */
  start(): Promise<void> {
    return (this.ready ??= this.relist());
  }

  private async relist(): Promise<void> {
    this.watch?.cancel();
    if (this.stopped) return;
    const { items, resourceVersion } = await this.store.list(this.resource, undefined);
    this.items.clear();
    for (const e of items) this.items.set(keyOf(e.obj), e.obj);
    this.synced = true;
    this.changed();
    this.watch = await this.store.watch(this.resource, undefined, { resourceVersion }, (events) => {
      for (const ev of events) {
        if (ev.type === 'DELETED') this.items.delete(keyOf(ev.entry.obj));
        else this.items.set(keyOf(ev.entry.obj), ev.entry.obj);
      }
      this.changed();
    }, (err) => {
      // 503: the store is shutting down. Anything else: list again, quietly giving up if that fails.
      if (this.stopped || err.code === 503) return;
      this.relist().catch(() => { this.stopped = true; });
    });
  }

  private changed(): void {
    this.version++;
    this.onChange?.();
  }

  get(namespace: string | undefined, name: string): KObject | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): KObject[] {
    const out: KObject[] = [];
    for (const o of this.items.values()) if (namespace === undefined || o.metadata.namespace === namespace) out.push(o);
    return out;
  }

  get size(): number { return this.items.size; }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
  }
}
