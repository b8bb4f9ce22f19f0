// Creating and deleting an owner's pods, as every pod-owning controller does it: expectations
// raised before the writes and lowered for writes that fail, SuccessfulCreate/SuccessfulDelete
// events per pod, one FailedCreate event and a thrown error (so the key is retried with back-off)
// when a create fails, and deletes guarded by the pod's uid (a 404 or 409 means it is already gone
// or replaced, which is what the controller wanted).
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { EventRecorder } from './events.ts';
import type { Expectations } from './expectations.ts';
import { keyOf } from './runtime.ts';
import { ignoreNotFound, res } from './util.ts';

const podsR = res('', 'v1', 'pods');
const PARALLEL = 64;

/** Run `n` jobs with at most `limit` at once. */
export async function runLimited(n: number, limit: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < n) { const i = next++; await job(i); } };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

export interface PodWriter { store: Store; recorder: EventRecorder; exp: Expectations }

/** Create the given pods for `owner` (controller key `key`); returns the created pods. */
export async function createPods(w: PodWriter, owner: KObject, key: string, pods: KObject[]): Promise<KObject[]> {
  w.exp.expectCreates(key, pods.length);
  const made: KObject[] = [];
  let failed: unknown;
  await runLimited(pods.length, PARALLEL, async (i) => {
    try {
      const pod = await w.store.create(podsR, owner.metadata.namespace, pods[i]);
      made.push(pod);
      w.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    } catch (e) {
      w.exp.lowerCreate(key);
      failed ??= e;
    }
  });
  if (failed) {
    w.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(failed as Error).message}`);
    throw failed;
  }
  return made;
}

/** Delete `victims` (owned by `owner`, controller key `key`). */
export async function deletePods(w: PodWriter, owner: KObject, key: string, victims: KObject[]): Promise<void> {
  for (const p of victims) w.exp.expectDelete(key, keyOf(p));
  await runLimited(victims.length, PARALLEL, async (i) => {
    const p = victims[i];
    try {
      await w.store.delete(podsR, p.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
      w.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
    } catch (e) {
      w.exp.lowerDelete(key, keyOf(p));
      if ((e as { code?: number }).code !== 409) ignoreNotFound(e);
    }
  });
}
