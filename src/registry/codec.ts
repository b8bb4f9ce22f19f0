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
}

const cache = new WeakMap<KeyValue, Entry>();
const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function decode(kv: KeyValue): Entry {
  let e = cache.get(kv);
  if (e) return e;
  const obj = JSON.parse(decoder.decode(kv.value)) as KObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  e = { obj, json: JSON.stringify(obj), rev: kv.modRevision };
  cache.set(kv, e);
  return e;
}

/** Encode for storage (resourceVersion stripped). */
export function encode(obj: KObject): Uint8Array {
  const rv = obj.metadata.resourceVersion;
  delete obj.metadata.resourceVersion;
  try {
    return encoder.encode(JSON.stringify(obj));
  } finally {
    if (rv !== undefined) obj.metadata.resourceVersion = rv;
  }
}

/** Record the object we just wrote against its KeyValue, so the next read needs no parse. */
export function prime(kv: KeyValue, obj: KObject): Entry {
  obj.metadata.resourceVersion = String(kv.modRevision);
  const e = { obj, json: JSON.stringify(obj), rev: kv.modRevision };
  cache.set(kv, e);
  return e;
}

export function clone<T>(o: T): T { return structuredClone(o); }
