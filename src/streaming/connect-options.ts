// The options object of a CONNECT to pods/exec, pods/attach or pods/portforward, built from the
// request's query as upstream's apiserver decodes it (PodExecOptions, PodAttachOptions,
// PodPortForwardOptions; false booleans left out, as Go's omitempty): what admission sees.
import type { KObject } from '../registry/strategy.ts';

const CONNECT_PATH = /\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/*$/;

const flag = (q: URLSearchParams, k: string) => { const v = q.get(k); return v === 'true' || v === '1' || v === 'True' || v === 'TRUE'; };

export interface ConnectTarget { namespace: string; name: string; subresource: 'exec' | 'attach' | 'portforward'; options: KObject }

export function connectTarget(pathname: string, q: URLSearchParams): ConnectTarget | undefined {
  const m = CONNECT_PATH.exec(pathname);
  if (!m) return undefined;
  let namespace: string, name: string;
  try { namespace = decodeURIComponent(m[1]); name = decodeURIComponent(m[2]); } catch { return undefined; }
  const subresource = m[3] as ConnectTarget['subresource'];
  if (subresource === 'portforward') {
    const ports = q.getAll('ports').flatMap((p) => p.split(',')).map((p) => Number(p.trim())).filter((p) => Number.isInteger(p) && p > 0);
    return { namespace, name, subresource, options: { kind: 'PodPortForwardOptions', apiVersion: 'v1', ...(ports.length ? { ports } : {}) } as unknown as KObject };
  }
  const o: Record<string, unknown> = { kind: subresource === 'exec' ? 'PodExecOptions' : 'PodAttachOptions', apiVersion: 'v1' };
  for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (flag(q, k)) o[k] = true;
  if (q.get('container')) o.container = q.get('container');
  if (subresource === 'exec') o.command = q.getAll('command');
  return { namespace, name, subresource, options: o as unknown as KObject };
}
