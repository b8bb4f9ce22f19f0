// The storage contract. It knows keys, revisions and bytes — never Kubernetes kinds.
import type { StorageSnapshot } from './snapshot.ts';

// Every backend (SQLite today; etcd or PostgreSQL later) must pass test/storage/contract.ts.

export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision at which this key was (last) created. */
  createRevision: number;
  /** Revision of the write that produced this value (the object's resourceVersion). */
  modRevision: number;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  /** For PUT: the new value. For DELETE: the last value, with modRevision = the tombstone's revision. */
  kv: KeyValue;
  /** The value before this event (undefined for a create). */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read as of this revision (0/undefined = latest). */
  revision?: number;
  /** At most this many items (0/undefined = all). */
  limit?: number;
  /** Continue after this key (exclusive). */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** More items remain after the last one returned. */
  more: boolean;
  /** How many items remain after this page (when known). */
  remaining?: number;
}

export type TxnOp =
  | { op: 'create'; key: string; value: Uint8Array }
  | { op: 'update'; key: string; value: Uint8Array; expectedRevision: number }
  | { op: 'delete'; key: string; expectedRevision?: number };

export interface Watcher { cancel(): void }

export interface WatchOptions {
  /** Deliver events with revision > afterRevision. 0 = only live events from now. */
  afterRevision: number;
  onEvents: (events: WatchEvent[]) => void;
  /** Called once if the watch is ended by the store (e.g. the store closes or the watcher falls too far behind). */
  onClose?: (reason: StorageError) => void;
}

export interface Backend {
  readonly name: string;
  /**
   * How the writes of one txn are numbered: 'consecutive' revisions, one per op (SQLite; the default),
   * or one 'shared' revision for all of them (etcd, whose transaction is one revision and may write a
   * key only once). Skiff itself writes one key per transaction.
   */
  readonly txnRevisions?: 'consecutive' | 'shared';
  /** The newest committed revision. */
  currentRevision(): number;
  /** Revisions at or below this are compacted: history reads and watches from there fail with Compacted. */
  compactRevision(): number;

  get(key: string, revision?: number): Promise<KeyValue | undefined>;
  /** Keys with this prefix, ordered by key. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;

  /** Fails with KeyExists if the key is live. */
  create(key: string, value: Uint8Array): Promise<KeyValue>;
  /** Compare-and-swap: fails with Conflict if the key's modRevision is not expectedRevision, NotFound if absent. */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue>;
  /** Writes a tombstone. Returns the deleted value with modRevision = the tombstone revision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /** All ops land together at consecutive revisions, or none does. */
  txn(ops: TxnOp[]): Promise<KeyValue[]>;

  /** History after afterRevision (in revision order), then live events. Throws Compacted synchronously. */
  watch(prefix: string, opts: WatchOptions): Watcher;

  /** Every live key at the current revision (shares the immutable values; cheap). */
  snapshot(): StorageSnapshot;
  /**
   * Replace everything with a snapshot: the live keys, and the revision counter, go back to it. History
   * is gone (the compact revision becomes the snapshot's revision) and every open watch ends with
   * Compacted, so watchers relist. Writes queued before the call land first, then are undone with the rest.
   */
  restore(snapshot: StorageSnapshot): Promise<void>; // etcd: refused with Unsupported (revisions never go back)

  /** Drop history at or below `revision` (default: per the retention policy). */
  compact(revision?: number): Promise<void>;
  close(): Promise<void>;
}

export type StorageErrorCode = 'KeyExists' | 'NotFound' | 'Conflict' | 'Compacted' | 'FutureRevision' | 'Unavailable' | 'Closed' | 'TooSlow' | 'Unsupported';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  /** For Conflict: the current value, if any. */
  readonly current?: KeyValue;
  /** For Compacted: the compact revision. */
  readonly compactRevision?: number;
  constructor(code: StorageErrorCode, message: string, extra?: { current?: KeyValue; compactRevision?: number }) {
    super(message);
    this.code = code;
    this.current = extra?.current;
    this.compactRevision = extra?.compactRevision;
  }
}

export const isStorageError = (e: unknown, code?: StorageErrorCode): e is StorageError =>
  e instanceof StorageError && (code === undefined || e.code === code);
