// pods/exec and pods/attach over SPDY/3.1 (kubectl <= 1.29, and newer kubectl when WebSockets are
// refused or disabled). The HTTP request is upgraded, the remotecommand protocol version is agreed
// through X-Stream-Protocol-Version, then the client opens one SPDY stream per channel, named by
// its `streamType` header: error, stdin, stdout, stderr, resize. Stdin ends with the stdin
// stream's FIN, so (unlike WebSocket v4) a command sees all of its input before it runs.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { KObject } from '../registry/strategy.ts';
import type { ContainerRef } from './common.ts';
import { interactive, isBareShell, runAndReport, writeHttpError } from './exec.ts';
import type { ExecRequest } from './exec.ts';
import { SpdySession } from './spdy/session.ts';
import type { SpdyStream } from './spdy/session.ts';

/** remotecommand versions served over SPDY, most preferred first. */
export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
/** How long the client has to open all of its streams (the kubelet's stream creation timeout). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

const CHANNELS: Record<string, number> = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 };

/**
 * httpstream.Handshake: the first protocol the client offers that we support; '' when the client
 * offers none (the oldest protocol); a 403 StatusError when nothing matches.
 */
export function negotiateProtocol(req: IncomingMessage, supported: string[]): string {
  const raw = req.headersDistinct?.['x-stream-protocol-version'] ?? [];
  const offered = raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (!offered.length) return '';
  const hit = offered.find((p) => supported.includes(p));
  if (!hit) throw errors.forbidden(`unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`);
  return hit;
}

/** Write the 101 answer that turns the connection into a SPDY/3.1 session. */
export function acceptSpdyUpgrade(socket: Duplex, protocol: string): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${protocol ? `X-Stream-Protocol-Version: ${protocol}\r\n` : ''}\r\n`);
}

export function serveSpdyExec(req: IncomingMessage, socket: Duplex, head: Buffer, r: ExecRequest, pod: KObject, c: ContainerRef, clock: Clock): void {
  let protocol: string;
  try { protocol = negotiateProtocol(req, SPDY_EXEC_PROTOCOLS); } catch (e) { writeHttpError(socket, e); return; }
  acceptSpdyUpgrade(socket, protocol);
  const version = protocol ? Number(/^v(\d)\./.exec(protocol)?.[1] ?? 1) : 1;
  const session = new SpdySession(socket, head);
  const expected = (version >= 2 ? 1 : 0) + Number(r.stdin) + Number(r.stdout) + Number(r.stderr) + (r.tty && version >= 3 ? 1 : 0);
  const streams = new Map<number, SpdyStream>();
  const timer = clock.setTimeout(() => { if (streams.size < expected) session.close(); }, STREAM_CREATION_TIMEOUT_MS);
  session.onClose(() => timer.cancel());
  let started = false;
  session.onStream((s) => {
    session.reply(s);
    const ch = CHANNELS[s.header('streamtype') ?? ''];
    if (ch === undefined || streams.has(ch) || started) { s.reset(); return; }
    streams.set(ch, s);
    if (ch === CHANNELS.resize || ch === CHANNELS.error) s.onData(() => {}); // sizes mean nothing to a simulation
    if (streams.size >= expected) { started = true; timer.cancel(); void run(r, pod, c, clock, session, streams, version); }
  });
}

async function run(r: ExecRequest, pod: KObject, c: ContainerRef, clock: Clock, session: SpdySession, streams: Map<number, SpdyStream>, version: number): Promise<void> {
  const stdinChunks: Buffer[] = [];
  let waker: (() => void) | undefined;
  const stdin = streams.get(CHANNELS.stdin);
  let stdinDone = !stdin;
  stdin?.onData((b) => { stdinChunks.push(b); waker?.(); });
  stdin?.onEnd(() => { stdinDone = true; waker?.(); });
  session.onClose(() => { stdinDone = true; waker?.(); });
  const send = (ch: number, d: Buffer | string) => streams.get(ch)?.write(d);
  const finish = (st: object | undefined, legacy?: string) => {
    const err = streams.get(CHANNELS.error);
    if (err) {
      if (version >= 4 && st) err.write(JSON.stringify(st));
      else if (version < 4 && legacy) err.write(legacy);
    }
    for (const s of streams.values()) s.end();
    session.close();
  };
  try {
    if (r.subresource === 'attach') return; // nothing new is printed by a simulated main process; hold until the client leaves
    if (r.tty && r.stdin && isBareShell(r.command)) {
      await interactive(r, pod, c, send, finish, stdinChunks, (f) => { waker = f; }, () => stdinDone);
      return;
    }
    if (!stdinDone) await new Promise<void>((resolve) => { waker = () => { if (stdinDone) resolve(); }; waker(); });
    if (session.isClosed) return;
    await runAndReport(r, pod, c, clock, stdin ? Buffer.concat(stdinChunks) : undefined, send, finish);
  } catch (e) {
    finish({ metadata: {}, status: 'Failure', message: (e as Error).message, reason: 'InternalError' }, (e as Error).message);
  }
}
