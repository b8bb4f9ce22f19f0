// Which simulated network a pod lives on. Usually one per process; tests may start several servers,
// so a pod is matched to the network whose index knows its uid (else the newest network).
import type { KObject } from '../registry/strategy.ts';
import { Network } from './network.ts';
import type { NetClock } from './network.ts';
import { PodNet } from './pod-net.ts';
import type { StreamHandler } from './types.ts';

const networks: Network[] = [];
const byOwner = new WeakMap<object, Network>();
const apiServers = new WeakMap<object, StreamHandler>();

/** Make (and register) a network; `owner` (the Store) finds it again with networkOf. */
export function createNetwork(clock: NetClock, owner?: object): Network {
  const n = new Network(clock);
  networks.push(n);
  if (owner) { byOwner.set(owner, n); n.apiServer = apiServers.get(owner); }
  return n;
}

/** How the API server of `owner` (the Store) takes connections made to the `kubernetes` Service, now or once its network exists. */
export function serveApiServer(owner: object, handler: StreamHandler | undefined): void {
  if (handler) apiServers.set(owner, handler); else apiServers.delete(owner);
  const n = byOwner.get(owner);
  if (n) n.apiServer = handler;
}

/** Forget a network (server stopped). */
export function removeNetwork(n: Network): void {
  const i = networks.indexOf(n);
  if (i >= 0) networks.splice(i, 1);
}

export function networkOf(owner: object): Network | undefined { return byOwner.get(owner); }

const realClock: NetClock = { now: () => Date.now(), setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); return { cancel: () => clearTimeout(t) }; } };

/** The network that knows the pod (by uid), without making one. */
export function findNetworkForPod(pod: KObject): Network | undefined {
  const uid = String(pod.metadata?.uid ?? '');
  for (let i = networks.length - 1; i >= 0; i--) if (networks[i].podByUid(uid)) return networks[i];
  return undefined;
}

/** The network a pod is on. */
export function networkForPod(pod: KObject): Network {
  const uid = String(pod.metadata?.uid ?? '');
  for (let i = networks.length - 1; i >= 0; i--) if (networks[i].podByUid(uid)) return networks[i];
  return networks[networks.length - 1] ?? createNetwork(realClock);
}

/** A pod's handle on its network: listen, dial, resolve. */
export function forPod(pod: KObject): PodNet { return new PodNet(networkForPod(pod), pod); }
