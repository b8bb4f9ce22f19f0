// Writing a kubeconfig for the admin user, and merging a context into an existing one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

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

export function kubeconfigYaml(k: KubeconfigInput): string { return stringify(kubeconfigObject(k)); }

export function writeKubeconfig(path: string, k: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(k), { mode: 0o600 });
}

/** Merge (add or replace) the Skiff cluster, user and context into the kubeconfig at `path`. */
export function mergeKubeconfig(path: string, k: KubeconfigInput, setCurrent: boolean): void {
  const add = kubeconfigObject(k);
  const cfg = existsSync(path) ? (parse(readFileSync(path, 'utf8')) ?? {}) : { apiVersion: 'v1', kind: 'Config' };
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
  writeFileSync(path, stringify(cfg), { mode: 0o600 });
}
