// Running a probe or lifecycle hook handler against a container (the kubelet's prober): exec runs
// the command in the container's shell (exit 0 = success; the output is the failure message),
// httpGet, tcpSocket and grpc go through the simulated network's transport, which the network layer
// (src/netsim) installs; without one, nothing listens and the connection is refused.
import type { KObject } from '../../registry/strategy.ts';

export interface ProbeResult { ok: boolean; message: string }
export interface ProbeTarget { pod: KObject; container: Record<string, any>; podIP: string; exec(argv: string[], timeoutMs: number): Promise<{ code: number; output: string }> }

export interface ProbeTransport {
  http(t: { pod: KObject; host: string; port: number; path: string; scheme: string; headers: Record<string, string>; timeoutMs: number }): Promise<{ status: number; body: string } | { error: string }>;
  tcp(t: { pod: KObject; host: string; port: number; timeoutMs: number }): Promise<{ error?: string }>;
  grpc(t: { pod: KObject; host: string; port: number; service: string; timeoutMs: number }): Promise<{ ok: boolean; message: string }>;
}

let transport: ProbeTransport | undefined;
/** Installed by the simulated network. */
export function setProbeTransport(t: ProbeTransport | undefined): void { transport = t; }

/** A named port of the container, or the number. */
function portOf(c: Record<string, any>, p: unknown): number {
  if (typeof p === 'number') return p;
  const named = (c.ports ?? []).find((x: any) => x.name === p);
  return named ? Number(named.containerPort) : Number(p);
}

export async function runHandler(h: Record<string, any>, t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (h.exec) {
    const argv: string[] = (h.exec.command ?? []).map(String);
    const r = await t.exec(argv, timeoutMs);
    if (r.code === 0) return { ok: true, message: r.output };
    return { ok: false, message: r.output || `command ${JSON.stringify(argv.join(' '))} exited with ${r.code}` };
  }
  if (h.httpGet) {
    const g = h.httpGet;
    const host = g.host || t.podIP;
    const port = portOf(t.container, g.port);
    const scheme = String(g.scheme ?? 'HTTP').toLowerCase();
    const path = String(g.path ?? '/');
    const headers = Object.fromEntries((g.httpHeaders ?? []).map((x: any) => [String(x.name), String(x.value)]));
    const r = transport ? await transport.http({ pod: t.pod, host, port, path, scheme, headers, timeoutMs }) : { error: `dial tcp ${host}:${port}: connect: connection refused` };
    if ('error' in r) return { ok: false, message: `Get "${scheme}://${host}:${port}${path}": ${r.error}` };
    if (r.status >= 200 && r.status < 400) return { ok: true, message: '' };
    return { ok: false, message: `HTTP probe failed with statuscode: ${r.status}` };
  }
  if (h.tcpSocket) {
    const host = h.tcpSocket.host || t.podIP;
    const port = portOf(t.container, h.tcpSocket.port);
    const r = transport ? await transport.tcp({ pod: t.pod, host, port, timeoutMs }) : { error: `dial tcp ${host}:${port}: connect: connection refused` };
    return r.error ? { ok: false, message: r.error } : { ok: true, message: '' };
  }
  if (h.sleep) return { ok: true, message: '' };
  if (h.grpc) {
    const port = Number(h.grpc.port);
    if (!transport) return { ok: false, message: `timeout: failed to connect service "${t.podIP}:${port}" within ${timeoutMs / 1000}s: context deadline exceeded` };
    return transport.grpc({ pod: t.pod, host: t.podIP, port, service: String(h.grpc.service ?? ''), timeoutMs });
  }
  return { ok: false, message: 'missing probe handler' };
}
