// Starts the in-process controllers, the scheduler and the simulated nodes/kubelet. Each controller
// is a reconcile function registered on shared informers; informers are created once per resource.
import type { Clock } from '../clock.ts';
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { EndpointSlice, PodDisruptionBudget, StorageClass } from '../types/generated.ts';
import { Informer } from './runtime.ts';
import type { Cached, Controller } from './runtime.ts';
import { namespaceController } from './namespace.ts';
import { serviceAccountController } from './serviceaccounts.ts';
import { replicaController } from './replicaset.ts';
import { deploymentController } from './deployment.ts';
import { garbageCollector } from './gc.ts';
import { jobController } from './job.ts';
import { cronJobController } from './cronjob.ts';
import { daemonSetController } from './daemonset.ts';
import { statefulSetController } from './statefulset.ts';
import { endpointsController } from './endpoints.ts';
import { endpointSliceController, sliceServiceKey } from './endpointslices.ts';
import { endpointSliceMirroringController } from './endpointslice-mirroring.ts';
import { eventRecorder } from './events.ts';
import { hpaController } from './hpa/controller.ts';
import type { EventRecorder } from './events.ts';
import { controllerRef, ownerUids } from './util.ts';
import { startScheduler } from '../scheduler/scheduler.ts';
import { startKubelet } from '../kubelet/engine.ts';
import type { Kubelet } from '../kubelet/engine.ts';
import type { Stage } from '../kubelet/stages.ts';
import { startNodes } from '../kubelet/nodes.ts';
import { nodeLifecycleController } from './nodelifecycle.ts';
import { resourceQuotaController } from './resourcequota.ts';
import { disruptionController } from './disruption.ts';
import { podGarbageCollector } from './podgc.ts';
import { persistentVolumeController, podClaimKeys } from './volumes/binder.ts';
import { ephemeralVolumeController } from './volumes/ephemeral.ts';
import type { NodeSimulator, NodeTemplate } from '../kubelet/nodes.ts';
import { probeTransport, removeNetwork, startNetwork } from '../netsim/index.ts';
import { setProbeTransport } from '../kubelet/containers/probes.ts';
import type { Network } from '../netsim/index.ts';
import { policyStatusController } from '../admission/policy/status-controller.ts';

export interface Controllers {
  stop(): Promise<void>;
  informers: Map<string, Informer>;
  controllers: Controller[];
  kubelet?: Kubelet;
  nodes?: NodeSimulator;
  /** The simulated pod network (src/netsim), when workloads run. */
  network?: Network;
  /** Resolves when every controller queue is idle and queued events are written (tests). */
  settle(): Promise<void>;
}

export interface ControllerDeps {
  store: Store; clock: Clock; nodes: number; caPem?: string; saTokens?: import('../auth/sa-tokens.ts').ServiceAccountTokens; log?: (m: string) => void;
  /** Nodes from pools (--node-config); replaces `nodes` when given. */
  nodeTemplates?: NodeTemplate[];
  /** The kubelet's lifecycle stage table (--stages); default defaultStages(). */
  stages?: Stage[];
  /** Run the workload controllers, scheduler and kubelet (default true). */
  workloads?: boolean;
}

/** Kinds the garbage collector watches as dependents (and owners). Owners of other kinds are looked up in the store. */
const GC_KINDS: [string, string, string][] = [
  ['', 'v1', 'pods'], ['apps', 'v1', 'replicasets'], ['apps', 'v1', 'deployments'], ['', 'v1', 'replicationcontrollers'],
  ['apps', 'v1', 'statefulsets'], ['apps', 'v1', 'daemonsets'], ['apps', 'v1', 'controllerrevisions'], ['batch', 'v1', 'jobs'], ['batch', 'v1', 'cronjobs'],
  ['', 'v1', 'configmaps'], ['', 'v1', 'secrets'], ['', 'v1', 'services'], ['', 'v1', 'endpoints'], ['discovery.k8s.io', 'v1', 'endpointslices'],
  ['', 'v1', 'persistentvolumeclaims'], ['', 'v1', 'nodes'], ['coordination.k8s.io', 'v1', 'leases'],
];

/** The quota controller on the shared informers; resources counted by `count/…` get theirs on first use. */
function quotaController(deps: ControllerDeps, informer: (g: string, v: string, r: string) => Informer, startedAtBoot: Set<Informer>): Controller {
  const quotas = informer('', 'v1', 'resourcequotas');
  quotas.addIndex('namespace', (o) => [o.metadata.namespace!]);
  const classic = ['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas'];
  const watched = classic.map((r) => informer('', 'v1', r));
  const starting = new Map<Informer, Promise<void>>();
  return resourceQuotaController({
    store: deps.store, clock: deps.clock, quotas, watched, log: deps.log,
    informerFor: async (r) => {
      const i = informer(r.group, r.version, r.resource);
      if (!startedAtBoot.has(i) && !starting.has(i)) starting.set(i, i.start());
      await starting.get(i);
      return i;
    },
  });
}

export async function startControllers(deps: ControllerDeps): Promise<Controllers> {
  const { store, clock, log } = deps;
  const informers = new Map<string, Informer>();
  // One informer per resource, shared; its type parameter (the generated kind) comes from where it is used.
  const informer = <T extends Cached = KObject>(group: string, version: string, resource: string): Informer<T> => {
    const k = `${group}/${resource}`;
    let i = informers.get(k);
    if (!i) {
      informers.set(k, i = new Informer(store, findResource(group, version, resource)!));
      i.addIndex('owner', ownerUids);
    }
    return i as unknown as Informer<T>;
  };
  const namespaces = informer('', 'v1', 'namespaces');
  const controllers: Controller[] = [
    namespaceController(store, clock, namespaces, log),
    serviceAccountController(store, clock, namespaces, informer('', 'v1', 'configmaps'), deps.caPem ?? '', log),
    policyStatusController({ store, clock, policies: informer('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies'), log }),
  ];
  let recorders: EventRecorder[] = [];
  let kubelet: Kubelet | undefined;
  let network: Network | undefined;
  if (deps.workloads !== false) {
    const pods = informer('', 'v1', 'pods');
    const rss = informer('apps', 'v1', 'replicasets');
    const rcs = informer('', 'v1', 'replicationcontrollers');
    const deployments = informer('apps', 'v1', 'deployments');
    const nodes = informer('', 'v1', 'nodes');
    const pvcs = informer('', 'v1', 'persistentvolumeclaims');
    const pvs = informer('', 'v1', 'persistentvolumes');
    const classes = informer<StorageClass>('storage.k8s.io', 'v1', 'storageclasses');
    const revisions = informer('apps', 'v1', 'controllerrevisions');
    const orphanNs = (o: KObject) => (controllerRef(o) ? [] : [o.metadata.namespace!]);
    pods.addIndex('orphan', orphanNs);
    pods.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    pods.addIndex('claims', podClaimKeys);
    revisions.addIndex('orphan', orphanNs);
    for (const i of [rss, rcs]) { i.addIndex('orphan', orphanNs); i.addIndex('namespace', (o) => [o.metadata.namespace!]); }
    deployments.addIndex('namespace', (o) => [o.metadata.namespace!]);
    const rsRec = eventRecorder(store, clock, 'replicaset-controller', log);
    const rcRec = eventRecorder(store, clock, 'replication-controller', log);
    const dRec = eventRecorder(store, clock, 'deployment-controller', log);
    const sRec = eventRecorder(store, clock, 'default-scheduler', log);
    const kRec = eventRecorder(store, clock, 'kubelet', log);
    const jobs = informer('batch', 'v1', 'jobs');
    jobs.addIndex('namespace', (o) => [o.metadata.namespace!]);
    const jRec = eventRecorder(store, clock, 'job-controller', log);
    const cjRec = eventRecorder(store, clock, 'cronjob-controller', log);
    const dsRec = eventRecorder(store, clock, 'daemonset-controller', log);
    const stsRec = eventRecorder(store, clock, 'statefulset-controller', log);
    recorders = [rsRec, rcRec, dRec, sRec, kRec, jRec, cjRec, dsRec, stsRec];
    controllers.push(
      replicaController('ReplicaSet', { store, clock, pods, owners: rss, recorder: rsRec, log }),
      replicaController('ReplicationController', { store, clock, pods, owners: rcs, recorder: rcRec, log }),
      deploymentController({ store, clock, deployments, replicasets: rss, pods, recorder: dRec, log }),
      jobController({ store, clock, jobs, pods, recorder: jRec, log }),
      cronJobController({ store, clock, cronjobs: informer('batch', 'v1', 'cronjobs'), jobs, recorder: cjRec, log }),
      daemonSetController({ store, clock, daemonsets: informer('apps', 'v1', 'daemonsets'), pods, nodes, revisions, recorder: dsRec, log }),
      statefulSetController({ store, clock, statefulsets: informer('apps', 'v1', 'statefulsets'), pods, revisions, recorder: stsRec, log }),
      startScheduler({ store, clock, pods, nodes, namespaces, pdbs: informer<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets'), volumes: { pvcs, pvs, classes }, recorder: sRec, log }),
    );
    // Services → Endpoints and EndpointSlices.
    const services = informer('', 'v1', 'services');
    const endpoints = informer('', 'v1', 'endpoints');
    const slices = informer<EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices');
    services.addIndex('namespace', (o) => [o.metadata.namespace!]);
    pods.addIndex('namespace', (o) => [o.metadata.namespace!]);
    slices.addIndex('service', sliceServiceKey);
    controllers.push(
      endpointsController({ store, clock, services, pods, endpoints, log }),
      endpointSliceController({ store, clock, services, pods, slices, nodes, log }),
      endpointSliceMirroringController({ store, clock, services, endpoints, slices, log }),
    );
    network = startNetwork(clock, store, { pods, services, slices, nodes });
    // The kubelet's httpGet and tcpSocket probes reach emulated servers over the simulated network.
    setProbeTransport(probeTransport);
    const hpaRec = eventRecorder(store, clock, 'horizontal-pod-autoscaler', log);
    recorders.push(hpaRec);
    controllers.push(hpaController({ store, clock, hpas: informer('autoscaling', 'v2', 'horizontalpodautoscalers'), recorder: hpaRec, log }));
    kubelet = startKubelet({ store, clock, pods, nodes, recorder: kRec, stages: deps.stages, log, saTokens: deps.saTokens, services });
    const pvRec = eventRecorder(store, clock, 'persistentvolume-controller', log);
    const provRecs = new Map<string, EventRecorder>();
    recorders.push(pvRec);
    const provisionerRecorder = (name: string) => {
      let r = provRecs.get(name);
      if (!r) { provRecs.set(name, r = eventRecorder(store, clock, name, log)); recorders.push(r); }
      return r;
    };
    controllers.push(persistentVolumeController({
      store, clock, pvcs, pvs, classes, pods, nodes, recorder: pvRec, provisionerRecorder, log,
    }));
    const evRec = eventRecorder(store, clock, 'ephemeral_volume', log);
    recorders.push(evRec);
    controllers.push(ephemeralVolumeController({ store, clock, pods, pvcs, recorder: evRec, log }));
    controllers.push(podGarbageCollector({ store, clock, pods, nodes, log }));
    controllers.push(disruptionController({ store, clock, pdbs: informer<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets'), pods, log }));
    controllers.push(nodeLifecycleController({ store, clock, nodes, leases: informer('coordination.k8s.io', 'v1', 'leases'), pods, log }));
    for (const [g, v, r] of GC_KINDS) informer(g, v, r);
  }
  const startedAtBoot = new Set<Informer>();
  controllers.push(quotaController(deps, informer, startedAtBoot));
  for (const i of informers.values()) startedAtBoot.add(i);
  for (const i of startedAtBoot) await i.start();
  let nodeSim: NodeSimulator | undefined;
  if (deps.workloads !== false) {
    controllers.push(garbageCollector({ store, clock, informers: GC_KINDS.map(([g, , r]) => informers.get(`${g}/${r}`)!), log }));
    nodeSim = await startNodes(store, clock, deps.nodeTemplates ?? Math.max(0, deps.nodes), log, informers.get('/nodes'));
  }
  return {
    informers, controllers, kubelet, nodes: nodeSim, network,
    async settle() {
      for (let round = 0; round < 3; round++) {
        await Promise.all(controllers.map((c) => c.queue.idle()));
        await Promise.all(recorders.map((r) => r.flush()));
        await new Promise((r) => setImmediate(r));
      }
    },
    async stop() {
      nodeSim?.stop();
      kubelet?.stop();
      if (network) removeNetwork(network);
      for (const c of controllers) c.stop();
      for (const i of informers.values()) i.stop();
    },
  };
}
