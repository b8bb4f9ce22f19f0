// The kubelet's httpGet and tcpSocket probes over the simulated network (upstream pkg/probe/http and
// tcp): dialled from the pod's node to the pod's address (or action.host), named ports resolved from
// the container's ports, HTTP 200-399 succeeds, the outputs are upstream's texts. The container
// runtime calls these; nothing here opens a real socket.
import type { KObject } from '../registry/strategy.ts';
import { findNetworkForPod, networkForPod } from './registry.ts';
import { httpRequest } from './http.ts';
import { joinHostPort } from './ip.ts';
import type { DialOptions } from './types.ts';

export interface ProbeResult { result: 'success' | 'failure' | 'warning'; output: string }

const KUBE_VERSION = '1.32';

/** A probe's port: a number, or the name of a port of the container (or of any container of the pod). */
export function probePort(pod: KObject, container: string, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const cs: any[] = [...((pod as any).spec?.containers ?? []), ...((pod as any).spec?.initContainers ?? [])];
  const order = [...cs.filter((c) => c?.name === container), ...cs.filter((c) => c?.name !== container)];
  for (const c of order) for (const p of c?.ports ?? []) if (p?.name === port) return Number(p.containerPort);
  return undefined;
}

function sourceIp(pod: KObject): string {
  const net = findNetworkForPod(pod);
  const node = net?.index.get('nodes', undefined, String((pod as any).spec?.nodeName ?? '')) as any;
  return String(node?.status?.addresses?.find((a: any) => a?.type === 'InternalIP')?.address ?? (pod as any).status?.hostIP ?? '127.0.0.1');
}

export async function httpGetProbe(pod: KObject, container: string, action: any, timeoutMs: number, opts: DialOptions = {}): Promise<ProbeResult> {
  const port = probePort(pod, container, action?.port);
  const net = networkForPod(pod);
  const host = String(action?.host || net.addressesOf(pod)[0] || '');
  const scheme = String(action?.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
  const path = String(action?.path ?? '/');
  const url = `${scheme}://${joinHostPort(host, port ?? String(action?.port))}${path.startsWith('/') ? path : `/${path}`}`;
  if (port === undefined) return { result: 'failure', output: `Get ${JSON.stringify(url)}: dial tcp: address ${String(action?.port)}: invalid port` };
  const headers: Record<string, string> = { 'User-Agent': `kube-probe/${KUBE_VERSION}`, Accept: '*/*' };
  for (const h of action?.httpHeaders ?? []) if (h?.name) headers[String(h.name)] = String(h.value ?? '');
  const from = { connect: (h: string, p: number, o?: DialOptions) => net.dial({ ip: sourceIp(pod) }, h, p, 'TCP', o) };
  try {
    const r = await httpRequest(from, { url, headers, timeoutMs, insecure: true, maxBody: 10 * 1024, sleep: net.sleep, ...opts });
    const body = r.body.toString();
    if (r.status >= 200 && r.status < 400) {
      if (r.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` };
      return { result: 'success', output: body };
    }
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${r.status}` };
  } catch (e) {
    const msg = (e as Error).message;
    return { result: 'failure', output: /deadline/.test(msg) ? `Get ${JSON.stringify(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` : `Get ${JSON.stringify(url)}: ${msg}` };
  }
}

export async function tcpSocketProbe(pod: KObject, container: string, action: any, timeoutMs: number, opts: DialOptions = {}): Promise<ProbeResult> {
  const port = probePort(pod, container, action?.port);
  const net = networkForPod(pod);
  const host = String(action?.host || net.addressesOf(pod)[0] || '');
  if (port === undefined) return { result: 'failure', output: `dial tcp: address ${String(action?.port)}: invalid port` };
  try {
    const c = await net.dial({ ip: sourceIp(pod) }, host, port, 'TCP', { timeoutMs, sleep: net.sleep, ...opts });
    c.socket.destroy();
    return { result: 'success', output: '' };
  } catch (e) {
    return { result: 'failure', output: (e as Error).message };
  }
}
