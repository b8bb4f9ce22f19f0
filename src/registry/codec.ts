// Bytes ↔ objects for the generic store, with a per-revision cache.
// Storage holds the object's JSON without metadata.resourceVersion (the revision is the resourceVersion).
// Each stored KeyValue is decoded once: the parsed object and its JSON text (with resourceVersion) are
// cached against the KeyValue's identity, so lists and watch fan-out serialise each revision once.
import type { KeyValue } from '../storage/types.ts';
import type { KObject } from './strategy.ts';

export interface Entry {
  /** Parsed object; shared — never mutate (clone first). */
  obj: KObject;
  /** JSON text of obj, resourceVersion included. */
  json: string;
  rev: number;
  /** The stored KeyValue this entry was decoded from (absent for converted objects). */
  kv?: KeyValue;
}

const cache = new WeakMap<KeyValue, Entry>();
/** The JSON text of objects handed out by the store, so responses need not serialise them again. */
const jsonOfObject = new WeakMap<object, string>();
const decoder = new TextDecoder();
const METADATA = '"metadata":{';

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

export function decode(kv: KeyValue): Entry {
  let e = cache.get(kv);
  if (e) return e;
  const text = decoder.decode(kv.value);
  const obj = JSON.parse(text) as KObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  const json = text.startsWith('{"apiVersion":') ? withRV(text, kv.modRevision) : JSON.stringify(obj);
  e = { obj, json, rev: kv.modRevision, kv };
  cache.set(kv, e);
  jsonOfObject.set(obj, json);
  return e;
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
  const text = Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength).toString('utf8');
  const json = text.startsWith('{"apiVersion":') ? withRV(text, kv.modRevision) : JSON.stringify(obj);
  const e = { obj, json, rev: kv.modRevision, kv };
  cache.set(kv, e);
  jsonOfObject.set(obj, json);
  return e;
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
  const json = JSON.stringify(obj);
  jsonOfObject.set(obj, json);
  return { obj, json, rev };
}

const METADATA_BYTES = Buffer.from(METADATA);
const APIVERSION_BYTES = Buffer.from('{"apiVersion":');

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
  return obj && typeof obj === 'object' ? jsonOfObject.get(obj) : undefined;
}

export function clone<T>(o: T): T { return structuredClone(o); }
