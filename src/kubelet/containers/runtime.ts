// The container runtime of the simulated kubelet: which pods it runs (those with a container of an
// image the catalogue knows, and no skiff.dev fault annotations, which stay with the stage table),
// one PodWorker per such pod, node filesystems for hostPath, and the lookup exec and logs use.
import { NODE_ETC_HOSTS } from '../../netsim/pod-files.ts';
import type { InMemoryFs } from 'just-bash';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { EventRecorder } from '../../controllers/events.ts';
import { PodWorker } from './pod-worker.ts';
import type { WorkerDeps } from './pod-worker.ts';
import { workers } from './workers.ts';
export { emulated } from './emulated.ts';
export { workerFor } from './workers.ts';
import { storeSources } from './sources.ts';
import type { ServiceCache, Sources } from './sources.ts';
import type { TokenIssuer } from './volume-files.ts';
import type { JustBash } from './shell.ts';
import type { NodeImages } from '../image-pulls.ts';

/** How often configMap/secret volumes are re-read (the kubelet's sync period is about a minute). */
export const VOLUME_SYNC_MS = 10_000;
/** Pods whose volumes are refreshed together (see refreshAll). */
const REFRESH_BATCH = 64;

export interface RuntimeDeps {
  store: Store; clock: Clock; recorder: EventRecorder; sources?: Sources; token?: TokenIssuer; log?: (m: string) => void;
  /** Services by namespace (an informer) for the containers' service environment; absent: listed from the store. */
  services?: ServiceCache;
  /** The images of the nodes (which pulls the first starts report); absent: every first start pulls. */
  images?: NodeImages;
}

export class ContainerRuntime {
  private readonly mine = new Map<string, PodWorker>();
  private readonly hosts = new Map<string, InMemoryFs>();
  private readonly perNode = new Map<string, { node: KObject; deps: WorkerDeps }>();
  private readonly d: RuntimeDeps;
  private readonly sources: Sources;
  private sync?: TimerHandle;
  constructor(d: RuntimeDeps) { this.d = d; this.sources = d.sources ?? storeSources(d.store, { services: d.services }); }

  /** Look at a pod the engine saw change: start its worker once the pod is Pending with statuses, pass on deletion. */
  observe(pod: KObject, node: KObject, podIP: () => string | undefined): void {
    const uid = String(pod.metadata.uid);
    let w = this.mine.get(uid);
    if (w) { w.pod = pod; if (pod.metadata.deletionTimestamp) void w.terminate(); else w.podUpdated(); return; }
    // Pending with statuses: start it. Running with no worker: Skiff restarted on its data directory; adopt it.
    const phase = pod.status?.phase;
    if (!pod.status?.containerStatuses || !(phase === 'Pending' && !pod.metadata.deletionTimestamp || phase === 'Running')) return;
    w = new PodWorker(pod, this.depsFor(node));
    this.mine.set(uid, w);
    workers.set(uid, w);
    this.sync ??= this.d.clock.setInterval(() => { void this.refreshAll(); }, VOLUME_SYNC_MS);
    const started = w;
    void (phase === 'Running' ? w.adopt(podIP) : w.start(podIP)).catch((e) => this.d.log?.(`kubelet: starting ${started.pod.metadata.namespace}/${started.pod.metadata.name}: ${(e as Error).stack}`));
  }

  private refreshingAll = false;
  /**
   * The sync period's volume refresh of every pod, REFRESH_BATCH pods at a time: started all at once,
   * tens of thousands of refreshes were in flight together and their promises and frames outlived
   * young-generation collections (promoted, then garbage). A refresh still under way when the next
   * period comes is not started again.
   */
  private async refreshAll(): Promise<void> {
    if (this.refreshingAll) return;
    this.refreshingAll = true;
    try {
      const all = [...this.mine.values()];
      for (let i = 0; i < all.length; i += REFRESH_BATCH) await Promise.all(all.slice(i, i + REFRESH_BATCH).map((w) => w.refreshVolumes().catch(() => {})));
    } finally { this.refreshingAll = false; }
  }

  /** What the workers of a node's pods use: one object per node (while the node object stays the same). */
  private depsFor(node: KObject): WorkerDeps {
    const nodeName = String(node.metadata.name);
    const hit = this.perNode.get(nodeName);
    if (hit?.node === node) return hit.deps;
    const hostIP = (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
    const deps: WorkerDeps = {
      store: this.d.store, clock: this.d.clock, recorder: this.d.recorder, sources: this.sources, token: this.d.token, log: this.d.log, images: this.d.images,
      nodeName, hostIP, allocatable: node.status?.allocatable ?? {}, hostFs: (jb) => this.hostFs(nodeName, jb),
    };
    this.perNode.set(nodeName, { node, deps });
    return deps;
  }

  /** The pod is gone from the API. */
  forget(uid: string): void {
    const w = this.mine.get(uid);
    if (!w) return;
    w.dispose();
    this.mine.delete(uid);
    if (workers.get(uid) === w) workers.delete(uid);
  }

  private hostFs(node: string, jb: JustBash): InMemoryFs {
    let fs = this.hosts.get(node);
    if (!fs) { fs = new jb.InMemoryFs({ '/etc/hosts': NODE_ETC_HOSTS, '/etc/hostname': `${node}\n` }); this.hosts.set(node, fs); }
    return fs;
  }

  get size(): number { return this.mine.size; }

  stop(): void {
    this.sync?.cancel();
    for (const uid of [...this.mine.keys()]) this.forget(uid);
  }
}
