// agnhost serve-hostname: answers with the pod's hostname over HTTP (default), raw TCP or UDP on
// --port (9376). On SIGTERM it logs and lingers 60 s, as upstream does, "awaiting pod deletion".
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { serveGo } from '../go-http.ts';
import { cobraFlags, goLog, hostnameOf, stopped } from '../program-kit.ts';

export async function serveHostname(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost serve-hostname', args, {
    tcp: { type: 'bool', default: false }, udp: { type: 'bool', default: false }, http: { type: 'bool', default: true },
    close: { type: 'bool', default: false }, port: { type: 'int', default: 9376 },
  });
  if (!f) return 1;
  const { tcp, udp, http, close, port } = f.values as { tcp: boolean; udp: boolean; http: boolean; close: boolean; port: number };
  if (http && (tcp || udp)) { goLog(io, "Can't server TCP/UDP mode and HTTP mode at the same time"); return 1; }
  const net = forPod(io.pod);
  const host = hostnameOf(io);
  try {
    if (tcp) net.listenStream(port, (s, from) => { goLog(io, `TCP request from ${from.ip}:${from.port}`); s.on('error', () => {}); s.end(host); }, io.signal);
    if (udp) net.listenDatagram(port, (_m, from) => { goLog(io, `UDP request from ${from.ip}:${from.port}`); return host; }, io.signal);
    if (http) {
      serveGo(net, port, (req, res) => {
        goLog(io, `HTTP request from ${req.socket.remoteAddress}:${req.socket.remotePort}`);
        if (close) res.setHeader('Connection', 'close');
        res.end(host);
      }, { signal: io.signal });
    }
  } catch (e) { goLog(io, `Error from net.Listen(): ${(e as Error).message}`); return 1; }
  goLog(io, `Serving on port ${port}.`);
  await stopped(io);
  goLog(io, 'Shutting down after receiving signal: terminated.');
  goLog(io, 'Awaiting pod deletion.');
  await io.sleep(60_000);
  return 0;
}
