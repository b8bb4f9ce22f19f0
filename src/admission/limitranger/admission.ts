// The LimitRanger admission plugin: pods created in a namespace with LimitRanges get their
// containers' default requests and limits (mutating), then pods and claims are checked against
// min, max and maxLimitRequestRatio (validating), as upstream. Pod updates are not judged (their
// containers' resources are immutable), nor are subresources.
import { errors } from '../../errors.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { findResource } from '../../registry/resources.ts';
import { Informer } from '../../controllers/runtime.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import { aggregate, defaultPod, validateClaim, validatePod } from './rules.ts';

function handled(a: AdmissionAttributes): 'pod' | 'pvc' | undefined {
  if (a.subresource || !a.namespace || !a.object || a.resource.group !== '') return undefined;
  if (a.resource.resource === 'pods') return a.operation === 'CREATE' ? 'pod' : undefined;
  if (a.resource.resource === 'persistentvolumeclaims') return a.operation === 'CREATE' || a.operation === 'UPDATE' ? 'pvc' : undefined;
  return undefined;
}

export function limitRangerPlugin(deps: { store: Store }): AdmissionPlugin {
  const r = findResource('', 'v1', 'limitranges')!;
  let informer: Informer | undefined;
  let started: Promise<void> | undefined;
  const rangesIn = async (ns: string): Promise<KObject[]> => {
    if (!informer) {
      informer = new Informer(deps.store, r);
      informer.addIndex('namespace', (o) => [o.metadata.namespace!]);
      started = informer.start();
    }
    await started;
    return informer.byIndexValue('namespace', ns).sort((x, y) => (x.metadata.name! < y.metadata.name! ? -1 : 1));
  };

  return {
    name: 'LimitRanger',
    async mutate(a) {
      if (handled(a) !== 'pod') return;
      const ranges = await rangesIn(a.namespace);
      if (ranges.length) defaultPod(a.object!, ranges);
    },
    async validate(a) {
      const what = handled(a);
      if (!what) return;
      const ranges = await rangesIn(a.namespace);
      const refusals: string[] = [];
      for (const lr of ranges) {
        const msgs = what === 'pod' ? validatePod(a.object!, lr) : validateClaim(a.object!, lr);
        if (msgs.length) refusals.push(aggregate(msgs));
      }
      if (refusals.length) {
        throw errors.admissionForbidden({ group: '', resource: a.resource.resource }, a.name || a.object!.metadata.name || '', aggregate(refusals));
      }
    },
  };
}
