// A SPDY/3.1 server connection as Kubernetes streaming uses it (moby/spdystream semantics): the
// client opens streams with SYN_STREAM carrying a `streamtype` header, the server answers each with
// SYN_REPLY, both sides send DATA and half-close with FIN. PINGs are echoed, SETTINGS and
// WINDOW_UPDATE are accepted (we never stall on a send window: spdystream grants it freely), and we
// grant the peer's window back as we consume its data. Protocol violations reset the stream or,
// when the connection state is unusable, send GOAWAY and close; they never throw out of here.
import type { Duplex } from 'node:stream';
import {
  FLAG_FIN, FrameType, GoAwayCode, RstCode, SpdyProtocolError, VERSION,
  dataFrame, decodeHeaderBlock, encodeHeaderBlock, goAway, parseFrame, ping, rstStream, synReply, windowUpdate,
} from './frames.ts';
import type { Frame, HeaderMap } from './frames.ts';
import { HeaderCompressor, HeaderDecompressor } from './zlib-context.ts';

/** Largest DATA payload we send in one frame. */
const MAX_DATA_CHUNK = 32 * 1024;

export class SpdyStream {
  readonly id: number;
  readonly headers: HeaderMap;
  /** The remote side sent FIN (or the stream was reset / the connection closed). */
  remoteClosed = false;
  localClosed = false;
  private readonly session: SpdySession;
  private readonly dataListeners: ((b: Buffer) => void)[] = [];
  private readonly endListeners: (() => void)[] = [];
  constructor(session: SpdySession, id: number, headers: HeaderMap) { this.session = session; this.id = id; this.headers = headers; }
  header(name: string): string | undefined { return this.headers.get(name.toLowerCase())?.[0]; }
  onData(f: (b: Buffer) => void): void { this.dataListeners.push(f); }
  /** Called once when no more data will arrive. */
  onEnd(f: () => void): void { if (this.remoteClosed) f(); else this.endListeners.push(f); }
  write(data: Buffer | string, fin = false): void { this.session.sendData(this, typeof data === 'string' ? Buffer.from(data) : data, fin); }
  end(data?: Buffer | string): void { if (!this.localClosed) this.write(data ?? Buffer.alloc(0), true); }
  reset(code: RstCode = RstCode.Cancel): void { this.session.resetStream(this, code); }
  /** @internal */ deliver(b: Buffer): void { for (const f of this.dataListeners) f(b); }
  /** @internal */ finishRemote(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    for (const f of this.endListeners.splice(0)) f();
  }
}

export class SpdySession {
  private readonly socket: Duplex;
  private readonly inflater = new HeaderDecompressor();
  private readonly deflater = new HeaderCompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private buf: Buffer = Buffer.alloc(0);
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closed = false;
  private readonly streamListeners: ((s: SpdyStream) => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];

  constructor(socket: Duplex, head?: Buffer) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.teardown(true));
    socket.on('close', () => this.teardown());
    socket.on('end', () => this.teardown());
    if (head?.length) this.receive(head);
  }

  onStream(f: (s: SpdyStream) => void): void { this.streamListeners.push(f); }
  onClose(f: () => void): void { if (this.closed) f(); else this.closeListeners.push(f); }
  get isClosed(): boolean { return this.closed; }

  /** Send GOAWAY and close the connection once everything queued has been written. */
  close(code: GoAwayCode = GoAwayCode.Ok): void {
    if (this.closed) return;
    this.enqueue(async () => goAway(this.lastStreamId, code));
    void this.outbound.then(() => this.teardown(false));
  }

  /** Answer a stream the client opened (SYN_REPLY with an empty header block, as the kubelet does). */
  reply(s: SpdyStream, headers: Record<string, string> = {}): void {
    const block = encodeHeaderBlock(headers);
    this.enqueue(async () => synReply(s.id, await this.deflater.compress(block), false));
  }

  sendData(s: SpdyStream, data: Buffer, fin: boolean): void {
    if (s.localClosed || this.closed) return;
    if (fin) s.localClosed = true;
    let off = 0;
    do {
      const chunk = data.subarray(off, off + MAX_DATA_CHUNK);
      off += chunk.length;
      const last = off >= data.length;
      this.enqueue(async () => dataFrame(s.id, chunk, fin && last));
    } while (off < data.length);
  }

  resetStream(s: SpdyStream, code: RstCode): void {
    s.localClosed = true;
    this.streams.delete(s.id);
    this.enqueue(async () => rstStream(s.id, code));
    s.finishRemote();
  }

  private enqueue(make: () => Promise<Buffer>): void {
    this.outbound = this.outbound.then(async () => {
      if (this.closed) return;
      const frame = await make();
      if (!this.socket.destroyed && this.socket.writable) this.socket.write(frame);
    }).catch(() => this.teardown(true));
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.inbound = this.inbound.then(() => this.drain()).catch((e) => this.fail(e));
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const parsed = parseFrame(this.buf);
      if (!parsed) return;
      this.buf = parsed.rest;
      try {
        await this.handle(parsed.frame);
      } catch (e) {
        if (e instanceof SpdyProtocolError && e.streamId !== undefined) {
          const s = this.streams.get(e.streamId);
          if (s) this.resetStream(s, e.code as RstCode);
          else this.enqueue(async () => rstStream(e.streamId!, e.code as RstCode));
          continue;
        }
        throw e;
      }
    }
  }

  private fail(e: unknown): void {
    const code = e instanceof SpdyProtocolError ? e.code : GoAwayCode.InternalError;
    this.close(code as GoAwayCode);
  }

  private async handle(f: Frame): Promise<void> {
    if (f.kind === 'data') {
      const s = this.streams.get(f.streamId);
      if (!s || s.remoteClosed) throw new SpdyProtocolError(`DATA for unknown or closed stream ${f.streamId}`, s ? RstCode.StreamAlreadyClosed : RstCode.InvalidStream, f.streamId);
      if (f.data.length) {
        s.deliver(f.data);
        if (!(f.flags & FLAG_FIN)) this.enqueue(async () => windowUpdate(s.id, f.data.length));
      }
      if (f.flags & FLAG_FIN) this.remoteFin(s);
      return;
    }
    if (f.version !== VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${f.version}`, GoAwayCode.ProtocolError);
    const p = f.payload;
    const need = (n: number) => { if (p.length < n) throw new SpdyProtocolError(`control frame type ${f.type} too short`, GoAwayCode.ProtocolError); };
    switch (f.type) {
      case FrameType.SynStream: {
        need(10);
        const id = p.readUInt32BE(0) & 0x7fffffff;
        // Decompress before any check: the shared zlib context must see every block.
        const headers = decodeHeaderBlock(await this.inflater.decompress(p.subarray(10)));
        if (id === 0 || id % 2 === 0 || id <= this.lastStreamId) throw new SpdyProtocolError(`invalid stream id ${id}`, GoAwayCode.ProtocolError);
        this.lastStreamId = id;
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        for (const l of this.streamListeners) l(s);
        if (f.flags & FLAG_FIN) this.remoteFin(s);
        return;
      }
      case FrameType.Headers: {
        need(4);
        const id = p.readUInt32BE(0) & 0x7fffffff;
        decodeHeaderBlock(await this.inflater.decompress(p.subarray(4)));
        const s = this.streams.get(id);
        if (!s) throw new SpdyProtocolError(`HEADERS for unknown stream ${id}`, RstCode.InvalidStream, id);
        if (f.flags & FLAG_FIN) this.remoteFin(s);
        return;
      }
      case FrameType.SynReply: {
        need(4);
        await this.inflater.decompress(p.subarray(4)); // keep the zlib context in step
        throw new SpdyProtocolError('SYN_REPLY for a stream the server did not open', RstCode.ProtocolError, p.readUInt32BE(0) & 0x7fffffff);
      }
      case FrameType.RstStream: {
        need(8);
        const s = this.streams.get(p.readUInt32BE(0) & 0x7fffffff);
        if (s) { s.localClosed = true; this.streams.delete(s.id); s.finishRemote(); }
        return;
      }
      case FrameType.Ping: {
        need(4);
        const id = p.readUInt32BE(0);
        if (id % 2 === 1) this.enqueue(async () => ping(id)); // client pings are odd; echo them
        return;
      }
      case FrameType.GoAway:
        this.close();
        return;
      case FrameType.Settings:
      case FrameType.WindowUpdate:
        return; // accepted; see the header comment on send windows
      default:
        return; // unknown control frames are ignored (SPDY/3 §2.2.1)
    }
  }

  private remoteFin(s: SpdyStream): void {
    s.finishRemote();
    if (s.localClosed) this.streams.delete(s.id);
  }

  /** Forget all streams; end the socket after queued bytes are written (or drop it at once on error). */
  private teardown(abort = false): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.finishRemote();
    this.streams.clear();
    this.inflater.close();
    this.deflater.close();
    const sock = this.socket as Duplex & { destroySoon?: () => void };
    if (!sock.destroyed) { if (abort) sock.destroy(); else if (sock.destroySoon) sock.destroySoon(); else sock.end(); }
    for (const f of this.closeListeners.splice(0)) f();
  }
}
