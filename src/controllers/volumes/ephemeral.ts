// Generic ephemeral volumes (after upstream's pkg/controller/volume/ephemeral): for every pod volume
// with `ephemeral.volumeClaimTemplate`, a PVC `<pod>-<volume>` from the template (its labels,
// annotations and spec), owned by the pod as controller, so the garbage collector deletes it with
// the pod. A claim of that name not owned by the pod is left alone; the scheduler then keeps the
// pod Pending with upstream's "(pod is not owner)" message.
import type { Clock } from '../../clock.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { clone } from '../../registry/codec.ts';
import { keyOf, runController } from '../runtime.ts';
import type { Controller, Informer } from '../runtime.ts';
import type { EventRecorder } from '../events.ts';
import { res } from '../util.ts';

const pvcR = res('', 'v1', 'persistentvolumeclaims');

interface EphemeralVolume { name: string; ephemeral?: { volumeClaimTemplate?: { metadata?: KObject['metadata']; spec?: unknown } } }
const ephemeralVolumes = (pod: KObject): EphemeralVolume[] =>
  (Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : []).filter((v: EphemeralVolume) => v?.ephemeral && typeof v.name === 'string');

export function ephemeralVolumeController(o: { store: Store; clock: Clock; pods: Informer; pvcs: Informer; recorder: EventRecorder; log?: (m: string) => void }): Controller {
  const { store, pods, pvcs, recorder } = o;
  return runController({
    name: 'ephemeral-volume', clock: o.clock, log: o.log, workers: 2,
    watch: [
      { informer: pods, toKeys: (p) => (ephemeralVolumes(p).length && !p.metadata.deletionTimestamp ? [keyOf(p)] : []) },
      // A deleted claim of a live pod is made again.
      { informer: pvcs, toKeys: (c) => ((c.metadata.ownerReferences ?? []) as { kind?: string; name?: string }[]).filter((r) => r.kind === 'Pod').map((r) => `${c.metadata.namespace}/${r.name}`) },
    ],
    async reconcile(key) {
      const pod = pods.get(key);
      if (!pod || pod.metadata.deletionTimestamp) return;
      const ns = pod.metadata.namespace!;
      for (const v of ephemeralVolumes(pod)) {
        const name = `${pod.metadata.name}-${v.name}`;
        if (pvcs.get(`${ns}/${name}`)) continue;
        const t = v.ephemeral?.volumeClaimTemplate ?? {};
        const claim: KObject = {
          apiVersion: 'v1', kind: 'PersistentVolumeClaim',
          metadata: {
            name, namespace: ns,
            ...(t.metadata?.labels ? { labels: { ...t.metadata.labels } } : {}),
            ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
            ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, controller: true, blockOwnerDeletion: true }],
          },
          spec: clone(t.spec ?? {}),
        };
        try {
          await store.create(pvcR, ns, claim);
        } catch (e) {
          if ((e as { code?: number }).code === 409) continue;
          recorder.event(pod, 'Warning', 'FailedBinding', `create PVC ${name}: ${(e as Error).message}`);
          if ((e as { code?: number }).code === 422) continue; // a bad template does not get better by retrying
          throw e;
        }
      }
    },
  });
}
