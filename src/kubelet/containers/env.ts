// A container's environment, as the kubelet builds it (makeEnvironmentVariables): Service variables,
// then envFrom (ConfigMaps/Secrets, with prefix), then env (values `$(VAR)`-expanded with what is
// defined so far; valueFrom configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef). A missing
// non-optional ConfigMap/Secret or key is a ConfigError (CreateContainerConfigError).
import type { KObject } from '../../registry/strategy.ts';
import { expand, lookupIn } from './expand.ts';
import { resourceFieldValue } from './resource-env.ts';
import { serviceEnv } from './service-env.ts';
import { ConfigError, configMapValue, secretValue } from './sources.ts';
import type { Sources } from './sources.ts';

export interface PodAddresses { podIP?: string; hostIP?: string }

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A downward-API field of the pod (fieldRef.fieldPath), as podFieldSelectorRuntimeValue. */
export function podFieldValue(pod: KObject, path: string, addr: PodAddresses): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return String(pod.metadata[m[1] as 'labels']?.[m[2]] ?? '');
  switch (path) {
    case 'metadata.name': return String(pod.metadata.name ?? '');
    case 'metadata.namespace': return String(pod.metadata.namespace ?? '');
    case 'metadata.uid': return String(pod.metadata.uid ?? '');
    case 'metadata.labels': return formatMap(pod.metadata.labels);
    case 'metadata.annotations': return formatMap(pod.metadata.annotations);
    case 'spec.nodeName': return String(pod.spec?.nodeName ?? '');
    case 'spec.serviceAccountName': return String(pod.spec?.serviceAccountName ?? '');
    case 'status.hostIP': return addr.hostIP ?? '';
    case 'status.hostIPs': return addr.hostIP ?? '';
    case 'status.podIP': return addr.podIP ?? '';
    case 'status.podIPs': return addr.podIP ?? '';
  }
  throw new ConfigError(`unsupported fieldPath: ${path}`);
}

/** key="value" lines, sorted by key (the downward API's map format). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

export interface EnvInput { pod: KObject; container: Record<string, any>; sources: Sources; addr: PodAddresses; allocatable: Record<string, string> }

export async function containerEnv(inp: EnvInput): Promise<Record<string, string>> {
  const { pod, container: c, sources } = inp;
  const ns = String(pod.metadata.namespace ?? 'default');
  const links = pod.spec?.enableServiceLinks !== false;
  const svcs = [...(links ? await sources.services(ns) : []), ...(ns !== 'default' || !links ? (await sources.services('default')).filter((s) => s.metadata.name === 'kubernetes') : [])];
  const svcEnv = serviceEnv(svcs);
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) await addEnvFrom(env, from, ns, sources);
  for (const e of c.env ?? []) {
    if (!e?.name) continue;
    const v = await envValue(e, inp, ns, env, svcEnv);
    if (v !== undefined) env[e.name] = v;
  }
  return { ...svcEnv, ...env };
}

async function addEnvFrom(env: Record<string, string>, from: Record<string, any>, ns: string, sources: Sources): Promise<void> {
  const prefix = String(from.prefix ?? '');
  if (from.configMapRef) {
    const cm = await sources.configMap(ns, from.configMapRef.name);
    if (!cm) { if (from.configMapRef.optional) return; throw new ConfigError(`configmap "${from.configMapRef.name}" not found`); }
    for (const k of Object.keys(cm.data ?? {})) if (ENV_NAME.test(prefix + k)) env[prefix + k] = String(cm.data[k]);
  } else if (from.secretRef) {
    const s = await sources.secret(ns, from.secretRef.name);
    if (!s) { if (from.secretRef.optional) return; throw new ConfigError(`secret "${from.secretRef.name}" not found`); }
    for (const k of Object.keys(s.data ?? {})) if (ENV_NAME.test(prefix + k)) env[prefix + k] = secretValue(s, k)!;
  }
}

async function envValue(e: Record<string, any>, inp: EnvInput, ns: string, env: Record<string, string>, svcEnv: Record<string, string>): Promise<string | undefined> {
  const vf = e.valueFrom;
  if (!vf) return expand(String(e.value ?? ''), lookupIn(env, svcEnv));
  if (vf.fieldRef) return podFieldValue(inp.pod, String(vf.fieldRef.fieldPath ?? ''), inp.addr);
  if (vf.resourceFieldRef) {
    const name = vf.resourceFieldRef.containerName || inp.container.name;
    const c = [...(inp.pod.spec?.containers ?? []), ...(inp.pod.spec?.initContainers ?? [])].find((x: any) => x.name === name) ?? inp.container;
    return resourceFieldValue(vf.resourceFieldRef, c, inp.allocatable);
  }
  if (vf.configMapKeyRef) {
    const { name, key, optional } = vf.configMapKeyRef;
    const cm = await inp.sources.configMap(ns, name);
    if (!cm) { if (optional) return undefined; throw new ConfigError(`configmap "${name}" not found`); }
    const v = configMapValue(cm, key);
    if (v === undefined && !optional) throw new ConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    return v;
  }
  if (vf.secretKeyRef) {
    const { name, key, optional } = vf.secretKeyRef;
    const s = await inp.sources.secret(ns, name);
    if (!s) { if (optional) return undefined; throw new ConfigError(`secret "${name}" not found`); }
    const v = secretValue(s, key);
    if (v === undefined && !optional) throw new ConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    return v;
  }
  return '';
}
