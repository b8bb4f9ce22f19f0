// The environment variables the kubelet derives from Services (pkg/kubelet/envvars): for each
// Service with a cluster IP, `<NAME>_SERVICE_HOST`/`_SERVICE_PORT[_<PORTNAME>]` and the Docker-link
// style `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`. Services of the pod's
// namespace count only with enableServiceLinks; the `kubernetes` Service of `default` always does.
import type { KObject } from '../../registry/strategy.ts';

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

/**
 * The variables of each Service revision, worked out once: the store's objects are immutable per
 * revision, and every container of every pod gets the `kubernetes` Service's (their values are then
 * one shared string each instead of a string tree per container).
 */
const perService = new WeakMap<KObject, [string, string][]>();

export function serviceEnv(services: KObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    let vars = perService.get(svc);
    if (!vars) perService.set(svc, vars = ofService(svc));
    for (const [k, v] of vars) env[k] = v;
  }
  return env;
}

function ofService(svc: KObject): [string, string][] {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return [];
  const ports: { name?: string; port: number; protocol?: string }[] = svc.spec?.ports ?? [];
  const n = envName(String(svc.metadata.name));
  const env: [string, string][] = [[`${n}_SERVICE_HOST`, ip]];
  if (!ports.length) return env;
  env.push([`${n}_SERVICE_PORT`, String(ports[0].port)]);
  for (const p of ports) if (p.name) env.push([`${n}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  // Joined, not a template literal: one flat string rather than a tree of its pieces.
  const url = (p: { port: number; protocol?: string }) => [(p.protocol ?? 'TCP').toLowerCase(), '://', ip, ':', p.port].join('');
  env.push([`${n}_PORT`, url(ports[0])]);
  for (const p of ports) {
    const proto = (p.protocol ?? 'TCP').toUpperCase();
    const pre = `${n}_PORT_${p.port}_${proto}`;
    env.push([pre, url(p)], [`${pre}_PROTO`, proto.toLowerCase()], [`${pre}_PORT`, String(p.port)], [`${pre}_ADDR`, ip]);
  }
  return env;
}
