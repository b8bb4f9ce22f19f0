// Bytes ↔ objects for the generic store, with a per-revision cache.
// Storage holds the object's JSON without metadata.resourceVersion (the revision is the resourceVersion).
// Each stored KeyValue is parsed once and the parsed object is cached against the KeyValue's identity.
// The JSON text is not kept: it is derived from the stored bytes when asked for (lists and watches
// write the bytes themselves, see jsonBytes()), so a live object costs its bytes plus its parsed form.
import type { KeyValue } from '../storage/types.ts';
import type { KObject } from './strategy.ts';

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
export function retains(kv: KeyValue): boolean {
  for (const p of unretained) if (kv.key.startsWith(p)) return false;
  return true;
}

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

/** Encode for storage (resourceVersion stripped). Returns the bytes and the text. */
export function encode(obj: KObject): Uint8Array {
  const rv = obj.metadata.resourceVersion;
  delete obj.metadata.resourceVersion;
  try {
    // An exact-size buffer of its own: Buffer.from(string) slices a shared 64 KiB pool (Node 24), and
    // one stored value still referenced would keep its whole slab alive.
    const text = JSON.stringify(obj);
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
  if (v && e.kv!.modRevision === e.rev) {
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    if (b.subarray(0, APIVERSION_BYTES.length).equals(APIVERSION_BYTES)) {
      const i = b.indexOf(METADATA_BYTES);
      if (i < 0) return [b];
      const at = i + METADATA_BYTES.length;
      const sep = b[at] === 0x7d /* } */ ? '' : ',';
      return [b.subarray(0, at), Buffer.from(`"resourceVersion":"${e.rev}"${sep}`), b.subarray(at)];
    }
  }
  return [Buffer.from(e.json)];
}

/** The JSON text of an object the store handed out, if it has one. */
export function jsonOf(obj: unknown): string | undefined {
  return obj && typeof obj === 'object' ? entryOfObject.get(obj)?.json : undefined;
}

export function clone<T>(o: T): T { return structuredClone(o); }
