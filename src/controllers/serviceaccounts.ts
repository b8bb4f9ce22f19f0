// Every namespace gets a `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap
// (upstream's serviceaccounts-controller and root-ca-cert-publisher).
import { StatusError } from '../errors.ts';
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { Clock } from '../clock.ts';
import type { Informer } from './runtime.ts';
import { runController } from './runtime.ts';

export function serviceAccountController(store: Store, clock: Clock, namespaces: Informer, caPem: string, log?: (m: string) => void) {
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
    watch: [{ informer: namespaces }],
    reconcile: async (name) => {
      const ns = namespaces.get(name);
      if (!ns || ns.metadata.deletionTimestamp) return;
      if (!(await store.tryGet(sa, name, 'default'))) await ensure(() => store.create(sa, name, { metadata: { name: 'default' } }));
      const existing = await store.tryGet(cm, name, 'kube-root-ca.crt');
      if (!existing) {
        await ensure(() => store.create(cm, name, { metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': caPem } }));
      } else if (existing.data?.['ca.crt'] !== caPem) {
        await store.guaranteedUpdate(cm, name, 'kube-root-ca.crt', (cur) => { cur.data = { ...(cur.data ?? {}), 'ca.crt': caPem }; return cur; });
      }
    },
  });
}
