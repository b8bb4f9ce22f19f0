// Starts the in-process controllers. Each is a reconcile function registered on shared informers.
import type { Clock } from '../clock.ts';
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import { Informer } from './runtime.ts';
import type { Controller } from './runtime.ts';
import { namespaceController } from './namespace.ts';
import { serviceAccountController } from './serviceaccounts.ts';

export interface Controllers { stop(): Promise<void>; informers: Map<string, Informer>; controllers: Controller[] }

export interface ControllerDeps { store: Store; clock: Clock; nodes: number; caPem?: string; log?: (m: string) => void }

export async function startControllers(deps: ControllerDeps): Promise<Controllers> {
  const { store, clock, log } = deps;
  const informers = new Map<string, Informer>();
  const informer = (group: string, version: string, resource: string) => {
    const k = `${group}/${resource}`;
    let i = informers.get(k);
    if (!i) informers.set(k, i = new Informer(store, findResource(group, version, resource)!));
    return i;
  };
  const namespaces = informer('', 'v1', 'namespaces');
  const controllers: Controller[] = [
    namespaceController(store, clock, namespaces, log),
    serviceAccountController(store, clock, namespaces, deps.caPem ?? '', log),
  ];
  for (const i of informers.values()) await i.start();
  return {
    informers, controllers,
    async stop() {
      for (const c of controllers) c.stop();
      for (const i of informers.values()) i.stop();
    },
  };
}
