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

type Field = [path: string[], value: unknown];

/** Where the `kubernetes` Service and its endpoints name the port the server listens on. */
function portFields(apiPort: number): [resource: string, group: string, fields: Field[]][] {
  const port = { name: 'https', port: apiPort, protocol: 'TCP' };
  return [
    ['services', '', [[['spec', 'ports'], [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }]]]],
    ['endpoints', '', [[['subsets'], [{ addresses: [{ ip: '127.0.0.1' }], ports: [port] }]]]],
    ['endpointslices', 'discovery.k8s.io', [[['endpoints'], [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]], [['ports'], [port]]]],
  ];
}

const at = (o: KObject, path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

function put(o: KObject, path: string[], value: unknown): void {
  let v = o as Record<string, unknown>;
  for (const k of path.slice(0, -1)) v = (v[k] ??= {}) as Record<string, unknown>;
  v[path[path.length - 1]] = value;
}

/**
 * Bring the `kubernetes` Service, Endpoints and EndpointSlice to the port this server listens on when
 * they name another (a data directory restarted on another port, or an in-memory start from an image,
 * bootstrap-image.ts), as upstream's kubernetes-service controller corrects the Service's ports and
 * its endpoint reconciler the endpoints once the server is ready. Writes nothing when they agree.
 */
export async function reconcileApiServerPort(store: Store, apiPort: number): Promise<void> {
  await Promise.all(portFields(apiPort).map(async ([resource, group, fields]) => {
    const r = findResource(group, 'v1', resource)!;
    const cur = await store.tryGet(r, 'default', 'kubernetes');
    if (!cur || fields.every(([path, value]) => JSON.stringify(at(cur, path)) === JSON.stringify(value))) return;
    await store.guaranteedUpdate(r, 'default', 'kubernetes', (o) => {
      for (const [path, value] of fields) put(o, path, value);
      return o;
    });
  }));
}
