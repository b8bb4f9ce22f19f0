// Discovery documents, legacy (APIVersions, APIGroupList, APIGroup, APIResourceList) and
// aggregated (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), from the served groups (served-groups.ts).
import { createHash } from 'node:crypto';
import type { ResourceInfo } from '../registry/resources.ts';
import { BUILTIN_TABLE } from '../registry/resource-table.ts';
import type { ResourceTable } from '../registry/resource-table.ts';
import { gvString, storageResource } from '../registry/resources.ts';
import { isBuiltInKind } from '../registry/wire-form.ts';

/** Extensions register their served group-versions in served-groups.ts (re-exported for them). */
export { registerGroupVersion } from './served-groups.ts';

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: { group: string; versions: string[] }) {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(table: ResourceTable = BUILTIN_TABLE) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: table.groupVersions().filter((g) => g.group !== '').map(apiGroup) };
}

export function apiGroupDoc(group: string, table: ResourceTable = BUILTIN_TABLE) {
  const g = table.groupVersions().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

/** Resources served without storage (no StorageVersionProvider upstream), so without a hash. */
const NO_STORAGE = new Set(['/bindings', '/componentstatuses']);

/**
 * APIResource.storageVersionHash as upstream computes it: the first 8 bytes of the SHA-256 of the
 * storage version's "group/version/kind", base64. Custom resources have one (from their CRD's storage
 * version, the same for every served version); built-in kinds only when kept in storage (create-only
 * review kinds and bindings have none).
 */
export function storageVersionHash(r: ResourceInfo): string | undefined {
  if (!r.custom && (!r.verbs.includes('get') || NO_STORAGE.has(`${r.group}/${r.resource}`) || !isBuiltInKind(gvString(r), r.kind))) return undefined;
  const s = storageResource(r);
  return createHash('sha256').update(`${s.group}/${s.version}/${s.kind}`).digest().subarray(0, 8).toString('base64');
}

export function apiResourceList(group: string, version: string, table: ResourceTable = BUILTIN_TABLE) {
  const resources: Record<string, unknown>[] = [];
  for (const r of table.resources(group, version)) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames) entry.shortNames = r.shortNames;
    if (r.categories) entry.categories = r.categories;
    const hash = storageVersionHash(r);
    if (hash) entry.storageVersionHash = hash;
    resources.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined && s.group !== r.group) { sub.group = s.group; sub.version = s.version; }
      resources.push(sub);
    }
  }
  // Upstream strips the apiVersion of the legacy group's list (/api/v1), as it does for /api.
  return group ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources } : { kind: 'APIResourceList', groupVersion: version, resources };
}

function discoveryResource(r: ResourceInfo) {
  const out: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames) out.shortNames = r.shortNames;
  if (r.categories) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

/** Aggregated discovery for /api (legacy: true) or /apis. */
export function aggregatedDiscovery(legacy: boolean, table: ResourceTable = BUILTIN_TABLE) {
  const items = table.groupVersions()
    .filter((g) => (legacy ? g.group === '' : g.group !== ''))
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({ version: v, resources: table.resources(g.group, v).map(discoveryResource), freshness: 'Current' })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

export const AGGREGATED_DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
