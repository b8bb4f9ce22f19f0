// A minimal SPDY/3.1 *client* for tests, built from the server's framing pieces: upgrades an HTTP
// connection, opens streams with SYN_STREAM and collects what the server sends on each.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import {
  FLAG_FIN, FrameType, dataFrame, decodeHeaderBlock, encodeHeaderBlock, parseFrame, synStream,
} from '../../src/streaming/spdy/frames.ts';
import type { Frame } from '../../src/streaming/spdy/frames.ts';
import { HeaderCompressor, HeaderDecompressor } from '../../src/streaming/spdy/zlib-context.ts';

export interface ClientStream { id: number; data: Buffer[]; fin: boolean; replied: boolean; reset?: number }

export class SpdyClient {
  readonly socket: Socket;
  readonly streams = new Map<number, ClientStream>();
  readonly control: Frame[] = [];
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly deflate = new HeaderCompressor();
  private readonly inflate = new HeaderDecompressor();
  private chain: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];
  constructor(socket: Socket, rest: Buffer) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => this.feed(c));
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => {});
    if (rest.length) this.feed(rest);
  }
  private wake(): void { for (const w of this.waiters.splice(0)) w(); }
  private feed(c: Buffer): void {
    this.buf = Buffer.concat([this.buf, c]);
    this.chain = this.chain.then(async () => {
      for (let p = parseFrame(this.buf); p; p = parseFrame(this.buf)) {
        this.buf = p.rest;
        const f = p.frame;
        if (f.kind === 'data') {
          const s = this.streams.get(f.streamId);
          if (s) { s.data.push(f.data); if (f.flags & FLAG_FIN) s.fin = true; }
        } else {
          this.control.push(f);
          if (f.type === FrameType.SynReply) {
            decodeHeaderBlock(await this.inflate.decompress(f.payload.subarray(4)));
            const s = this.streams.get(f.payload.readUInt32BE(0));
            if (s) { s.replied = true; if (f.flags & FLAG_FIN) s.fin = true; }
          } else if (f.type === FrameType.RstStream) {
            const s = this.streams.get(f.payload.readUInt32BE(0));
            if (s) { s.reset = f.payload.readUInt32BE(4); s.fin = true; }
          }
        }
      }
      this.wake();
    });
  }
  async open(headers: Record<string, string>, fin = false): Promise<ClientStream> {
    const id = this.nextId; this.nextId += 2;
    const s: ClientStream = { id, data: [], fin: false, replied: false };
    this.streams.set(id, s);
    this.socket.write(synStream(id, await this.deflate.compress(encodeHeaderBlock(headers)), fin));
    return s;
  }
  send(s: ClientStream, data: Buffer | string, fin = false): void { this.socket.write(dataFrame(s.id, Buffer.from(data), fin)); }
  raw(b: Buffer): void { this.socket.write(b); }
  /** Wait until pred holds (re-checked whenever frames arrive or the socket closes). */
  async until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }
  text(s: ClientStream): string { return Buffer.concat(s.data).toString(); }
  close(): void { this.socket.destroy(); }
}

export interface UpgradeAnswer { status: number; headers: Record<string, string>; body: string; client?: SpdyClient }

/** Send an upgrade request and read the HTTP answer; on 101 the rest of the connection is SPDY. */
export function upgrade(url: string, path: string, headers: Record<string, string | string[]>): Promise<UpgradeAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const lines = [`POST ${path} HTTP/1.1`, `Host: ${u.host}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
    for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${x}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    let buf: Buffer = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString().split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const hs: Record<string, string> = {};
      for (const l of head.slice(1)) { const i = l.indexOf(':'); hs[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
      const rest = buf.subarray(end + 4);
      if (status === 101) {
        socket.off('data', onData);
        resolve({ status, headers: hs, body: '', client: new SpdyClient(socket, rest) });
        return;
      }
      const len = Number(hs['content-length'] ?? 0);
      if (rest.length >= len) { socket.off('data', onData); socket.destroy(); resolve({ status, headers: hs, body: rest.subarray(0, len).toString() }); }
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}
