// Bytes ↔ objects for the generic store, with a per-revision cache.
// Storage holds the object's JSON without metadata.resourceVersion (the revision is the resourceVersion).
// Each stored KeyValue is parsed once and the parsed object is cached against the KeyValue's identity.
// The JSON text is not kept: it is derived from the stored bytes when asked for (lists and watches
// write the bytes themselves, see jsonBytes()), so a live object costs its bytes plus its parsed form.
import type { KeyValue } from '../storage/types.ts';
import type { KObject } from './strategy.ts';
import { packedBytes } from './value-slabs.ts';
import { afterTypeMeta, rvOffset, rvPrefix, rvSuffix, setResourceVersion } from './rv-splice.ts';
import { goJson, isBuiltInKind, wireForm } from './wire-form.ts';
import { jsonCopy } from '../util/json-copy.ts';
import { internStrings } from '../util/intern.ts';

export interface Entry {
  /** Parsed object; shared — never mutate (clone first). */
  readonly obj: KObject;
  /** JSON text of obj, resourceVersion included (derived from the stored bytes on each read). */
  readonly json: string;
  readonly rev: number;
  /** The stored KeyValue this entry was decoded from (absent for converted objects). */
  readonly kv?: KeyValue;
}

/**
 * The decoded entry of a KeyValue, kept on the KeyValue itself under a symbol (cheaper to set and to
 * collect than a WeakMap entry per revision; storage never looks at it).
 */
const DECODED = Symbol('decoded');
type WithEntry = KeyValue & { [DECODED]?: Entry };
const cache = {
  get: (kv: KeyValue): Entry | undefined => (kv as WithEntry)[DECODED],
  set: (kv: KeyValue, e: Entry): void => { (kv as WithEntry)[DECODED] = e; },
  delete: (kv: KeyValue): void => { if ((kv as WithEntry)[DECODED] !== undefined) (kv as WithEntry)[DECODED] = undefined; },
};
/** The entry of each object handed out by the store, so responses need not serialise it again. */
const entryOfObject = new WeakMap<object, Entry>();
const decoder = new TextDecoder();

/** The stored bytes with the resourceVersion spliced in where upstream writes it (see rv-splice.ts). */
function withRV(v: Uint8Array, rev: number): string {
  const at = rvOffset(v);
  if (at < 0) return decoder.decode(v);
  return `${decoder.decode(v.subarray(0, at))}${rvPrefix(v, at)}"resourceVersion":"${rev}"${rvSuffix(v, at)}${decoder.decode(v.subarray(at))}`;
}

/** A stored revision: `text` is set only when the stored bytes are not in wire form (written by an older version). */
class StoredEntry implements Entry {
  readonly obj: KObject;
  readonly rev: number;
  readonly kv: KeyValue;
  readonly text: string | undefined;
  /** Where the resourceVersion goes in the stored bytes (rv-splice.ts), found on the first send; -2: not yet. */
  private at = -2;
  constructor(obj: KObject, kv: KeyValue, text: string | undefined) {
    this.obj = obj; this.rev = kv.modRevision; this.kv = kv; this.text = text;
  }
  rvAt(): number { return this.at === -2 ? (this.at = rvOffset(this.kv.value)) : this.at; }
  get json(): string { return this.text ?? withRV(this.kv.value, this.rev); }
}

const KIND_FIRST = Buffer.from('{"kind":');
function kindFirst(v: Uint8Array): boolean {
  if (v.length <= KIND_FIRST.length) return false;
  for (let i = 0; i < KIND_FIRST.length; i++) if (v[i] !== KIND_FIRST[i]) return false;
  return true;
}
/** Whether stored bytes are in wire form: typed kinds start with `kind` (older versions wrote apiVersion first). */
const inWireForm = (v: Uint8Array, obj: KObject) => kindFirst(v) || !isBuiltInKind(obj.apiVersion, obj.kind);
/** The stored bytes of an entry if they can be sent as they are, and where its resourceVersion goes in them. */
function sendable(e: Entry): { v: Uint8Array; at: number } | undefined {
  const v = e.kv?.value;
  if (!v || e.kv!.modRevision !== e.rev) return undefined;
  if (e instanceof StoredEntry) {
    if (e.text !== undefined) return undefined;
    const at = e.rvAt();
    return at < 0 ? undefined : { v, at };
  }
  const at = rvOffset(v);
  return at < 0 ? undefined : { v, at };
}

/**
 * Key prefixes whose parsed objects are not kept with the live value (see setUnretained): each read
 * parses the stored bytes again, and the parsed object lives only as long as its reader holds it.
 */
let unretained: readonly string[] = [];

/** Keep no parsed object for keys under these prefixes (kinds that are written often and read rarely). */
export function setUnretained(prefixes: readonly string[]): void { unretained = [...prefixes]; }

/** Whether the parsed form of this KeyValue is cached against it. */
export function retains(kv: KeyValue): boolean { return !unretainedKey(kv.key); }

function stored(kv: KeyValue, obj: KObject): Entry {
  const e = new StoredEntry(obj, kv, inWireForm(kv.value, obj) ? undefined : goJson(wireForm(obj)));
  if (retains(kv)) cache.set(kv, e);
  entryOfObject.set(obj, e);
  return e;
}

export function decode(kv: KeyValue): Entry {
  let e = cache.get(kv);
  if (e) return e;
  // Bytes this process just wrote (an in-process watcher decoding the commit's event): the object
  // they were encoded from, as adopt() would hand it out, instead of parsing them again.
  const w = written.get(kv.value);
  if (w) return prime(kv, w);
  const obj = JSON.parse(decoder.decode(kv.value)) as KObject;
  // Kept objects share their short strings (util/intern.ts); a bytes-only kind's parse is short-lived.
  if (retains(kv)) internStrings(obj);
  setResourceVersion(obj, String(kv.modRevision), isBuiltInKind(obj.apiVersion, obj.kind));
  return stored(kv, obj);
}

/** kind, apiVersion and metadata first, then the rest in the given order (the full wire form is wireForm()). */
export function canonical(obj: KObject): KObject {
  const { apiVersion, kind, metadata, ...rest } = obj;
  return { kind, apiVersion, metadata, ...rest };
}

/** Whether values stored under `key` are kept as bytes only (see setUnretained). */
function unretainedKey(key: string): boolean {
  for (const p of unretained) if (key.startsWith(p)) return true;
  return false;
}

/**
 * Encoded values on their way to storage → the object they were encoded from (see encode): the
 * commit's fan-out and adopt() take the object from here once, so a write is never parsed back.
 */
const written = new WeakMap<Uint8Array, KObject>();

/**
 * Encode for storage under `key` (resourceVersion stripped). The bytes are remembered against `obj`
 * until the write's KeyValue is first decoded or adopted: the caller must not change `obj` after
 * writing it (it becomes the revision's shared parsed form, as adopt() makes it).
 */
export function encode(obj: KObject, key?: string): Uint8Array {
  const rv = obj.metadata.resourceVersion;
  delete obj.metadata.resourceVersion;
  try {
    const text = goJson(obj);
    let bytes: Uint8Array;
    // Bytes-only kinds (written once, read rarely) share slabs (value-slabs.ts).
    if (key !== undefined && unretainedKey(key)) bytes = packedBytes(text);
    else {
      // Others get an exact-size buffer of their own: Buffer.from(string) slices a shared 64 KiB pool
      // (Node 24), and one stored value still referenced would keep its whole slab alive.
      bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
      (bytes as Buffer).write(text);
    }
    written.set(bytes, obj);
    return bytes;
  } finally {
    if (rv !== undefined) obj.metadata.resourceVersion = rv;
  }
}

/** Record the object we just wrote against its KeyValue, so the next read needs no parse or stringify. */
export function prime(kv: KeyValue, obj: KObject): Entry {
  written.delete(kv.value);
  setResourceVersion(obj, String(kv.modRevision), isBuiltInKind(obj.apiVersion, obj.kind));
  return stored(kv, obj);
}

/**
 * The entry for a KeyValue just written from exactly `obj`: the one an in-process watcher already
 * decoded from these bytes during the commit's fan-out if there is one (so informers and the cache
 * share one object per revision), else `obj` primed.
 */
export function adopt(kv: KeyValue, obj: KObject): Entry {
  written.delete(kv.value);
  return cache.get(kv) ?? prime(kv, obj);
}

/** Drop the decoded form of a revision that is no longer the live one (re-parsed from its bytes if asked again). */
export function forget(kv: KeyValue): void { cache.delete(kv); }

/** An entry for an object built outside storage (a converted version): serialised once, here. */
export function entryFor(obj: KObject, rev: number): Entry {
  const e: Entry = { obj, json: goJson(obj), rev };
  entryOfObject.set(obj, e);
  return e;
}

/**
 * The entry's JSON as UTF-8 byte pieces (concatenated, they equal Buffer.from(e.json)). When the entry
 * came from storage in wire form the pieces are views of the stored bytes with the resourceVersion
 * spliced in as withRV() does, so sending a list neither joins strings nor encodes them again.
 */
export function jsonBytes(e: Entry): Buffer[] {
  const sb = sendable(e);
  if (!sb) return [Buffer.from(e.json)];
  const { v, at } = sb;
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return [b.subarray(0, at), Buffer.from(`${rvPrefix(b, at)}"resourceVersion":"${e.rev}"${rvSuffix(b, at)}`), b.subarray(at)];
}

/** The JSON text of an object the store handed out, if it has one. */
export function jsonOf(obj: unknown): string | undefined {
  return obj && typeof obj === 'object' ? entryOfObject.get(obj)?.json : undefined;
}

/** A private deep copy of an object the store handed out (see util/json-copy.ts). */
export function clone<T>(o: T): T { return jsonCopy(o); }

/**
 * A JSON list body (`head`, the items' JSON joined by commas, `tail`) laid out without joining it: its
 * exact byte length is known before any byte is produced, and next() copies the following run of whole
 * items straight from their stored bytes (the resourceVersion spliced in as jsonBytes() does) into a
 * buffer the caller lends. A transport can send each chunk while the next is being copied, reuse its
 * buffers, and make no per-item buffers or whole-body copy.
 */
export interface JsonListBody {
  readonly length: number;
  /**
   * The next chunk: the start of `into`, filled with as many whole items as fit, or (for an item larger
   * than `into`) a buffer of its own; undefined once the whole body has been produced.
   */
  next(into: Buffer): Buffer | undefined;
}

/** Write the decimal digits of a non-negative integer at `off`; returns the offset after them. */
function writeDigits(buf: Buffer, off: number, v: number): number {
  let d = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) d++;
  for (let k = off + d - 1; k >= off; k--) { buf[k] = 0x30 + (v % 10); v = Math.floor(v / 10); }
  return off + d;
}

const digitCount = (v: number) => { let d = 1; for (let x = v; x >= 10; x = Math.floor(x / 10)) d++; return d; };
const RV_OPEN = Buffer.from('"resourceVersion":"');

export function jsonListBody(head: string, items: readonly Entry[], tail: string, opts: { withoutTypeMeta?: boolean } = {}): JsonListBody {
  const n = items.length;
  // Per item: its stored bytes and where the resourceVersion goes, or (rare) its own encoded text (at -1);
  // and where its bytes start after `{` when its kind and apiVersion are left out (0: sent whole).
  const src: Buffer[] = new Array(n);
  const at = new Int32Array(n);
  const from = new Int32Array(n);
  const size = new Int32Array(n);
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(tail);
  let length = headBytes.length + tailBytes.length + Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    const e = items[i];
    const sb = sendable(e);
    const v = sb?.v;
    const p = sb ? sb.at : -1;
    at[i] = p;
    if (p >= 0) {
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v!.buffer, v!.byteOffset, v!.byteLength);
      src[i] = b;
      // "resourceVersion":"<rev>" plus a comma before or after it unless metadata was otherwise empty.
      size[i] = b.length + RV_OPEN.length + digitCount(e.rev) + 1 + rvPrefix(b, p).length + rvSuffix(b, p).length;
    } else {
      src[i] = Buffer.from(e.json);
      size[i] = src[i].length;
    }
    // A typed list's items go without kind and apiVersion, as upstream writes them.
    const start = opts.withoutTypeMeta ? afterTypeMeta(src[i]) : -1;
    if (start > 0 && (p < 0 || start <= p)) { from[i] = start; size[i] -= start - 1; }
    length += size[i];
  }
  let i = -1; // -1: head not yet written; n: tail not yet written; n + 1: done
  const copyItem = (chunk: Buffer, off: number, k: number): number => {
    const b = src[k];
    const p = at[k];
    const s = from[k];
    if (s > 0) chunk[off++] = 0x7b; /* { */
    if (p < 0) return off + b.copy(chunk, off, s);
    off += b.copy(chunk, off, s, p);
    if (b[p] === 0x7d /* } */ && b[p - 1] !== 0x7b /* { */) chunk[off++] = 0x2c; /* , */
    off += RV_OPEN.copy(chunk, off);
    off = writeDigits(chunk, off, items[k].rev);
    chunk[off++] = 0x22; /* " */
    if (b[p] !== 0x7d /* } */) chunk[off++] = 0x2c; /* , */
    return off + b.copy(chunk, off, p);
  };
  return {
    length,
    next(chunk) {
      if (i > n) return undefined;
      if (chunk.length < Math.max(headBytes.length, tailBytes.length)) chunk = Buffer.allocUnsafeSlow(Math.max(headBytes.length, tailBytes.length));
      let off = 0;
      if (i < 0) { off = headBytes.copy(chunk); i = 0; }
      for (; i < n; i++) {
        const need = size[i] + (i > 0 ? 1 : 0);
        if (off + need > chunk.length) {
          if (off > 0) return chunk.subarray(0, off);
          // An item larger than a chunk travels in a buffer of its own.
          const own = Buffer.allocUnsafeSlow(need);
          const o = i > 0 ? (own[0] = 0x2c, 1) : 0;
          copyItem(own, o, i++);
          return own;
        }
        if (i > 0) chunk[off++] = 0x2c; /* , */
        off = copyItem(chunk, off, i);
      }
      if (off + tailBytes.length > chunk.length) return chunk.subarray(0, off);
      off += tailBytes.copy(chunk, off);
      i = n + 1;
      return chunk.subarray(0, off);
    },
  };
}
