// Upstream's Priority admission plugin on pod create: spec.priorityClassName names a PriorityClass
// (or, when empty, the globalDefault class with the lowest value is used and named), and
// spec.priority / spec.preemptionPolicy come from it. The two system classes resolve even when no
// PriorityClass object for them is stored (start-up creates them, but they may have been deleted).
import { errors } from '../../errors.ts';
import type { AdmissionContext, KObject } from '../strategy.ts';

const BUILTIN: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };
const DEFAULT_POLICY = 'PreemptLowerPriority';

interface Resolved { name: string; value: number; policy: string }

function resolve(spec: Record<string, any>, classes: KObject[]): Resolved | string {
  const name: string = spec.priorityClassName ?? '';
  if (!name) {
    let best: KObject | undefined;
    for (const pc of classes) if (pc.globalDefault === true && (!best || pc.value < best.value)) best = pc;
    return best ? { name: best.metadata.name!, value: best.value, policy: best.preemptionPolicy ?? DEFAULT_POLICY } : { name: '', value: 0, policy: DEFAULT_POLICY };
  }
  const pc = classes.find((c) => c.metadata.name === name);
  if (pc) return { name, value: pc.value, policy: pc.preemptionPolicy ?? DEFAULT_POLICY };
  if (name in BUILTIN) return { name, value: BUILTIN[name], policy: DEFAULT_POLICY };
  return `no PriorityClass with name ${name} was found`;
}

export async function admitPodPriority(pod: KObject, ctx: AdmissionContext): Promise<void> {
  const spec = pod.spec as Record<string, any> | undefined;
  if (!spec || typeof spec !== 'object') return;
  const gr = { group: '', resource: 'pods' };
  const podName = pod.metadata.generateName ? '' : pod.metadata.name ?? '';
  const r = resolve(spec, await ctx.list('scheduling.k8s.io', 'v1', 'priorityclasses'));
  if (typeof r === 'string') throw errors.admissionForbidden(gr, podName, r);
  if (typeof spec.priority === 'number' && spec.priority !== r.value) {
    throw errors.admissionForbidden(gr, podName, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${r.value} from the given PriorityClass name`);
  }
  if (spec.preemptionPolicy && spec.preemptionPolicy !== r.policy) {
    throw errors.admissionForbidden(gr, podName, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${r.policy} from the given PriorityClass name`);
  }
  if (r.name) spec.priorityClassName = r.name;
  spec.priority = r.value;
  spec.preemptionPolicy = r.policy;
}
