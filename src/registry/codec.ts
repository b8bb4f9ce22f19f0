// Bytes ↔ objects for the generic store, with a per-revision cache.
// Storage holds the object's JSON without metadata.resourceVersion (the revision is the resourceVersion).
// Each stored KeyValue is parsed once and the parsed object is cached against the KeyValue's identity.
// The JSON text is not kept: it is derived from the stored bytes when asked for (lists and watches
// write the bytes themselves, see jsonBytes()), so a live object costs its bytes plus its parsed form.
import type { KeyValue } from '../storage/types.ts';
import type { KObject } from './strategy.ts';
import { packedBytes } from './value-slabs.ts';

export interface Entry {
  /** Parsed object; shared — never mutate (clone first). */
  readonly obj: KObject;
  /** JSON text of obj, resourceVersion included (derived from the stored bytes on each read). */
  readonly json: string;
  readonly rev: number;
  /** The stored KeyValue this entry was decoded from (absent for converted objects). */
  readonly kv?: KeyValue;
}

const cache = new WeakMap<KeyValue, Entry>();
/** The entry of each object handed out by the store, so responses need not serialise it again. */
const entryOfObject = new WeakMap<object, Entry>();
const decoder = new TextDecoder();
const METADATA = '"metadata":{';
const APIVERSION_BYTES = Buffer.from('{"apiVersion":');

/**
 * Stored JSON has no resourceVersion; splice it into the first `"metadata":{`, which is the object's
 * own because the store writes apiVersion, kind and metadata first (see canonical()).
 */
function withRV(text: string, rev: number): string {
  const i = text.indexOf(METADATA);
  if (i < 0) return text;
  const at = i + METADATA.length;
  const sep = text[at] === '}' ? '' : ',';
  return `${text.slice(0, at)}"resourceVersion":"${rev}"${sep}${text.slice(at)}`;
}

/** A stored revision: `text` is set only when the stored bytes are not in canonical order (rare). */
class StoredEntry implements Entry {
  readonly obj: KObject;
  readonly rev: number;
  readonly kv: KeyValue;
  private readonly text: string | undefined;
  constructor(obj: KObject, kv: KeyValue, text: string | undefined) {
    this.obj = obj; this.rev = kv.modRevision; this.kv = kv; this.text = text;
  }
  get json(): string { return this.text ?? withRV(decoder.decode(this.kv.value), this.rev); }
}

const isCanonical = (v: Uint8Array) =>
  v.length > APIVERSION_BYTES.length && Buffer.from(v.buffer, v.byteOffset, APIVERSION_BYTES.length).equals(APIVERSION_BYTES);

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
  const e = new StoredEntry(obj, kv, isCanonical(kv.value) ? undefined : JSON.stringify(obj));
  if (retains(kv)) cache.set(kv, e);
  entryOfObject.set(obj, e);
  return e;
}

export function decode(kv: KeyValue): Entry {
  let e = cache.get(kv);
  if (e) return e;
  const obj = JSON.parse(decoder.decode(kv.value)) as KObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return stored(kv, obj);
}

/** apiVersion, kind and metadata first, then the rest in the given order (as upstream serialises). */
export function canonical(obj: KObject): KObject {
  const { apiVersion, kind, metadata, ...rest } = obj;
  return { apiVersion, kind, metadata, ...rest };
}

/** Whether values stored under `key` are kept as bytes only (see setUnretained). */
function unretainedKey(key: string): boolean {
  for (const p of unretained) if (key.startsWith(p)) return true;
  return false;
}

/** Encode for storage under `key` (resourceVersion stripped). */
export function encode(obj: KObject, key?: string): Uint8Array {
  const rv = obj.metadata.resourceVersion;
  delete obj.metadata.resourceVersion;
  try {
    const text = JSON.stringify(obj);
    // Bytes-only kinds (written once, read rarely) share slabs (value-slabs.ts).
    if (key !== undefined && unretainedKey(key)) return packedBytes(text);
    // Others get an exact-size buffer of their own: Buffer.from(string) slices a shared 64 KiB pool
    // (Node 24), and one stored value still referenced would keep its whole slab alive.
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    return bytes;
  } finally {
    if (rv !== undefined) obj.metadata.resourceVersion = rv;
  }
}

/** Record the object we just wrote against its KeyValue, so the next read needs no parse or stringify. */
export function prime(kv: KeyValue, obj: KObject): Entry {
  obj.metadata.resourceVersion = String(kv.modRevision);
  return stored(kv, obj);
}

/**
 * The entry for a KeyValue just written from exactly `obj`: the one an in-process watcher already
 * decoded from these bytes during the commit's fan-out if there is one (so informers and the cache
 * share one object per revision), else `obj` primed.
 */
export function adopt(kv: KeyValue, obj: KObject): Entry {
  return cache.get(kv) ?? prime(kv, obj);
}

/** Drop the decoded form of a revision that is no longer the live one (re-parsed from its bytes if asked again). */
export function forget(kv: KeyValue): void { cache.delete(kv); }

/** An entry for an object built outside storage (a converted version): serialised once, here. */
export function entryFor(obj: KObject, rev: number): Entry {
  const e: Entry = { obj, json: JSON.stringify(obj), rev };
  entryOfObject.set(obj, e);
  return e;
}

const METADATA_BYTES = Buffer.from(METADATA);

/**
 * The entry's JSON as UTF-8 byte pieces (concatenated, they equal Buffer.from(e.json)). When the entry
 * came from storage in canonical order the pieces are views of the stored bytes with the resourceVersion
 * spliced in as withRV() does, so sending a list neither joins strings nor encodes them again.
 */
export function jsonBytes(e: Entry): Buffer[] {
  const v = e.kv?.value;
  const at = v && e.kv!.modRevision === e.rev ? rvOffset(v) : -1;
  if (at < 0) return [Buffer.from(e.json)];
  const b = Buffer.from(v!.buffer, v!.byteOffset, v!.byteLength);
  const sep = b[at] === 0x7d /* } */ ? '' : ',';
  return [b.subarray(0, at), Buffer.from(`"resourceVersion":"${e.rev}"${sep}`), b.subarray(at)];
}

/** The JSON text of an object the store handed out, if it has one. */
export function jsonOf(obj: unknown): string | undefined {
  return obj && typeof obj === 'object' ? entryOfObject.get(obj)?.json : undefined;
}

export function clone<T>(o: T): T { return structuredClone(o); }

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

const APIVERSION_LEN = APIVERSION_BYTES.length;
/** Bytes of `"metadata":{`, the key the resourceVersion is spliced after. */
const MD = [...METADATA_BYTES];

/**
 * Where the resourceVersion goes in stored bytes that are in canonical order (apiVersion first): just
 * after the first `"metadata":{`, which is the object's own (see withRV()); -1 if not canonical. A byte
 * scan in JS: the key sits a few dozen bytes in, and native indexOf/compare calls cost more per item.
 */
function rvOffset(b: Uint8Array): number {
  if (b.length <= APIVERSION_LEN) return -1;
  for (let k = 0; k < APIVERSION_LEN; k++) if (b[k] !== APIVERSION_BYTES[k]) return -1;
  const last = b.length - MD.length;
  outer: for (let k = APIVERSION_LEN; k <= last; k++) {
    if (b[k] !== 0x22 /* " */) continue;
    for (let j = 1; j < MD.length; j++) if (b[k + j] !== MD[j]) continue outer;
    return k + MD.length;
  }
  return -1;
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

export function jsonListBody(head: string, items: readonly Entry[], tail: string): JsonListBody {
  const n = items.length;
  // Per item: its stored bytes and where the resourceVersion goes, or (rare) its own encoded text (at -1).
  const src: Buffer[] = new Array(n);
  const at = new Int32Array(n);
  const size = new Int32Array(n);
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(tail);
  let length = headBytes.length + tailBytes.length + Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    const e = items[i];
    const v = e.kv?.value;
    const p = v && e.kv!.modRevision === e.rev ? rvOffset(v) : -1;
    at[i] = p;
    if (p >= 0) {
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v!.buffer, v!.byteOffset, v!.byteLength);
      src[i] = b;
      // "resourceVersion":"<rev>" plus a comma unless metadata was otherwise empty.
      size[i] = b.length + RV_OPEN.length + digitCount(e.rev) + 1 + (b[p] === 0x7d /* } */ ? 0 : 1);
    } else {
      src[i] = Buffer.from(e.json);
      size[i] = src[i].length;
    }
    length += size[i];
  }
  let i = -1; // -1: head not yet written; n: tail not yet written; n + 1: done
  const copyItem = (chunk: Buffer, off: number, k: number): number => {
    const b = src[k];
    const p = at[k];
    if (p < 0) return off + b.copy(chunk, off);
    off += b.copy(chunk, off, 0, p);
    off += RV_OPEN.copy(chunk, off);
    off = writeDigits(chunk, off, items[k].rev);
    chunk[off++] = 0x22; /* " */
    if (b[p] !== 0x7d) chunk[off++] = 0x2c; /* , */
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
