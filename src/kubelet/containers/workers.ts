// The pods the container runtime runs, by uid: what exec, logs and the stage table's `emulated`
// predicate look up. (Pod uids are unique within a cluster.)
import type { PodWorker } from './pod-worker.ts';

export const workers = new Map<string, PodWorker>();
export const workerFor = (uid: string | undefined): PodWorker | undefined => (uid ? workers.get(uid) : undefined);
