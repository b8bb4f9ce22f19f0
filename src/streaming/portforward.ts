// pods/portforward. Three ways in, one SPDY conversation:
//  - `Upgrade: SPDY/3.1` with X-Stream-Protocol-Version portforward.k8s.io (kubectl <= 1.30);
//  - a WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io` whose binary messages carry the
//    SPDY bytes (kubectl >= 1.31);
// then, per forwarded connection, the client opens an `error` and a `data` stream sharing
// `port` and `requestID` headers. The data stream is wired to the pod's simulated port
// (pod-port.ts), or to the emulated program listening there (pod-listener.ts); failures are written
// as text on the error stream, as the kubelet does.
// Other WebSocket subprotocols get the older channel protocol (portforward-ws.ts).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { errors } from '../errors.ts';
import { checkPathName } from '../api/request-info.ts';
import { checkWebSocketHandshake, upgradeTarget } from './common.ts';
import type { Clock } from '../clock.ts';
import type { KObject } from '../registry/strategy.ts';
import { writeHttpError } from './exec.ts';
import type { SubresourceHandler } from '../api/extensions.ts';
import { acceptSpdyUpgrade, negotiateProtocol } from './spdy-exec.ts';
import { SpdySession } from './spdy/session.ts';
import type { SpdyStream } from './spdy/session.ts';
import { listenerFor, openPort, refusedMessage } from './pod-port.ts';
import { emulatedListener, openEmulated } from './pod-listener.ts';
import { checkWsProtocols, parsePorts, serveWsPortForward } from './portforward-ws.ts';

export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** How long a client has to open the second stream of a pair. */
const PAIR_TIMEOUT_MS = 30_000;

const PATH_RE = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/;

export function parsePortForwardPath(rawUrl: string): { namespace: string; name: string } | undefined {
  const m = PATH_RE.exec(upgradeTarget(rawUrl).pathname);
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

// `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token (it has a '/'), so ws would refuse the
// handshake while parsing Sec-WebSocket-Protocol: we check the offer ourselves, hide the header
// from ws and answer with the subprotocol in the 101 response.
const tunnelServer = new WebSocketServer({ noServer: true, perMessageDeflate: false });
tunnelServer.on('headers', (headers: string[]) => { headers.push(`Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`); });

/** Serve a pods/portforward upgrade; false when the path is not one. */
export async function handlePortForwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer,
  resolvePod: (ns: string, name: string) => Promise<KObject>, clock: Clock): Promise<boolean> {
  const target = parsePortForwardPath(req.url ?? '/');
  if (!target) return false;
  let pod: KObject;
  let upgrade: string;
  let wsPorts: number[] | undefined; // set for the legacy WebSocket protocol
  try {
    checkPathName(target.name);
    if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotSupported({ group: '', resource: 'pods/portforward' }, String(req.method));
    upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      checkWebSocketHandshake(req, false);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (!offered.includes(TUNNEL_PROTOCOL)) { checkWsProtocols(req); wsPorts = parsePorts(req.url ?? '/'); }
    } else if (upgrade !== 'spdy/3.1') {
      throw errors.badRequest(`unsupported upgrade protocol ${JSON.stringify(String(req.headers.upgrade ?? ''))}: use SPDY/3.1 or websocket`);
    }
    pod = await resolvePod(target.namespace, target.name);
    if (!(pod as any).spec?.nodeName) throw errors.badRequest(`pod ${target.name} does not have a host assigned`);
    const phase = String((pod as any).status?.phase ?? 'Pending');
    if (phase !== 'Running') throw errors.badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
    if (upgrade === 'spdy/3.1') negotiateProtocol(req, [PORTFORWARD_PROTOCOL]);
  } catch (e) {
    writeHttpError(socket, e);
    return true;
  }
  if (wsPorts) {
    serveWsPortForward(req, socket, head, pod, wsPorts);
  } else if (upgrade === 'spdy/3.1') {
    acceptSpdyUpgrade(socket, PORTFORWARD_PROTOCOL);
    servePortForward(new SpdySession(socket, head), pod, clock);
  } else {
    delete req.headers['sec-websocket-protocol'];
    tunnelServer.handleUpgrade(req, socket, head, (ws) => {
      const tunnel = createWebSocketStream(ws);
      tunnel.on('error', () => tunnel.destroy());
      servePortForward(new SpdySession(tunnel), pod, clock);
    });
  }
  return true;
}

interface Pair { error?: SpdyStream; data?: SpdyStream; timer: { cancel(): void } }

/** Why a stream's port header is unusable, or undefined when it names a port. */
function portProblem(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return '"port" header is required';
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) return `unable to parse ${JSON.stringify(raw)} as a port: strconv.ParseUint: parsing ${JSON.stringify(raw)}: ${/^\d+$/.test(raw) ? 'value out of range' : 'invalid syntax'}`;
  if (Number(raw) < 1) return `port ${JSON.stringify(raw)} must be > 0`;
  return undefined;
}

export function servePortForward(session: SpdySession, pod: KObject, clock: Clock): void {
  const pairs = new Map<string, Pair>();
  session.onClose(() => { for (const p of pairs.values()) p.timer.cancel(); pairs.clear(); });
  session.onStream((s) => {
    session.reply(s);
    const type = s.header('streamtype');
    const requestId = s.header('requestid') ?? '';
    if (type !== 'error' && type !== 'data') { s.reset(); return; }
    let pair = pairs.get(requestId);
    if (!pair) {
      const timer = clock.setTimeout(() => {
        const p = pairs.get(requestId);
        pairs.delete(requestId);
        p?.error?.reset(); p?.data?.reset();
      }, PAIR_TIMEOUT_MS);
      pair = { timer };
      pairs.set(requestId, pair);
    }
    if (pair[type]) { s.reset(); return; } // a second stream of the same kind for this request
    pair[type] = s;
    if (type === 'error') s.onData(() => {}); // clients never write here
    if (pair.error && pair.data) {
      pair.timer.cancel();
      pairs.delete(requestId);
      forward(pod, pair.error, pair.data);
    }
  });
}

function forward(pod: KObject, errStream: SpdyStream, data: SpdyStream): void {
  const fail = (msg: string) => { errStream.end(msg); data.end(); };
  const raw = data.header('port');
  const problem = portProblem(raw);
  if (problem) { fail(problem); return; }
  const port = Number(raw);
  const net = emulatedListener(pod, port);
  const container = listenerFor(pod, port);
  if (!net && !container) { fail(refusedMessage(pod, port)); return; }
  const write = (b: Buffer) => data.write(b), close = () => { data.end(); errStream.end(); };
  const conn = net ? openEmulated(net, pod, port, write, close) : openPort(pod, container!, port, write, close);
  data.onData((b) => conn.data(b));
  data.onEnd(() => conn.end());
}

/** Plain (non-upgrade) requests get upstream's 400 "Upgrade request required", as for exec. */
export const portForwardHandler: SubresourceHandler = async (s) => {
  if (s.info.verb !== 'get' && s.info.verb !== 'create') throw errors.methodNotSupported({ group: '', resource: 'pods/portforward' }, s.info.verb);
  throw errors.badRequest('Upgrade request required');
};
