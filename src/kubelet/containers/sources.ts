// What a container's configuration reads from the API: ConfigMaps, Secrets, Services and Nodes
// (the kubelet's configmap/secret managers and service lister), given to the runtime as functions.
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { res } from '../../controllers/util.ts';

export interface Sources {
  configMap(ns: string, name: string): Promise<KObject | undefined>;
  secret(ns: string, name: string): Promise<KObject | undefined>;
  services(ns: string): Promise<KObject[]>;
  node(name: string): Promise<KObject | undefined>;
}

/** What answers `services` without a store list: an informer of Services indexed by namespace. */
export interface ServiceCache { byIndexValue(index: 'namespace', ns: string): KObject[] }

/**
 * Reads through the store; with `services`, Services come from that informer instead, as the
 * kubelet's service lister is informer-backed (every container start reads them: no list each time).
 */
export function storeSources(store: Store, cache: { services?: ServiceCache } = {}): Sources {
  const cm = res('', 'v1', 'configmaps'), sec = res('', 'v1', 'secrets'), svc = res('', 'v1', 'services'), nodes = res('', 'v1', 'nodes');
  const byName = (a: KObject, b: KObject) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
  const fromCache = cache.services;
  return {
    configMap: (ns, name) => store.tryGet(cm, ns, name),
    secret: (ns, name) => store.tryGet(sec, ns, name),
    // In name order, as a list answers.
    services: fromCache ? async (ns) => fromCache.byIndexValue('namespace', ns).sort(byName) : async (ns) => (await store.list(svc, ns)).items.map((e) => e.obj),
    node: (name) => store.tryGet(nodes, undefined, name),
  };
}

/** A container whose configuration cannot be built: CreateContainerConfigError with this message. */
export class ConfigError extends Error {}

/** The value of a key of a ConfigMap (data or binaryData) or Secret (base64 data). */
export function configMapValue(cm: KObject, key: string): string | undefined {
  if (cm.data && Object.hasOwn(cm.data, key)) return String(cm.data[key]);
  if (cm.binaryData && Object.hasOwn(cm.binaryData, key)) return Buffer.from(String(cm.binaryData[key]), 'base64').toString('latin1');
  return undefined;
}
export function secretValue(s: KObject, key: string): string | undefined {
  if (s.data && Object.hasOwn(s.data, key)) return Buffer.from(String(s.data[key]), 'base64').toString('latin1');
  if (s.stringData && Object.hasOwn(s.stringData, key)) return String(s.stringData[key]);
  return undefined;
}
