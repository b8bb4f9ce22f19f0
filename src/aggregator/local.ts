// The APIServices upstream's aggregator registers for the group-versions the server serves itself
// (`v1.`, `v1.apps`, …; kubectl get apiservices shows them Local and Available), with upstream's
// priorities (kube-apiserver's apiVersionPriorities), and those of CRD groups (priority 1000/100).
import { groupVersions } from '../registry/resources.ts';
import type { ResourceTable } from '../registry/resource-table.ts';
import type { KObject } from '../registry/strategy.ts';

const PRIORITIES: Record<string, [number, number]> = {
  'v1': [18000, 1], 'apps/v1': [17800, 15], 'events.k8s.io/v1': [17750, 15], 'authentication.k8s.io/v1': [17700, 15],
  'authorization.k8s.io/v1': [17600, 15], 'autoscaling/v1': [17500, 15], 'autoscaling/v2': [17500, 30], 'batch/v1': [17400, 15],
  'certificates.k8s.io/v1': [17300, 15], 'networking.k8s.io/v1': [17200, 15], 'policy/v1': [17100, 15],
  'rbac.authorization.k8s.io/v1': [17000, 15], 'storage.k8s.io/v1': [16800, 15], 'apiextensions.k8s.io/v1': [16700, 15],
  'admissionregistration.k8s.io/v1': [16700, 15], 'scheduling.k8s.io/v1': [16600, 15], 'coordination.k8s.io/v1': [16500, 15],
  'node.k8s.io/v1': [16300, 15], 'discovery.k8s.io/v1': [16200, 15], 'flowcontrol.apiserver.k8s.io/v1': [16100, 21],
  'apiregistration.k8s.io/v1': [18000, 15],
};

export const AUTOMANAGED = 'kube-aggregator.kubernetes.io/automanaged';

/** `<version>.<group>`: the APIService name of a group-version. */
export const apiServiceName = (group: string, version: string) => `${version}.${group}`;

/** The APIService of a locally served group-version (no service: Local). */
export function localAPIService(group: string, version: string, automanaged: 'onstart' | 'true'): KObject {
  const [groupPriorityMinimum, versionPriority] = automanaged === 'true' ? [1000, 100] : PRIORITIES[group ? `${group}/${version}` : version] ?? [15000, 9];
  return {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: apiServiceName(group, version), labels: { [AUTOMANAGED]: automanaged } },
    spec: { ...(group ? { group } : {}), version, groupPriorityMinimum, versionPriority },
  };
}

/** Every built-in group-version (and metrics.k8s.io, which Skiff answers itself), then CRD groups. */
export function localGroupVersions(table: ResourceTable): { group: string; version: string; automanaged: 'onstart' | 'true' }[] {
  const out: { group: string; version: string; automanaged: 'onstart' | 'true' }[] = [];
  for (const g of groupVersions()) for (const v of g.versions) out.push({ group: g.group, version: v, automanaged: 'onstart' });
  out.push({ group: 'metrics.k8s.io', version: 'v1beta1', automanaged: 'onstart' });
  const seen = new Set(out.map((x) => `${x.group}/${x.version}`));
  for (const r of table.customResources()) {
    if (seen.has(`${r.group}/${r.version}`)) continue;
    seen.add(`${r.group}/${r.version}`);
    out.push({ group: r.group, version: r.version, automanaged: 'true' });
  }
  return out;
}
