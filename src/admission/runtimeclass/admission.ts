// The RuntimeClass admission plugin (upstream plugin/pkg/admission/runtimeclass), on pod creation:
// a pod naming a RuntimeClass that does not exist is refused; the RuntimeClass's overhead.podFixed
// becomes the pod's spec.overhead (a different overhead given by the client is refused), and its
// scheduling nodeSelector and tolerations are merged into the pod's (a conflicting selector value is
// refused). A pod with an overhead and no RuntimeClass overhead is refused when validated.
import { errors } from '../../errors.ts';
import type { StatusError } from '../../errors.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { findResource } from '../../registry/resources.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import { mergeTolerations } from './tolerations.ts';
import { quantityEqual } from './overhead.ts';

const handled = (a: AdmissionAttributes) => a.operation === 'CREATE' && !a.subresource && a.resource.group === '' && a.resource.resource === 'pods' && !!a.object;

export function runtimeClassPlugin(deps: { store: Store }): AdmissionPlugin {
  const r = findResource('node.k8s.io', 'v1', 'runtimeclasses')!;
  const forbid = (a: AdmissionAttributes, msg: string): StatusError => errors.admissionForbidden({ group: '', resource: 'pods' }, a.name || a.object?.metadata?.name || '', msg);
  const classOf = async (a: AdmissionAttributes): Promise<KObject | undefined> => {
    const name = (a.object as any).spec?.runtimeClassName;
    if (typeof name !== 'string' || !name) return undefined;
    const rc = await deps.store.tryGet(r, undefined, name);
    if (!rc) throw forbid(a, `pod rejected: RuntimeClass ${JSON.stringify(name)} not found`);
    return rc;
  };
  return {
    name: 'RuntimeClass',
    applies: handled,
    async mutate(a) {
      if (!handled(a)) return;
      const rc = await classOf(a) as any;
      if (!rc) return;
      const spec = (a.object as any).spec;
      const fixed = rc.overhead?.podFixed;
      if (fixed) {
        if (spec.overhead && Object.keys(spec.overhead).length && !quantityEqual(spec.overhead, fixed)) throw forbid(a, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
        spec.overhead = { ...fixed };
      }
      const sched = rc.scheduling;
      if (!sched) return;
      const selector = { ...(spec.nodeSelector ?? {}) };
      for (const [k, v] of Object.entries(sched.nodeSelector ?? {})) {
        if (k in selector && selector[k] !== v) throw forbid(a, `conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${v}; pod.spec.nodeSelector[${k}] = ${selector[k]}`);
        selector[k] = v;
      }
      if (Object.keys(selector).length) spec.nodeSelector = selector;
      const tolerations = mergeTolerations(spec.tolerations ?? [], sched.tolerations ?? []);
      if (tolerations.length) spec.tolerations = tolerations;
    },
    async validate(a) {
      if (!handled(a)) return;
      const rc = await classOf(a) as any;
      const spec = (a.object as any).spec;
      const fixed = rc?.overhead?.podFixed;
      if (fixed) {
        if (!quantityEqual(spec.overhead ?? {}, fixed)) throw forbid(a, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
      } else if (spec.overhead) throw forbid(a, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    },
  };
}
