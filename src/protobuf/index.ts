// Kubernetes protobuf wire format: the `k8s\0` + runtime.Unknown envelope around built-in kinds,
// and the length-delimited watch stream. Decoding failures are 400 BadRequest StatusErrors;
// encoding failures (an object the schema cannot represent) are 500 InternalError StatusErrors.

import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { StatusError, errors } from '../errors.ts';
import { protoSchema } from './schema.ts';
import { CodecError, decodeBody, encodeBody, encodeMessage, finishWriter, messageDef, readTag, setNestedEnvelopeDecoder, takeWriter } from './codec.ts';

const schema = protoSchema();

/** Media type of protobuf request and response bodies. */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
/** Media type of a protobuf watch response (length-delimited WatchEvent frames). */
export const PROTOBUF_WATCH = 'application/vnd.kubernetes.protobuf;stream=watch';

/** The 4-byte prefix of every enveloped protobuf body: "k8s" and a NUL. */
export const MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);

const kinds = schema.kinds as Record<string, string>;
const metaKinds = schema.metaKinds as Record<string, string>;

/** The protobuf message for a group/version + kind, or undefined. meta/v1 option kinds exist in every group version. */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  return kinds[`${apiVersion}/${kind}`] ?? (apiVersion ? metaKinds[kind] : undefined);
}

/** True when objects of this apiVersion/kind can be carried as protobuf (built-in kinds only). */
export function canEncode(apiVersion: string, kind: string): boolean {
  return typeof apiVersion === 'string' && typeof kind === 'string' && messageFor(apiVersion, kind) !== undefined;
}

function badRequest(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return errors.badRequest(`unable to decode protobuf body: ${why}`);
}

function decodeEnvelopeAt(buf: Uint8Array, depth: number): { apiVersion: string; kind: string; object: Record<string, any> } {
  if (!(buf instanceof Uint8Array)) throw errors.badRequest('unable to decode protobuf body: not a byte buffer');
  if (buf.length < 4 || buf[0] !== MAGIC[0] || buf[1] !== MAGIC[1] || buf[2] !== MAGIC[2] || buf[3] !== MAGIC[3]) {
    throw errors.badRequest('unable to decode protobuf body: the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  let apiVersion = '', kind = '', contentEncoding = '';
  let raw: Uint8Array | undefined;
  try {
    const r = new BinaryReader(buf.subarray(4));
    const end = buf.length - 4;
    const str = (): string => r.string();
    while (r.pos < end) {
      const t = readTag(r), no = t >>> 3, wt = t & 7;
      if (no === 1 && wt === 2) {
        const len = r.uint32();
        const e = r.pos + len;
        if (e > end) throw new CodecError('typeMeta overruns the body');
        while (r.pos < e) {
          const tt = readTag(r), tno = tt >>> 3, twt = tt & 7;
          if (tno === 1 && twt === 2) apiVersion = str();
          else if (tno === 2 && twt === 2) kind = str();
          else r.skip(twt, tno);
        }
        if (r.pos !== e) throw new CodecError('typeMeta overruns its length');
      } else if (no === 2 && wt === 2) raw = r.bytes();
      else if (no === 3 && wt === 2) contentEncoding = str();
      else if (no === 4 && wt === 2) str(); // contentType: ignored, as upstream does
      else r.skip(wt, no);
      if (r.pos > end) throw new CodecError('premature end of data');
    }
    if (r.pos !== end) throw new CodecError('premature end of data');
  } catch (e) {
    throw badRequest(e);
  }
  if (!kind) throw errors.badRequest('unable to decode protobuf body: Object \'Kind\' is missing in the envelope');
  if (contentEncoding) throw errors.badRequest(`unable to decode protobuf body: unsupported content encoding ${JSON.stringify(contentEncoding)}`);
  const name = messageFor(apiVersion, kind);
  if (!name) {
    const gv = apiVersion.includes('/') ? apiVersion : `${apiVersion}`;
    throw errors.badRequest(`unable to decode protobuf body: no kind "${kind}" is registered for version "${gv}" in the protobuf scheme`);
  }
  let body: Record<string, any>;
  try {
    const bytes = raw ?? new Uint8Array(0);
    const r = new BinaryReader(bytes);
    body = decodeBody(r, messageDef(name), bytes.length, '', depth);
  } catch (e) {
    throw badRequest(e instanceof CodecError ? new CodecError(`${kind}: ${e.message}`) : e);
  }
  const object: Record<string, any> = { apiVersion, kind, ...body };
  return { apiVersion, kind, object };
}

// RawExtension bytes that hold a nested envelope (WatchEvent.object, List items) decode recursively.
setNestedEnvelopeDecoder((raw, depth) => decodeEnvelopeAt(raw, depth).object);

/**
 * Decodes a protobuf request body: `k8s\0` + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}.
 * The returned object is in Kubernetes JSON form with apiVersion and kind set.
 * Throws a 400 StatusError for anything malformed; never another exception.
 */
export function decodeEnvelope(buf: Uint8Array): { apiVersion: string; kind: string; object: Record<string, any> } {
  try {
    return decodeEnvelopeAt(buf, 0);
  } catch (e) {
    throw badRequest(e); // includes RangeError (stack overflow) and anything unforeseen
  }
}

function encodeFailure(kind: string, e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return errors.internal(`unable to encode ${kind} as protobuf: ${why}`);
}

/**
 * Encoded message bodies of the store's shared per-revision objects, by object. Those objects are never
 * mutated (see registry/codec.ts), so a revision is encoded once however many lists and protobuf
 * watchers carry it; the bytes live as long as the object does.
 */
const bodies = new WeakMap<object, Uint8Array>();
function sharedBody(name: string, obj: Record<string, any>): Uint8Array {
  let b = bodies.get(obj);
  if (b === undefined) { b = encodeMessage(name, obj); bodies.set(obj, b); }
  return b;
}

function envelopeName(obj: Record<string, any>): string {
  const apiVersion = obj?.apiVersion, kind = obj?.kind;
  const name = typeof apiVersion === 'string' && typeof kind === 'string' ? messageFor(apiVersion, kind) : undefined;
  if (!name) throw errors.internal(`unable to encode ${JSON.stringify(kind)} (${JSON.stringify(apiVersion)}) as protobuf: not a built-in kind`);
  return name;
}

/** `shared`: obj is one of the store's immutable per-revision objects, whose encoding may be reused. */
function writeEnvelope(w: BinaryWriter, obj: Record<string, any>, shared = false): void {
  const name = envelopeName(obj);
  w.raw(MAGIC);
  w.tag(1, 2).fork().tag(1, 2).string(obj.apiVersion).tag(2, 2).string(obj.kind).join();
  if (shared) w.tag(2, 2).bytes(sharedBody(name, obj));
  else {
    w.tag(2, 2).fork();
    encodeBody(w, messageDef(name), obj, '');
    w.join();
  }
  // Upstream always writes the (empty) contentEncoding and contentType fields.
  w.tag(3, 2).string('').tag(4, 2).string('');
}

const varintSize = (n: number) => { let s = 1; while (n >= 0x80) { n = Math.floor(n / 128); s++; } return s; };
function putVarint(buf: Uint8Array, off: number, n: number): number {
  while (n >= 0x80) { buf[off++] = (n % 128) | 0x80; n = Math.floor(n / 128); }
  buf[off++] = n;
  return off;
}

/**
 * A list (`list` carries apiVersion, the List kind and its ListMeta) whose items are the store's shared
 * per-revision objects, enveloped: each item's bytes are encoded once per revision (see sharedBody) and
 * the body is laid out in one buffer of its exact size.
 */
export function encodeListEnvelope(list: { apiVersion: string; kind: string; metadata: Record<string, any> }, items: readonly Record<string, any>[]): Uint8Array {
  try {
    const def = messageDef(envelopeName(list));
    const metaF = def.byJson.get('metadata');
    const itemsF = def.byJson.get('items');
    if (!metaF?.msg || !itemsF?.msg || !itemsF.repeated) throw new CodecError(`${list.kind} has no metadata and items fields`);
    const head = new BinaryWriter();
    head.raw(MAGIC);
    head.tag(1, 2).fork().tag(1, 2).string(list.apiVersion).tag(2, 2).string(list.kind).join();
    const head1 = head.finish();
    const meta = new BinaryWriter().tag(metaF.no, 2).bytes(encodeMessage(metaF.msg, list.metadata)).finish();
    const bodies = items.map((it) => sharedBody(itemsF.msg!, it));
    const itemTag = itemsF.no * 8 + 2; // < 128 for every List kind (items is field 2)
    let rawLen = meta.length;
    for (const b of bodies) rawLen += 1 + varintSize(b.length) + b.length;
    const tail = [0x1a, 0x00, 0x22, 0x00]; // contentEncoding and contentType, empty, as upstream writes them
    const out = Buffer.allocUnsafe(head1.length + 1 + varintSize(rawLen) + rawLen + tail.length);
    out.set(head1, 0);
    let off = head1.length;
    out[off++] = 0x12; // field 2 (raw), length-delimited
    off = putVarint(out, off, rawLen);
    out.set(meta, off); off += meta.length;
    for (const b of bodies) {
      out[off++] = itemTag;
      off = putVarint(out, off, b.length);
      out.set(b, off); off += b.length;
    }
    out.set(tail, off); off += tail.length;
    if (off !== out.length) throw new CodecError(`list laid out ${off} of ${out.length} bytes`);
    return out;
  } catch (e) {
    throw encodeFailure(String(list?.kind), e);
  }
}

/** Encodes an object with apiVersion/kind (including *List kinds and Status) as an enveloped protobuf body. */
export function encodeEnvelope(obj: Record<string, any>): Uint8Array {
  try {
    const w = takeWriter();
    writeEnvelope(w, obj);
    return finishWriter(w);
  } catch (e) {
    throw encodeFailure(String(obj?.kind), e);
  }
}

/**
 * One frame of a protobuf watch stream, exactly as the API server writes it: a 4-byte big-endian
 * length, then a metav1.WatchEvent {type, object: RawExtension{raw}} encoded *without* the envelope
 * (upstream's stream serializer is the raw protobuf serializer), whose raw bytes are the enveloped
 * (`k8s\0` + Unknown) encoding of the object.
 */
export function encodeWatchEvent(type: string, obj: Record<string, any>, shared = false): Uint8Array {
  let inner: Uint8Array;
  try {
    const ow = takeWriter();
    writeEnvelope(ow, obj, shared);
    inner = finishWriter(ow);
  } catch (e) {
    throw encodeFailure(String(obj?.kind), e);
  }
  const w = new BinaryWriter();
  w.tag(1, 2).string(type);
  w.tag(2, 2).fork().tag(1, 2).bytes(inner).join();
  const ev = w.finish();
  const out = new Uint8Array(4 + ev.length);
  new DataView(out.buffer).setUint32(0, ev.length, false);
  out.set(ev, 4);
  return out;
}

/**
 * Splits a protobuf watch stream into events (for tests and in-process clients). Returns the decoded
 * events and the number of bytes consumed (a trailing partial frame is left for the next call).
 */
export function decodeWatchFrames(buf: Uint8Array): { events: { type: string; object: Record<string, any> }[]; consumed: number } {
  const events: { type: string; object: Record<string, any> }[] = [];
  let pos = 0;
  try {
    while (buf.length - pos >= 4) {
      const len = new DataView(buf.buffer, buf.byteOffset + pos, 4).getUint32(0, false);
      if (buf.length - pos - 4 < len) break;
      const frame = buf.subarray(pos + 4, pos + 4 + len);
      const r = new BinaryReader(frame);
      let type = '';
      let raw: Uint8Array | undefined;
      while (r.pos < frame.length) {
        const t = readTag(r), no = t >>> 3, wt = t & 7;
        if (no === 1 && wt === 2) type = r.string();
        else if (no === 2 && wt === 2) {
          const ext = new BinaryReader(r.bytes());
          while (ext.pos < ext.len) {
            const et = readTag(ext), eno = et >>> 3, ewt = et & 7;
            if (eno === 1 && ewt === 2) raw = ext.bytes(); else ext.skip(ewt, eno);
          }
        } else r.skip(wt, no);
      }
      if (r.pos !== frame.length) throw new CodecError('watch event overruns its frame');
      events.push({ type, object: decodeEnvelopeAt(raw ?? new Uint8Array(0), 1).object });
      pos += 4 + len;
    }
  } catch (e) {
    throw badRequest(e);
  }
  return { events, consumed: pos };
}
