// Every namespace gets a `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap
// (upstream's serviceaccounts-controller and root-ca-cert-publisher). The ConfigMap is kept as the
// publisher keeps it: re-created when deleted, and its data (exactly `ca.crt`) and description
// annotation put back when changed.
import { StatusError } from '../errors.ts';
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { Clock } from '../clock.ts';
import type { Informer } from './runtime.ts';
import { runController } from './runtime.ts';

const ROOT_CA = 'kube-root-ca.crt';
const DESCRIPTION_KEY = 'kubernetes.io/description';
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** Whether the published ConfigMap's data is exactly the CA, with its description (binaryData is left alone, as upstream). */
function published(cm: Record<string, any>, caPem: string): boolean {
  const keys = Object.keys(cm.data ?? {});
  return keys.length === 1 && cm.data['ca.crt'] === caPem && !!cm.metadata?.annotations?.[DESCRIPTION_KEY];
}

export function serviceAccountController(store: Store, clock: Clock, namespaces: Informer, configMaps: Informer, caPem: string, log?: (m: string) => void) {
  const sa = findResource('', 'v1', 'serviceaccounts')!;
  const cm = findResource('', 'v1', 'configmaps')!;
  const ensure = async (fn: () => Promise<unknown>) => {
    try { await fn(); } catch (e) {
      // Already there, or the namespace went away meanwhile: both fine.
      if (e instanceof StatusError && (e.code === 409 || e.code === 404 || e.code === 403)) return;
      throw e;
    }
  };
  return runController({
    name: 'serviceaccount', clock, log, workers: 2,
    // A change to a namespace's kube-root-ca.crt brings the namespace back to the queue.
    watch: [{ informer: namespaces }, { informer: configMaps, toKeys: (o) => (o.metadata.name === ROOT_CA ? [String(o.metadata.namespace)] : []) }],
    reconcile: async (name) => {
      const ns = namespaces.get(name);
      if (!ns || ns.metadata.deletionTimestamp) return;
      if (!(await store.tryGet(sa, name, 'default'))) await ensure(() => store.create(sa, name, { metadata: { name: 'default' } }));
      const existing = await store.tryGet(cm, name, ROOT_CA);
      if (!existing) {
        await ensure(() => store.create(cm, name, { metadata: { name: ROOT_CA, annotations: { [DESCRIPTION_KEY]: DESCRIPTION } }, data: { 'ca.crt': caPem } }));
      } else if (!published(existing, caPem)) {
        await ensure(() => store.guaranteedUpdate(cm, name, ROOT_CA, (cur) => {
          cur.data = { 'ca.crt': caPem };
          cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [DESCRIPTION_KEY]: DESCRIPTION };
          return cur;
        }));
      }
    },
  });
}
