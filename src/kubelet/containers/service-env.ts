// The environment variables the kubelet derives from Services (pkg/kubelet/envvars): for each
// Service with a cluster IP, `<NAME>_SERVICE_HOST`/`_SERVICE_PORT[_<PORTNAME>]` and the Docker-link
// style `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`. Services of the pod's
// namespace count only with enableServiceLinks; the `kubernetes` Service of `default` always does.
import type { KObject } from '../../registry/strategy.ts';

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

export function serviceEnv(services: KObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const ports: { name?: string; port: number; protocol?: string }[] = svc.spec?.ports ?? [];
    const n = envName(String(svc.metadata.name));
    env[`${n}_SERVICE_HOST`] = ip;
    if (!ports.length) continue;
    env[`${n}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${n}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    const url = (p: { port: number; protocol?: string }) => `${(p.protocol ?? 'TCP').toLowerCase()}://${ip}:${p.port}`;
    env[`${n}_PORT`] = url(ports[0]);
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP').toUpperCase();
      const pre = `${n}_PORT_${p.port}_${proto}`;
      env[pre] = url(p);
      env[`${pre}_PROTO`] = proto.toLowerCase();
      env[`${pre}_PORT`] = String(p.port);
      env[`${pre}_ADDR`] = ip;
    }
  }
  return env;
}
