// Writing a kubeconfig for the admin user, and merging a context into an existing one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { yaml } from './util/yaml.ts';

export interface KubeconfigInput { server: string; caPem?: string; token: string; name?: string }

export function kubeconfigObject(k: KubeconfigInput) {
  const name = k.name ?? 'skiff';
  const cluster: Record<string, unknown> = { server: k.server };
  if (k.caPem) cluster['certificate-authority-data'] = Buffer.from(k.caPem).toString('base64');
  return {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name, cluster }],
    users: [{ name: `${name}-admin`, user: { token: k.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
  };
}

/**
 * The kubeconfig as YAML, written directly (start-up need not load a YAML library): every value is a
 * JSON string, which YAML reads as a double-quoted scalar.
 */
export function kubeconfigYaml(k: KubeconfigInput): string {
  const o = kubeconfigObject(k);
  const q = (v: unknown) => JSON.stringify(v);
  const lines = [`apiVersion: ${q(o.apiVersion)}`, `kind: ${q(o.kind)}`, 'preferences: {}', 'clusters:'];
  for (const c of o.clusters) {
    lines.push(`  - name: ${q(c.name)}`, '    cluster:');
    for (const [key, v] of Object.entries(c.cluster)) lines.push(`      ${key}: ${q(v)}`);
  }
  lines.push('users:');
  for (const u of o.users) lines.push(`  - name: ${q(u.name)}`, '    user:', `      token: ${q(u.user.token)}`);
  lines.push('contexts:');
  for (const c of o.contexts) {
    lines.push(`  - name: ${q(c.name)}`, '    context:', `      cluster: ${q(c.context.cluster)}`, `      user: ${q(c.context.user)}`, `      namespace: ${q(c.context.namespace)}`);
  }
  lines.push(`current-context: ${q(o['current-context'])}`);
  return lines.join('\n') + '\n';
}

export function writeKubeconfig(path: string, k: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(k), { mode: 0o600 });
}

/** Merge (add or replace) the Skiff cluster, user and context into the kubeconfig at `path`. */
export function mergeKubeconfig(path: string, k: KubeconfigInput, setCurrent: boolean): void {
  const add = kubeconfigObject(k);
  const cfg = existsSync(path) ? (yaml().parse(readFileSync(path, 'utf8')) ?? {}) : { apiVersion: 'v1', kind: 'Config' };
  for (const key of ['clusters', 'users', 'contexts'] as const) {
    const list: { name: string }[] = Array.isArray(cfg[key]) ? cfg[key] : [];
    for (const item of add[key]) {
      const i = list.findIndex((x) => x.name === item.name);
      if (i >= 0) list[i] = item; else list.push(item);
    }
    cfg[key] = list;
  }
  if (setCurrent || !cfg['current-context']) cfg['current-context'] = add['current-context'];
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, yaml().stringify(cfg), { mode: 0o600 });
}
