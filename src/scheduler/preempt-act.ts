// Carrying out a preemption decision (upstream's prepareCandidate): each victim gets the
// DisruptionTarget condition (reason PreemptionByScheduler), is deleted gracefully and gets a
// Preempted event; lower-priority pods nominated to the same node lose their nomination.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { Pod } from '../types/generated.ts';
import { keyOf, splitKey } from '../controllers/runtime.ts';
import type { EventRecorder } from '../controllers/events.ts';
import { ignoreNotFound, res } from '../controllers/util.ts';
import type { Candidate } from './preemption.ts';
import type { Nominator } from './nominator.ts';
import { podPriority } from './victims.ts';

const podsR = res('', 'v1', 'pods');

export interface PreemptDeps { store: Store; clock: Clock; recorder: EventRecorder; schedulerName: string; log?: (m: string) => void }

export async function carryOutPreemption(d: PreemptDeps, preemptor: Pod, c: Candidate, nominated: Nominator): Promise<void> {
  const node = c.node.name;
  const prio = podPriority(preemptor);
  const self = keyOf(preemptor);
  const dropped = nominated.keysOn(node).filter((k) => k !== self && nominated.get(k)!.priority < prio);
  for (const k of dropped) nominated.set(k);
  const now = rfc3339(d.clock.now());
  await Promise.all(c.victims.map(async (v) => {
    const { namespace, name } = splitKey(v.key);
    const uid = v.pod.metadata.uid;
    try {
      await d.store.guaranteedUpdate(podsR, namespace, name, (p) => {
        if (p.metadata.uid !== uid) return p;
        const conds = ((p.status?.conditions ?? []) as { type: string }[]).filter((x) => x.type !== 'DisruptionTarget');
        conds.push({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: now, reason: 'PreemptionByScheduler',
          message: `${d.schedulerName}: preempting to accommodate a higher priority pod` } as { type: string });
        p.status = { ...(p.status ?? {}), conditions: conds };
        return p;
      }, { subresource: 'status' });
      await d.store.delete(podsR, namespace, name, { preconditions: { uid } });
      d.recorder.event(v.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid} on node ${node}`);
    } catch (e) {
      d.log?.(`scheduler: preempting ${v.key} for ${self}: ${(e as Error)?.message ?? e}`);
    }
  }));
  await Promise.all(dropped.map((k) => clearNominatedNodeName(d.store, k)));
}

/** Drop status.nominatedNodeName of an unplaced pod (the caller has dropped it from the Nominator). */
export async function clearNominatedNodeName(store: Store, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  await store.guaranteedUpdate(podsR, namespace, name, (p) => {
    if (p.spec?.nodeName || !p.status?.nominatedNodeName) return p;
    delete p.status.nominatedNodeName;
    return p;
  }, { subresource: 'status' }).catch(ignoreNotFound);
}
