// agnhost nettest: a small web server (--port, 8080) that counts who wrote to it. POST /write with
// {"Source": ...} adds one to Received[Source] and answers {"Hostname": ...}; /read shows the
// state as indented JSON; /status says pass, running or fail; /quit exits. Meanwhile it contacts
// the endpoints of --service in --namespace (found as kube-proxy sees them, in the simulated
// network's view of the cluster) 15 times, 5 s apart, recording whom it reached in Sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgramIO } from '../types.ts';
import { forPod, httpRequest, joinHostPort } from '../../netsim/index.ts';
import type { PodNet } from '../../netsim/index.ts';
import { serveGo } from '../go-http.ts';
import { cobraFlags, goLog, hostnameOf, SIGTERM_EXIT } from '../program-kit.ts';

interface State {
  Hostname: string; Sent: Record<string, number> | null; Received: Record<string, number> | null;
  Errors: string[] | null; Log: string[] | null; StillContactingPeers: boolean;
}

const PEER_ROUNDS = 15;
const PEER_INTERVAL_MS = 5000;

export async function nettest(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost nettest', args, {
    port: { type: 'int', default: 8080 }, peers: { type: 'int', default: 8 }, service: { type: 'string', default: 'nettest' },
    namespace: { type: 'string', default: 'default' }, 'delay-shutdown': { type: 'int', default: 0 },
  });
  if (!f) return 1;
  const v = f.values as Record<string, any>;
  if (!v.service) { goLog(io, 'Must provide -service flag.'); return 1; }
  const state: State = { Hostname: hostnameOf(io), Sent: null, Received: null, Errors: null, Log: null, StillContactingPeers: true };
  const net = forPod(io.pod);
  const stop = new AbortController();
  let quit!: (code: number) => void;
  const done = new Promise<number>((r) => { quit = r; });
  io.signal.addEventListener('abort', () => quit(SIGTERM_EXIT), { once: true });
  try {
    serveGo(net, v.port, (req, res) => route(state, v.peers, req, res, () => quit(0)), { signal: stop.signal });
  } catch (e) { goLog(io, (e as Error).message); return 1; }
  void contactPeers(io, net, state, String(v.namespace), String(v.service), stop.signal);
  const code = await done;
  stop.abort();
  if (code === SIGTERM_EXIT && v['delay-shutdown'] > 0) {
    goLog(io, `Sleeping ${v['delay-shutdown']} seconds before exit ...`);
    await io.sleep(v['delay-shutdown'] * 1000);
    return 0;
  }
  return code;
}

async function route(s: State, peers: number, req: IncomingMessage, res: ServerResponse, quit: () => void): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/quit') { quit(); res.end(); return; }
  if (path === '/read') { res.end(JSON.stringify(s, null, '\t')); return; }
  if (path === '/status') {
    const n = (m: Record<string, number> | null) => Object.keys(m ?? {}).length;
    res.end(n(s.Sent) >= peers && n(s.Received) >= peers ? 'pass' : s.StillContactingPeers ? 'running' : 'fail');
    return;
  }
  if (path === '/write') {
    let body = '';
    for await (const c of req) body += c;
    let source = '';
    try { source = String((JSON.parse(body) ?? {}).Source ?? ''); } catch (e) { (s.Errors ??= []).push((e as Error).message); }
    if (!source) (s.Errors ??= []).push(`${s.Hostname}: Got request with no source`);
    if (source) (s.Received ??= {})[source] = ((s.Received ??= {})[source] ?? 0) + 1;
    res.end(`${JSON.stringify({ Hostname: s.Hostname })}\n`);
    return;
  }
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('404 page not found\n');
}

function log(s: State, msg: string): void {
  (s.Log ??= []).push(msg);
  if (s.Log.length > 500) s.Log.shift();
}

/** The service's ready endpoints as http://ip:port (every address with every port), as upstream reads its Endpoints. */
function endpointsOf(net: PodNet, ns: string, service: string): string[] {
  const out = new Set<string>();
  for (const slice of net.network.index.by('endpointslices', 'service', `${ns}/${service}`) as any[]) {
    for (const ep of slice.endpoints ?? []) {
      if (ep?.conditions?.ready === false) continue;
      for (const a of ep.addresses ?? []) for (const p of slice.ports ?? []) if (Number(p?.port)) out.add(`http://${joinHostPort(String(a), Number(p.port))}`);
    }
  }
  return [...out].sort();
}

async function contactPeers(io: ProgramIO, net: PodNet, s: State, ns: string, service: string, signal: AbortSignal): Promise<void> {
  try {
    for (let i = 0; i < PEER_ROUNDS && !signal.aborted; i++) {
      for (const e of endpointsOf(net, ns, service)) {
        log(s, `Attempting to contact ${e}`);
        try {
          const r = await httpRequest(net, { url: `${e}/write`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Dest: e, Source: s.Hostname }), timeoutMs: 30_000, sleep: io.sleep, signal });
          const host = String(JSON.parse(r.body.toString()).Hostname ?? '');
          (s.Sent ??= {})[host] = (s.Sent[host] ?? 0) + 1;
        } catch (err) { log(s, `Warning: unable to contact the endpoint ${JSON.stringify(e)}: ${(err as Error).message}`); }
      }
      await io.sleep(PEER_INTERVAL_MS, signal);
    }
  } finally { s.StillContactingPeers = false; }
}
