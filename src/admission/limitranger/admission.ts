// The LimitRanger admission plugin: pods created in a namespace with LimitRanges get their
// containers' default requests and limits (mutating), then pods and claims are checked against
// min, max and maxLimitRequestRatio (validating), as upstream. Pod updates are not judged (their
// containers' resources are immutable), nor are subresources.
import { errors } from '../../errors.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { findResource } from '../../registry/resources.ts';
import { qosClass } from '../../registry/kinds/pod.ts';
import { Informer } from '../../controllers/runtime.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import { aggregate, applyContainerDefaults, compileItems, containerDefaults, validateClaim, validatePodItems } from './rules.ts';
import type { CompiledItem, ContainerDefaults } from './rules.ts';

function handled(a: AdmissionAttributes): 'pod' | 'pvc' | undefined {
  if (a.subresource || !a.namespace || !a.object || a.resource.group !== '') return undefined;
  if (a.resource.resource === 'pods') return a.operation === 'CREATE' ? 'pod' : undefined;
  if (a.resource.resource === 'persistentvolumeclaims') return a.operation === 'CREATE' || a.operation === 'UPDATE' ? 'pvc' : undefined;
  return undefined;
}

/** A namespace's LimitRanges sorted by name, with their merged container defaults and compiled items (computed once per change). */
interface NamespaceRanges { ranges: KObject[]; defaults: ContainerDefaults | undefined; compiled: CompiledItem[][] }

export function limitRangerPlugin(deps: { store: Store }): AdmissionPlugin {
  const r = findResource('', 'v1', 'limitranges')!;
  let informer: Informer | undefined;
  let started: Promise<void> | undefined;
  /** The informer once it has listed. */
  let synced: Informer | undefined;
  /** Per namespace with LimitRanges; any event on one of them drops its namespace's entry (events arrive before a write returns). */
  const byNamespace = new Map<string, NamespaceRanges>();
  const forget = (o: KObject) => { byNamespace.delete(o.metadata.namespace!); };
  const ready = async (): Promise<Informer> => {
    if (!informer) {
      const inf = informer = new Informer(deps.store, r);
      informer.addIndex('namespace', (o) => [o.metadata.namespace!]);
      informer.on({ add: forget, update: forget, delete: forget });
      started = informer.start().then(() => { synced = inf; });
    }
    await started;
    return informer;
  };
  /** A namespace's ranges once the informer has listed (no await on the path every pod create takes). */
  const rangesOf = (inf: Informer, ns: string): NamespaceRanges | undefined => {
    if (!inf.countByIndex('namespace', ns)) return undefined;
    let e = byNamespace.get(ns);
    if (!e) {
      const ranges = inf.byIndexValue('namespace', ns).sort((x, y) => (x.metadata.name! < y.metadata.name! ? -1 : 1));
      byNamespace.set(ns, e = { ranges, defaults: containerDefaults(ranges), compiled: ranges.map(compileItems) });
    }
    return e;
  };
  const rangesIn = async (ns: string): Promise<NamespaceRanges | undefined> => rangesOf(await ready(), ns);

  return {
    name: 'LimitRanger',
    applies: (a, phase) => (phase === 'mutate' ? handled(a) === 'pod' : handled(a) !== undefined),
    async mutate(a) {
      if (handled(a) !== 'pod') return;
      const defaults = (synced ? rangesOf(synced, a.namespace) : await rangesIn(a.namespace))?.defaults;
      if (!defaults || !applyContainerDefaults(a.object!, defaults)) return;
      // Upstream admits before the strategy prepares the pod, so its QoS class counts these defaults.
      const status = a.object!.status;
      if (status && typeof status === 'object' && status.qosClass !== undefined) status.qosClass = qosClass(a.object!.spec);
    },
    async validate(a) {
      const what = handled(a);
      if (!what) return;
      const e = synced ? rangesOf(synced, a.namespace) : await rangesIn(a.namespace);
      if (!e) return;
      const refusals: string[] = [];
      for (let i = 0; i < e.ranges.length; i++) {
        const msgs = what === 'pod' ? validatePodItems(a.object!, e.compiled[i]) : validateClaim(a.object!, e.ranges[i]);
        if (msgs.length) refusals.push(aggregate(msgs));
      }
      if (refusals.length) {
        throw errors.admissionForbidden({ group: '', resource: a.resource.resource }, a.name || a.object!.metadata.name || '', aggregate(refusals));
      }
    },
  };
}
