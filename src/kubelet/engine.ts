// The simulated kubelet: one engine for every simulated node, driven by the injected clock.
// For each pod bound to a simulated node it finds the next lifecycle stage (stages.ts), arms one
// timer for it, and when the timer fires re-reads the pod, re-checks the stage, writes the status
// (or deletes the pod) and emits the stage's events. Any change to the pod re-evaluates its stage.
import type { Clock, TimerHandle } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { Node, Pod } from '../types/generated.ts';
import { keyOf, splitKey } from '../controllers/runtime.ts';
import type { Informer } from '../controllers/runtime.ts';
import type { EventRecorder } from '../controllers/events.ts';
import { ignoreNotFound, res } from '../controllers/util.ts';
import { PodIPs } from './ipam.ts';
import { NodeImages } from './image-pulls.ts';
import { defaultStages, nextStage } from './stages.ts';
import type { Stage, StageContext } from './stages.ts';
import { ContainerRuntime, emulated } from './containers/runtime.ts';
import { tokenIssuer } from './containers/token.ts';
import type { ServiceAccountTokens } from '../auth/sa-tokens.ts';
import type { ServiceCache } from './containers/sources.ts';
import { admissionFailure, awaitsAdmission, holdsAdmission, rejectedStatus } from './admission.ts';
import type { Rejection } from './admission.ts';

/** How long the kubelet takes to write a refused pod's Failed status. */
const REJECT_DELAY_MS = 1000;

/** How often pods being deleted are looked at again (upstream's housekeeping period). */
const HOUSEKEEPING_MS = 2000;

export interface Kubelet { ips: PodIPs; stop(): void; /** pods with a stage armed */ readonly pending: number }

export function startKubelet(opts: { store: Store; clock: Clock; pods: Informer<Pod>; nodes: Informer<Node>; recorder: EventRecorder; stages?: Stage[]; log?: (m: string) => void; saTokens?: ServiceAccountTokens;
  /** Services indexed by namespace (the kubelet's service lister); absent: the runtime lists them from the store. */
  services?: ServiceCache }): Kubelet {
  const { store, clock, pods, nodes, recorder } = opts;
  let stages = opts.stages; // the default table compiles on the first pod (stages.ts)
  const podsR = res('', 'v1', 'pods');
  const ips = new PodIPs();
  const images = new NodeImages();
  const eventContext = { images };
  const armed = new Map<string, { stage: Stage; timer: TimerHandle; uid: string }>();
  const running = new Set<string>();
  /** Pods admitted to their node (admission.ts) that have not written container statuses yet. */
  const admitted = new Set<string>();
  /** Pods refused admission: they stay Failed and run nothing. */
  const refused = new Set<string>();
  let stopped = false;
  // Pods with containers of known images run for real (containers/); the stage table simulates the rest.
  const runtime = new ContainerRuntime({ store, clock, recorder, images, services: opts.services, token: tokenIssuer(store, clock, opts.saTokens), log: opts.log });

  const simulated = (nodeName: string | undefined): Node | undefined => {
    if (!nodeName) return undefined;
    const n = nodes.get(nodeName);
    return n && n.metadata.annotations?.['skiff.dev/simulated'] !== 'false' ? n : undefined;
  };

  function evaluate(key: string): void {
    if (stopped) return;
    if (running.has(key)) return; // run() looks again when it finishes
    const pod = pods.get(key);
    const cur = armed.get(key);
    const node = pod && simulated(pod.spec?.nodeName);
    if (!pod || !node) { if (cur) { cur.timer.cancel(); armed.delete(key); } return; }
    if (!admit(pod, node)) { if (cur) { cur.timer.cancel(); armed.delete(key); } return; }
    if (emulated(pod)) runtime.observe(pod, node, () => ips.allocate(pod.metadata.uid!, node.metadata.name!, node.spec?.podCIDR));
    const stage = nextStage(stages ??= defaultStages(), pod);
    if (cur && cur.stage === stage && cur.uid === pod.metadata.uid) return; // already waiting for it
    if (cur) { cur.timer.cancel(); armed.delete(key); }
    if (!stage) return;
    const base = stage.delay(pod, clock.now());
    const j = stage.jitter ?? 0;
    const ms = Math.max(0, Math.round(base * (1 + j * (clock.random() - 0.5))));
    const uid = pod.metadata.uid!;
    const fire = () => { armed.delete(key); void run(key, stage, uid); };
    if (ms === 0) { armed.set(key, { stage, uid, timer: { cancel() {} } }); queueMicrotask(() => { if (armed.get(key)?.stage === stage) fire(); }); }
    else armed.set(key, { stage, uid, timer: clock.setTimeout(fire, ms) });
  }

  /** Admit a pod new to its node, or refuse it (false: it runs nothing). */
  function admit(pod: Pod, node: Node): boolean {
    const uid = pod.metadata.uid!;
    if (refused.has(uid)) return !awaitsAdmission(pod); // once Failed, the stages take it (removal)
    if (admitted.has(uid) || !awaitsAdmission(pod)) return true;
    const others = pods.byIndexValue('node', node.metadata.name!)
      .filter((p) => p.metadata.uid !== uid && holdsAdmission(p) && (admitted.has(p.metadata.uid!) || !!p.status?.containerStatuses));
    const r = admissionFailure(pod, others);
    if (!r) { admitted.add(uid); return true; }
    refused.add(uid);
    // After a beat, as the kubelet's sync loop and status manager take: a controller that replaces
    // the refused pod at once (StatefulSet) then cycles at that pace, not in a tight loop.
    clock.setTimeout(() => { if (!stopped) void reject(keyOf(pod), uid, node, r); }, REJECT_DELAY_MS);
    return false;
  }

  /** Write the refusal (once per pod); a failed write is tried again a second later. */
  async function reject(key: string, uid: string, node: Node, r: Rejection): Promise<void> {
    const { namespace, name } = splitKey(key);
    let wrote: Pod | undefined;
    try {
      await store.guaranteedUpdate(podsR, namespace, name, (cur) => {
        wrote = undefined;
        if (cur.metadata.uid !== uid || !awaitsAdmission(cur as Pod)) return cur;
        cur.status = rejectedStatus(cur as Pod, r);
        wrote = cur as Pod;
        return cur;
      }, { subresource: 'status' }).catch(ignoreNotFound);
      if (wrote) recorder.event(wrote, 'Warning', r.reason, r.message, { host: node.metadata.name });
    } catch (e) {
      opts.log?.(`kubelet: ${key} admission: ${(e as Error).message}`);
      clock.setTimeout(() => { refused.delete(uid); evaluate(key); }, 1000);
    }
  }

  async function run(key: string, stage: Stage, uid: string): Promise<void> {
    running.add(key);
    try {
      const pod = pods.get(key);
      if (!pod || pod.metadata.uid !== uid || !stage.when(pod)) return;
      const node = simulated(pod.spec?.nodeName);
      if (!node) return;
      const { namespace, name } = splitKey(key);
      for (const e of stage.events?.(pod, eventContext) ?? []) recorder.event(pod, e.type, e.reason, e.message, { fieldPath: e.fieldPath, host: node.metadata.name });
      if (stage.delete) {
        await store.delete(podsR, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } }).catch((e) => { if (e?.code !== 409) ignoreNotFound(e); });
        return;
      }
      if (stage.status) {
        const hostIP = (node.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
        await store.guaranteedUpdate(podsR, namespace, name, (cur) => {
          if (cur.metadata.uid !== uid || !stage.when(cur)) return cur;
          const ctx: StageContext = { now: clock.now(), nodeName: node.metadata.name!, hostIP, podIP: () => ips.allocate(uid, node.metadata.name!, node.spec?.podCIDR) };
          cur.status = stage.status!(cur, ctx);
          return cur;
        }, { subresource: 'status' }).catch(ignoreNotFound);
      }
    } catch (e) {
      opts.log?.(`kubelet: ${key} ${stage.name}: ${(e as Error).message}`);
    } finally {
      running.delete(key);
      // Whatever happened, look again (the informer event may have come while we were busy).
      evaluate(key);
    }
  }

  pods.on({
    add: (p) => {
      const ip = p.status?.podIP;
      const node = simulated(p.spec?.nodeName);
      if (ip && node) ips.claim(p.metadata.uid!, node.metadata.name!, node.spec?.podCIDR, ip);
      evaluate(keyOf(p));
    },
    update: (p) => evaluate(keyOf(p)),
    delete: (p) => {
      const k = keyOf(p);
      ips.release(p.metadata.uid!);
      images.forget(p.metadata.uid!);
      admitted.delete(p.metadata.uid!);
      refused.delete(p.metadata.uid!);
      runtime.forget(p.metadata.uid!);
      const cur = armed.get(k);
      if (cur) { cur.timer.cancel(); armed.delete(k); }
    },
  });
  nodes.on({ add: (n) => { for (const p of pods.byIndexValue('node', n.metadata.name!)) evaluate(keyOf(p)); } });
  // Housekeeping, as the kubelet's (HandlePodCleanups every 2 s): the pods being deleted are looked at
  // again, so a deletion that came while a pod's worker was busy (starting its containers) is never
  // left waiting for another change of the pod. Found in a full upstream run: pods stayed Terminating.
  const housekeeping = clock.setInterval(() => {
    if (stopped) return;
    for (const p of pods.list()) if (p.metadata.deletionTimestamp && simulated(p.spec?.nodeName)) evaluate(keyOf(p));
  }, HOUSEKEEPING_MS);

  return {
    ips,
    get pending() { return armed.size; },
    stop() { stopped = true; housekeeping.cancel(); runtime.stop(); for (const a of armed.values()) a.timer.cancel(); armed.clear(); },
  };
}
