// Objects every cluster has from the start: the four system namespaces, the `kubernetes` Service
// with its Endpoints and EndpointSlice, the two system PriorityClasses the API server creates upstream and, as kind
// installs it, the default StorageClass `standard` served by the simulated local-path provisioner.
import { StatusError } from './errors.ts';
import { findResource } from './registry/resources.ts';
import type { Store } from './registry/store.ts';
import type { KObject } from './registry/strategy.ts';

async function ensure(store: Store, resource: string, ns: string | undefined, obj: KObject, group = '', version = 'v1'): Promise<void> {
  const r = findResource(group, version, resource)!;
  // Look first: on a restart the object exists, and a Service's create would fail on its
  // (already reserved) cluster IP before it could report AlreadyExists.
  if (await store.tryGet(r, ns, obj.metadata.name!)) return;
  try {
    await store.create(r, ns, obj);
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) return;
    throw e;
  }
}

export interface BootstrapOptions {
  /** Create the default StorageClass `standard` (default true; --no-default-storage-class). */
  defaultStorageClass?: boolean;
}

/**
 * Concurrently, so that the writes share the storage's group commits: the namespaces first (the
 * Service and Endpoints live in one), then everything else.
 */
export async function bootstrap(store: Store, apiPort = 6443, opts: BootstrapOptions = {}): Promise<void> {
  await Promise.all(['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ensure(store, 'namespaces', undefined, { metadata: { name } })));
  const rest: Promise<void>[] = [];
  rest.push(ensure(store, 'services', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }], sessionAffinity: 'None' },
  }));
  rest.push(ensure(store, 'endpoints', 'default', {
    metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }] }],
  }));
  // The API server's EndpointSlice of `kubernetes`, as its endpoint reconciler writes it next to the Endpoints.
  rest.push(ensure(store, 'endpointslices', 'default', {
    metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }],
  }, 'discovery.k8s.io'));
  const classes: [string, number, string][] = [
    ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
    ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
  ];
  for (const [name, value, description] of classes) {
    rest.push(ensure(store, 'priorityclasses', undefined, { metadata: { name }, value, description, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }, 'scheduling.k8s.io'));
  }
  if (opts.defaultStorageClass !== false) {
    rest.push(ensure(store, 'storageclasses', undefined, {
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
    }, 'storage.k8s.io'));
  }
  await Promise.all(rest);
}
