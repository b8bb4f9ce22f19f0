// The simulated network as the container runtime's probe transport (src/kubelet/containers/probes.ts
// `setProbeTransport`): httpGet and tcpSocket handlers dialled from the pod's node over the simulated
// network. Errors are the text after `Get "URL": ` (or the tcp dial error), as the runtime prints them.
import type { KObject } from '../registry/strategy.ts';
import { networkForPod } from './registry.ts';
import { httpRequest } from './http.ts';
import { joinHostPort } from './ip.ts';
import { STATUS_NAMES, healthCheck } from './grpc-health.ts';

function nodeIp(pod: KObject): string {
  const net = networkForPod(pod);
  const node = net.index.get('nodes', undefined, String((pod as any).spec?.nodeName ?? '')) as any;
  return String(node?.status?.addresses?.find((a: any) => a?.type === 'InternalIP')?.address ?? (pod as any).status?.hostIP ?? '127.0.0.1');
}

export const probeTransport = {
  async http(t: { pod: KObject; host: string; port: number; path: string; scheme: string; headers: Record<string, string>; timeoutMs: number }): Promise<{ status: number; body: string } | { error: string }> {
    const net = networkForPod(t.pod);
    const from = { connect: (h: string, p: number, o?: object) => net.dial({ ip: nodeIp(t.pod) }, h, p, 'TCP', o) };
    const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
    try {
      const r = await httpRequest(from, {
        url: `${t.scheme === 'https' ? 'https' : 'http'}://${joinHostPort(t.host, t.port)}${path}`,
        headers: { 'User-Agent': 'kube-probe/1.32', Accept: '*/*', ...t.headers }, timeoutMs: t.timeoutMs, sleep: net.sleep, insecure: true, maxBody: 10 * 1024,
      });
      return { status: r.status, body: r.body.toString() };
    } catch (e) {
      const msg = (e as Error).message;
      return { error: /deadline/.test(msg) ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : msg };
    }
  },
  async tcp(t: { pod: KObject; host: string; port: number; timeoutMs: number }): Promise<{ error?: string }> {
    const net = networkForPod(t.pod);
    try {
      const c = await net.dial({ ip: nodeIp(t.pod) }, t.host, t.port, 'TCP', { timeoutMs: t.timeoutMs, sleep: net.sleep });
      c.socket.destroy();
      return {};
    } catch (e) { return { error: (e as Error).message }; }
  },
  /** The kubelet's gRPC prober (pkg/probe/grpc): Health/Check on host:port; its messages. */
  async grpc(t: { pod: KObject; host: string; port: number; service: string; timeoutMs: number }): Promise<{ ok: boolean; message: string }> {
    const net = networkForPod(t.pod);
    const addr = joinHostPort(t.host, t.port);
    const within = `${t.timeoutMs / 1000}s`;
    let socket;
    try {
      socket = (await net.dial({ ip: nodeIp(t.pod) }, t.host, t.port, 'TCP', { timeoutMs: t.timeoutMs, sleep: net.sleep })).socket;
    } catch {
      // grpc-go's blocking dial keeps retrying a refused connection until the probe's timeout.
      await net.sleep(t.timeoutMs);
      return { ok: false, message: `timeout: failed to connect service ${JSON.stringify(addr)} within ${within}: context deadline exceeded` };
    }
    try {
      const status = await healthCheck(socket, addr, t.service, t.timeoutMs, net.sleep);
      if (status !== 1) return { ok: false, message: `service unhealthy (responded with ${JSON.stringify(STATUS_NAMES[status] ?? String(status))})` };
      return { ok: true, message: 'service healthy' };
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code === 'Unimplemented') return { ok: false, message: `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.message.replace(/^.*desc = /, '')}` };
      if (err.code === 'DeadlineExceeded') return { ok: false, message: `timeout: health rpc did not complete within ${within}` };
      return { ok: false, message: `error: health rpc probe failed: ${err.message}` };
    } finally { socket.destroy(); }
  },
};
