// A cluster in process on a fake clock: in-memory SQLite store, bootstrap objects, controllers,
// scheduler, simulated nodes and kubelet. `until` advances simulated time in steps until a
// condition holds (no real sleeps).
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { startControllers } from '../../src/controllers/index.ts';
import type { Stage } from '../../src/kubelet/stages.ts';
import type { Controllers } from '../../src/controllers/index.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { ResourceInfo } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

export const R = {
  pods: findResource('', 'v1', 'pods')!,
  nodes: findResource('', 'v1', 'nodes')!,
  events: findResource('', 'v1', 'events')!,
  leases: findResource('coordination.k8s.io', 'v1', 'leases')!,
  namespaces: findResource('', 'v1', 'namespaces')!,
  configmaps: findResource('', 'v1', 'configmaps')!,
  rs: findResource('apps', 'v1', 'replicasets')!,
  rc: findResource('', 'v1', 'replicationcontrollers')!,
  deployments: findResource('apps', 'v1', 'deployments')!,
  serviceaccounts: findResource('', 'v1', 'serviceaccounts')!,
  services: findResource('', 'v1', 'services')!,
};

export interface Cluster {
  clock: FakeClock; store: Store; ctl: Controllers;
  list(r: ResourceInfo, ns?: string): Promise<KObject[]>;
  /** Advance simulated time by `stepMs` until `cond` is true; throws after `maxSteps`. */
  until(cond: () => boolean | Promise<boolean>, opts?: { stepMs?: number; maxSteps?: number; what?: string }): Promise<void>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(opts: { nodes?: number; stages?: Stage[] } = {}): Promise<Cluster> {
  const clock = new FakeClock();
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const ctl = await startControllers({ store, clock, nodes: opts.nodes ?? 1, stages: opts.stages, log: process.env.SKIFF_TEST_LOG ? (m) => console.error(m) : undefined });
  const settle = async () => { await ctl.settle(); };
  await settle();
  return {
    clock, store, ctl, settle,
    async list(r, ns) { return (await store.list(r, ns)).items.map((e) => e.obj); },
    async until(cond, o = {}) {
      const step = o.stepMs ?? 100, max = o.maxSteps ?? 2000;
      for (let i = 0; i < max; i++) {
        await settle();
        if (await cond()) return;
        clock.advance(step);
      }
      throw new Error(`condition not reached: ${o.what ?? 'until'}`);
    },
    async close() { await ctl.stop(); await backend.close(); },
  };
}

export function deployment(name: string, replicas: number, extra: Record<string, any> = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
      ...extra,
    },
  };
}
