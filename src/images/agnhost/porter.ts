// agnhost porter: for every SERVE_PORT_N / SERVE_TCP_PORT_N env var an HTTP server on port N
// answering the variable's value; SERVE_TLS_PORT_N the same over TLS (CERT_FILE/KEY_FILE, else the
// image's localhost certificate); SERVE_UDP_PORT_N answers datagrams. --json-response wraps the
// value with the request method.
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { serveGo } from '../go-http.ts';
import type { PodNet } from '../../netsim/index.ts';
import { cobraFlags, goLog, readText, stopped, SIGTERM_EXIT } from '../program-kit.ts';
import { localhostCert } from '../localhost-cert.ts';

export async function porter(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost porter', args, { 'json-response': { type: 'bool', default: false } });
  if (!f) return 1;
  const json = Boolean(f.values['json-response']);
  const net = forPod(io.pod);
  for (const [key, value] of Object.entries(io.env)) {
    const m = /^SERVE_(PORT|TCP_PORT|UDP_PORT|TLS_PORT|SCTP_PORT)_(.*)$/.exec(key);
    if (!m) continue;
    const port = Number(m[2]);
    if (!/^\d+$/.test(m[2]) || port < 1 || port > 65535) { goLog(io, `server on port ${JSON.stringify(m[2])} failed: listen tcp: address ${m[2]}: invalid port`); continue; }
    try {
      if (m[1] === 'UDP_PORT') { net.listenDatagram(port, () => value, io.signal); goLog(io, `Started UDP server on port ${port}`); }
      else if (m[1] === 'SCTP_PORT') { net.listenStream(port, (s) => { s.on('error', () => {}); s.end(value); }, io.signal, 'SCTP'); goLog(io, 'Started SCTP server'); }
      else await serve(io, net, port, value, json, m[1] === 'TLS_PORT');
    } catch (e) { goLog(io, `server on port ${JSON.stringify(m[2])} failed: ${(e as Error).message}`); }
  }
  await stopped(io);
  return SIGTERM_EXIT;
}

async function serve(io: ProgramIO, net: PodNet, port: number, value: string, json: boolean, tls: boolean): Promise<void> {
  let keys: { cert: string; key: string } | undefined;
  if (tls) {
    const certFile = io.env.CERT_FILE || 'localhost.crt', keyFile = io.env.KEY_FILE || 'localhost.key';
    const cert = io.env.CERT_FILE ? await readText(io, certFile) : localhostCert().cert;
    const key = io.env.KEY_FILE ? await readText(io, keyFile) : localhostCert().key;
    if (!cert || !key) { goLog(io, `tls server on port "${port}" with certFile=${JSON.stringify(certFile)}, keyFile=${JSON.stringify(keyFile)} failed: open ${cert ? keyFile : certFile}: no such file or directory`); return; }
    keys = { cert, key };
  }
  serveGo(net, port, (req, res) => {
    if (json) { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ Method: req.method, Body: value })); return; }
    res.end(value);
  }, { signal: io.signal, tls: keys });
}
