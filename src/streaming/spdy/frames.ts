// SPDY/3.1 frame layout (pure functions, no I/O). Control frames: C=1 | version(15) | type(16) |
// flags(8) | length(24) | payload. Data frames: C=0 | stream id(31) | flags(8) | length(24) | payload.
// Header blocks here are the *uncompressed* name/value blocks; session.ts owns the zlib contexts.

export const VERSION = 3;
export const FrameType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const;
export type FrameType = typeof FrameType[keyof typeof FrameType];
export const FLAG_FIN = 0x01;
/** RST_STREAM status codes. */
export const RstCode = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6, StreamInUse: 8, StreamAlreadyClosed: 9, FrameTooLarge: 11 } as const;
export type RstCode = typeof RstCode[keyof typeof RstCode];
/** GOAWAY status codes. */
export const GoAwayCode = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;
export type GoAwayCode = typeof GoAwayCode[keyof typeof GoAwayCode];

export const HEADER_LEN = 8;
/** Largest frame payload we accept (the 24-bit field allows 16 MiB; nothing Kubernetes sends is near that). */
export const MAX_FRAME_PAYLOAD = 1 << 20;
/** Largest decompressed header block we accept. */
export const MAX_HEADER_BLOCK = 256 * 1024;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; version: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {
  /** When set, only this stream is broken (RST_STREAM); otherwise the whole connection (GOAWAY). */
  readonly streamId?: number;
  readonly code: number;
  constructor(message: string, code: number, streamId?: number) { super(message); this.code = code; this.streamId = streamId; }
}

/** Split one frame off the front of buf; undefined when buf does not yet hold a whole frame. */
export function parseFrame(buf: Buffer): { frame: Frame; rest: Buffer } | undefined {
  if (buf.length < HEADER_LEN) return undefined;
  const length = buf.readUIntBE(5, 3);
  if (length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`frame of ${length} bytes exceeds the ${MAX_FRAME_PAYLOAD}-byte limit`, GoAwayCode.ProtocolError);
  if (buf.length < HEADER_LEN + length) return undefined;
  const flags = buf[4];
  const payload = buf.subarray(HEADER_LEN, HEADER_LEN + length);
  const rest = buf.subarray(HEADER_LEN + length);
  if (buf[0] & 0x80) {
    return { frame: { kind: 'control', version: buf.readUInt16BE(0) & 0x7fff, type: buf.readUInt16BE(2), flags, payload }, rest };
  }
  return { frame: { kind: 'data', streamId: buf.readUInt32BE(0) & 0x7fffffff, flags, data: payload }, rest };
}

export function controlFrame(type: FrameType, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  h.writeUInt16BE(0x8000 | VERSION, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([h, payload]);
}

export function dataFrame(streamId: number, data: Buffer, fin: boolean): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h[4] = fin ? FLAG_FIN : 0;
  h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}

const u32 = (...ns: number[]) => { const b = Buffer.alloc(4 * ns.length); ns.forEach((n, i) => b.writeUInt32BE(n >>> 0, 4 * i)); return b; };

export const rstStream = (streamId: number, code: RstCode) => controlFrame(FrameType.RstStream, 0, u32(streamId & 0x7fffffff, code));
export const goAway = (lastStreamId: number, code: GoAwayCode) => controlFrame(FrameType.GoAway, 0, u32(lastStreamId & 0x7fffffff, code));
export const ping = (id: number) => controlFrame(FrameType.Ping, 0, u32(id));
export const windowUpdate = (streamId: number, delta: number) => controlFrame(FrameType.WindowUpdate, 0, u32(streamId & 0x7fffffff, delta & 0x7fffffff));
/** SYN_REPLY / HEADERS payload prefix: the stream id, followed by the compressed header block. */
export const synReply = (streamId: number, block: Buffer, fin: boolean) => controlFrame(FrameType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId & 0x7fffffff), block]));
/** SYN_STREAM (used by the test client): stream id, associated id, priority, slot, header block. */
export const synStream = (streamId: number, block: Buffer, fin: boolean) =>
  controlFrame(FrameType.SynStream, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId & 0x7fffffff, 0), Buffer.from([0, 0]), block]));

export type HeaderMap = Map<string, string[]>;

/** Encode a name/value block: count, then (len, name, len, value) with multiple values NUL-joined. */
export function encodeHeaderBlock(headers: Record<string, string | string[]>): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(Array.isArray(v) ? v.join('\0') : v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

/** Decode a name/value block; malformed blocks throw SpdyProtocolError (a connection error: the zlib context is shared). */
export function decodeHeaderBlock(buf: Buffer): HeaderMap {
  const bad = (why: string) => new SpdyProtocolError(`malformed header block: ${why}`, GoAwayCode.ProtocolError);
  if (buf.length < 4) throw bad('truncated pair count');
  const count = buf.readUInt32BE(0);
  let off = 4;
  const take = (): string => {
    if (off + 4 > buf.length) throw bad('truncated length');
    const n = buf.readUInt32BE(off); off += 4;
    if (off + n > buf.length) throw bad('truncated string');
    const s = buf.toString('utf8', off, off + n); off += n;
    return s;
  };
  const out: HeaderMap = new Map();
  for (let i = 0; i < count; i++) {
    const name = take();
    if (!name) throw bad('empty header name');
    const value = take();
    const prev = out.get(name.toLowerCase()) ?? [];
    out.set(name.toLowerCase(), [...prev, ...value.split('\0')]);
  }
  return out;
}
