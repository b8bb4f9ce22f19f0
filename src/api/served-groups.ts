// Group-versions the server answers: the stored resource table plus those an extension route serves
// itself (metrics.k8s.io, as metrics-server would through aggregation). Discovery lists them and
// request-info resolves their paths, so requests to them are classified (verb, namespace, resource)
// like any other; a path in no served group is a 404, as upstream.
import type { ResourceInfo } from '../registry/resources.ts';
import { RESOURCES, findResource, groupVersions } from '../registry/resources.ts';

const virtualGroups: { group: string; version: string; resources: ResourceInfo[] }[] = [];
const virtual = new Map<string, ResourceInfo>();
let cached: { group: string; versions: string[] }[] | undefined;

/** Register a group-version answered by an extension route (not stored). Idempotent per resource. */
export function registerGroupVersion(group: string, version: string, resources: ResourceInfo[]): void {
  if (virtualGroups.some((x) => x.group === group && x.version === version)) return;
  virtualGroups.push({ group, version, resources });
  cached = undefined;
  for (const r of resources) virtual.set(`${group}/${version}/${r.resource}`, r);
}

/** Stop serving a group-version registered with registerGroupVersion (an aggregated API that went away). */
export function unregisterGroupVersion(group: string, version: string): void {
  const i = virtualGroups.findIndex((x) => x.group === group && x.version === version);
  if (i < 0) return;
  for (const r of virtualGroups[i].resources) virtual.delete(`${group}/${version}/${r.resource}`);
  virtualGroups.splice(i, 1);
  cached = undefined;
}

/** Every served group with its versions in preference order (stored groups first, in table order). Do not change it. */
export function servedGroupVersions(): readonly { group: string; versions: string[] }[] {
  if (cached) return cached;
  const gvs = groupVersions().map((g) => ({ ...g, versions: [...g.versions] }));
  for (const x of virtualGroups) {
    const g = gvs.find((y) => y.group === x.group);
    if (g) { if (!g.versions.includes(x.version)) g.versions.push(x.version); } else gvs.push({ group: x.group, versions: [x.version] });
  }
  return (cached = gvs);
}

/** The resources of one served group-version, stored then virtual. */
export function servedResources(group: string, version: string): ResourceInfo[] {
  return [...RESOURCES.filter((r) => r.group === group && r.version === version),
    ...virtualGroups.filter((x) => x.group === group && x.version === version).flatMap((x) => x.resources)];
}

/** A served resource by group, version and plural name: stored or virtual. */
export function findServedResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return findResource(group, version, resource) ?? virtual.get(`${group}/${version}/${resource}`);
}

/** True for a resource an extension route answers (nothing of it is in the store). */
export function isVirtualResource(r: ResourceInfo): boolean {
  // Stored resources (nearly every request) are never virtual: no key string for them.
  return !STORED.has(r) && virtual.get(`${r.group}/${r.version}/${r.resource}`) === r;
}

const STORED: ReadonlySet<ResourceInfo> = new Set(RESOURCES);
