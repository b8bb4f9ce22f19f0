// Objects for netsim tests: pods with IPs, Services and the EndpointSlices the controller would write.
import type { KObject } from '../../src/registry/strategy.ts';
import { Network } from '../../src/netsim/network.ts';

export function newNetwork(): { net: Network; advance(ms: number): void; sleep(ms: number, signal?: AbortSignal): Promise<void> } {
  let now = 1_000_000;
  const timers: { due: number; fn: () => void }[] = [];
  const clock = {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => { const t = { due: now + ms, fn }; timers.push(t); return { cancel: () => { const i = timers.indexOf(t); if (i >= 0) timers.splice(i, 1); } }; },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...timers].sort((a, b) => a.due - b.due)) if (t.due <= now) { timers.splice(timers.indexOf(t), 1); t.fn(); }
  };
  // Simulated sleep: resolves when the test advances the clock past it (or at once on abort).
  const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
    const t = clock.setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { t.cancel(); resolve(); }, { once: true });
  });
  return { net: new Network(clock), advance, sleep };
}

export function pod(ns: string, name: string, ip: string, extra: Record<string, any> = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { namespace: ns, name, uid: `uid-${ns}-${name}`, labels: extra.labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: 'node-1', ...(extra.spec ?? {}) },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  } as KObject;
}

export function service(ns: string, name: string, spec: Record<string, any>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name, uid: `svc-${name}` }, spec: { type: 'ClusterIP', ...spec } } as KObject;
}

export function slice(ns: string, svc: string, ports: { name?: string; port: number; protocol?: string }[], endpoints: { ip: string; ready?: boolean; hostname?: string; terminating?: boolean }[]): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${svc}-abcde`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip], hostname: e.hostname,
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: e.terminating ?? false },
    })),
  } as unknown as KObject;
}

export function node(name: string, ip: string): KObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `node-${name}` }, status: { addresses: [{ type: 'InternalIP', address: ip }] } } as KObject;
}
