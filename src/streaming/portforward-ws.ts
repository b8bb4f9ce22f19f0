// The older WebSocket port-forward protocol (kubelet wsstream; @kubernetes/client-node and the
// Python client speak it): `?ports=80&ports=81` (or `port=`), subprotocol v4.channel.k8s.io,
// v4.base64.channel.k8s.io or none. Port i gets data channel 2i and error channel 2i+1; the first
// message on each is the port number as two little-endian bytes. One WebSocket carries one
// connection per port.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { errors } from '../errors.ts';
import { upgradeTarget } from './common.ts';
import type { KObject } from '../registry/strategy.ts';
import { listenerFor, openPort, refusedMessage } from './pod-port.ts';
import type { PortConnection } from './pod-port.ts';
import { emulatedListener, openEmulated } from './pod-listener.ts';

export const WS_PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

const server = new WebSocketServer({
  noServer: true, perMessageDeflate: false,
  handleProtocols: (offered: Set<string>) => WS_PORTFORWARD_PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

/** Ports from the query, with the kubelet's messages for missing or bad ones (StatusError 400). */
export function parsePorts(rawUrl: string): number[] {
  const q = upgradeTarget(rawUrl).searchParams;
  const raw = [...q.getAll('ports'), ...q.getAll('port')].flatMap((v) => v.split(','));
  if (!raw.length) throw errors.badRequest('query parameter "port" is required');
  return raw.map((v) => {
    if (!/^\d+$/.test(v) || Number(v) > 65535) throw errors.badRequest(`unable to parse "${v}" as a port: strconv.ParseUint: parsing ${JSON.stringify(v)}: ${/^\d+$/.test(v) ? 'value out of range' : 'invalid syntax'}`);
    if (Number(v) < 1) throw errors.badRequest(`port "${v}" must be > 0`);
    return Number(v);
  });
}

/** Offered subprotocols that we cannot speak → 400 (the caller has already parsed the ports). */
export function checkWsProtocols(req: IncomingMessage): void {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (offered.length && !offered.some((p) => WS_PORTFORWARD_PROTOCOLS.includes(p))) {
    throw errors.badRequest(`unsupported port-forward WebSocket subprotocol(s) [${offered.join(' ')}]: Skiff serves SPDY/3.1+portforward.k8s.io, ${WS_PORTFORWARD_PROTOCOLS.join(', ')} and SPDY/3.1`);
  }
}

export function serveWsPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KObject, ports: number[]): void {
  server.handleUpgrade(req, socket, head, (ws) => serve(ws, pod, ports));
}

function serve(ws: WebSocket, pod: KObject, ports: number[]): void {
  const base64 = ws.protocol.includes('base64');
  const send = (ch: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(48 + ch) + data.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([ch]), data]));
  };
  const conns: (PortConnection | undefined)[] = [];
  let open = ports.length;
  const done = () => { if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000); };
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    const net = emulatedListener(pod, port);
    const container = listenerFor(pod, port);
    if (!net && !container) { send(2 * i + 1, Buffer.from(refusedMessage(pod, port))); done(); return; }
    let closed = false;
    const write = (b: Buffer) => send(2 * i, b), close = () => { if (!closed) { closed = true; done(); } };
    conns[i] = net ? openEmulated(net, pod, port, write, close) : openPort(pod, container!, port, write, close);
  });
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    let buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!isBinary || base64) {
      const s = buf.toString();
      if (!s) return;
      buf = Buffer.concat([Buffer.from([s.charCodeAt(0) - 48]), Buffer.from(s.slice(1), 'base64')]);
    }
    if (!buf.length || buf[0] % 2 !== 0) return; // clients write only on data channels
    conns[buf[0] / 2]?.data(buf.subarray(1));
  });
  ws.on('close', () => { for (const c of conns) c?.end(); });
  ws.on('error', () => {});
}
