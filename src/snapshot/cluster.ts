// Cluster snapshots: the store's keys and revisions (storage/snapshot.ts) plus the simulated clock.
// Restoring one brings every object, the revision counter and the clock back to the saved point; open
// watches end with 410 Expired so clients (and Skiff's own controllers) relist.
import type { Clock } from '../clock.ts';
import type { Backend } from '../storage/types.ts';
import type { StorageSnapshot } from '../storage/snapshot.ts';
import { decodeSnapshot, encodeSnapshot } from '../storage/snapshot.ts';
import { StorageError } from '../storage/types.ts';
import { KUBE_VERSION } from '../registry/resources.ts';

export interface ClusterSnapshot {
  readonly storage: StorageSnapshot;
  /** Simulated time (ms since the epoch) when the snapshot was taken. */
  readonly clockMs: number;
}

export interface SnapshotDeps {
  backend: Backend;
  clock: Clock;
  /** Runs after the storage is restored: state kept outside storage follows it (e.g. IP allocators). */
  afterRestore?: () => Promise<void>;
  /** Resolves once the writes start-up still owes after ready are done (a snapshot waits for them). */
  settled?: () => Promise<void>;
}

type JumpableClock = Clock & { jumpTo?(ms: number): void };

export function takeSnapshot(deps: SnapshotDeps): ClusterSnapshot {
  return { storage: deps.backend.snapshot(), clockMs: deps.clock.now() };
}

export async function restoreSnapshot(deps: SnapshotDeps, snap: ClusterSnapshot): Promise<void> {
  if (!snap || typeof snap !== 'object' || !Number.isFinite(snap.clockMs)) throw new StorageError('Unavailable', 'snapshot: not a cluster snapshot (from cluster.snapshot())');
  await deps.backend.restore(snap.storage);
  (deps.clock as JumpableClock).jumpTo?.(snap.clockMs);
  await deps.afterRestore?.();
}

const FORMAT = 'skiff-snapshot/v1';

export function encodeClusterSnapshot(snap: ClusterSnapshot): Buffer {
  return encodeSnapshot(snap.storage, { format: FORMAT, clockMs: snap.clockMs, kubernetes: KUBE_VERSION.gitVersion });
}

/** Throws a StorageError naming what is wrong with the bytes. */
export function decodeClusterSnapshot(buf: Uint8Array): ClusterSnapshot {
  const { snapshot, meta } = decodeSnapshot(buf);
  if (meta.format !== FORMAT) throw new StorageError('Unavailable', `snapshot: format ${JSON.stringify(meta.format)} is not ${FORMAT}`);
  if (typeof meta.clockMs !== 'number' || !Number.isFinite(meta.clockMs)) throw new StorageError('Unavailable', 'snapshot: the header has no clock time');
  return { storage: snapshot, clockMs: meta.clockMs };
}
