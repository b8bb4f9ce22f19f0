// agnhost grpc-health-checking: a gRPC Health server on --port (5000) that answers SERVING for the
// registered --service (and the server as a whole, service ""), NOT_FOUND for other names, and
// NOT_SERVING once --delay-unhealthy-sec have passed (negative: never) or after GET /make-not-serving
// on --http-port (8080); /make-serving turns it back. TLS (--tls-cert-file) is not emulated.
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { GRPC_NOT_FOUND, healthServer } from '../../netsim/grpc-health.ts';
import { serveGo } from '../go-http.ts';
import { cobraFlags, goLog, stopped, SIGTERM_EXIT } from '../program-kit.ts';

const SERVING = 1, NOT_SERVING = 2;

export async function grpcHealthChecking(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost grpc-health-checking', args, {
    port: { type: 'int', default: 5000 }, 'http-port': { type: 'int', default: 8080 }, 'delay-unhealthy-sec': { type: 'int', default: -1 },
    service: { type: 'string', default: '' }, 'tls-cert-file': { type: 'string', default: '' }, 'tls-private-key-file': { type: 'string', default: '' },
  });
  if (!f) return 1;
  const v = f.values as { port: number; 'http-port': number; 'delay-unhealthy-sec': number; service: string; 'tls-cert-file': string };
  if (v['tls-cert-file']) { goLog(io, 'grpc-health-checking: TLS is not emulated in Skiff\'s simulated containers'); return 1; }
  const started = io.now();
  let forced: boolean | undefined;
  const healthy = () => forced ?? (v['delay-unhealthy-sec'] < 0 || io.now() - started < v['delay-unhealthy-sec'] * 1000);
  const net = forPod(io.pod);
  const grpc = healthServer((svc) => {
    if (svc !== '' && svc !== v.service) return { code: GRPC_NOT_FOUND, message: `unknown service ${svc}` };
    return { status: healthy() ? SERVING : NOT_SERVING };
  });
  try {
    serveGo(net, v['http-port'], (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/make-not-serving') { forced = false; goLog(io, 'Mark as unhealthy'); res.end(); return; }
      if (path === '/make-serving') { forced = true; goLog(io, 'Mark as healthy'); res.end(); return; }
      res.statusCode = 404; res.end('404 page not found\n');
    }, { signal: io.signal });
    goLog(io, `Http server starting to listen on :${v['http-port']}`);
    net.listenStream(v.port, (socket) => { socket.on('error', () => {}); grpc.accept(socket); }, io.signal);
  } catch (e) { goLog(io, `failed to listen: ${(e as Error).message}`); grpc.close(); return 1; }
  goLog(io, `gRPC server starting to listen on :${v.port}`);
  await stopped(io);
  grpc.close();
  return SIGTERM_EXIT;
}
