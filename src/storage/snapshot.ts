// Storage snapshots: every live key with its value and revisions, and the revision they were read at.
// A snapshot knows keys, revisions and bytes only (like the rest of storage/). In memory it shares the
// backend's immutable KeyValue objects, so taking one costs an array of references; on disk it is the
// binary form below, checked field by field when read back (a damaged file is refused, never half-loaded).
import type { KeyValue } from './types.ts';
import { StorageError } from './types.ts';

export interface StorageSnapshot {
  /** The revision the snapshot was taken at: the store's revision again after a restore. */
  readonly revision: number;
  /** Live keys in key order. */
  readonly kvs: readonly KeyValue[];
}

const MAGIC = Buffer.from('SKIFFKV1');
const MAX_KEY = 64 * 1024;
const MAX_VALUE = 64 * 1024 * 1024;

const invalid = (why: string) => new StorageError('Unavailable', `snapshot: ${why}`);

/** Checks the invariants a restore relies on; throws a StorageError naming the first one broken. */
export function checkSnapshot(s: StorageSnapshot): void {
  if (!s || typeof s !== 'object' || !Array.isArray(s.kvs)) throw invalid('not a storage snapshot');
  if (!Number.isSafeInteger(s.revision) || s.revision < 0) throw invalid(`revision must be a non-negative integer, got ${JSON.stringify(s.revision)}`);
  const revs = new Set<number>();
  let prev: string | undefined;
  for (const kv of s.kvs) {
    if (!kv || typeof kv.key !== 'string' || !(kv.value instanceof Uint8Array)) throw invalid('an entry lacks a string key or a byte value');
    if (prev !== undefined && !(kv.key > prev)) throw invalid(`keys must be unique and in order (${JSON.stringify(kv.key)} after ${JSON.stringify(prev)})`);
    if (!Number.isSafeInteger(kv.modRevision) || kv.modRevision < 1 || kv.modRevision > s.revision) throw invalid(`${kv.key}: modRevision ${kv.modRevision} is not within 1..${s.revision}`);
    if (!Number.isSafeInteger(kv.createRevision) || kv.createRevision < 1 || kv.createRevision > kv.modRevision) throw invalid(`${kv.key}: createRevision ${kv.createRevision} is not within 1..${kv.modRevision}`);
    if (revs.has(kv.modRevision)) throw invalid(`two keys share modRevision ${kv.modRevision}`);
    revs.add(kv.modRevision);
    prev = kv.key;
  }
}

/** MAGIC, u32 header length, header JSON (revision, count, and the caller's `meta`), then the entries. */
export function encodeSnapshot(s: StorageSnapshot, meta: Record<string, unknown> = {}): Buffer {
  const header = Buffer.from(JSON.stringify({ ...meta, revision: s.revision, count: s.kvs.length }));
  let size = MAGIC.length + 4 + header.length;
  const keys = s.kvs.map((kv) => Buffer.from(kv.key));
  for (let i = 0; i < keys.length; i++) size += 4 + keys[i].length + 16 + 4 + s.kvs[i].value.byteLength;
  const out = Buffer.allocUnsafe(size);
  let o = MAGIC.copy(out, 0);
  o = out.writeUInt32BE(header.length, o);
  o += header.copy(out, o);
  for (let i = 0; i < keys.length; i++) {
    const kv = s.kvs[i];
    o = out.writeUInt32BE(keys[i].length, o);
    o += keys[i].copy(out, o);
    o = out.writeDoubleBE(kv.createRevision, o);
    o = out.writeDoubleBE(kv.modRevision, o);
    o = out.writeUInt32BE(kv.value.byteLength, o);
    out.set(kv.value, o);
    o += kv.value.byteLength;
  }
  return out;
}

/** The snapshot and header of encodeSnapshot's bytes; throws a StorageError for anything malformed. */
export function decodeSnapshot(buf: Uint8Array): { snapshot: StorageSnapshot; meta: Record<string, unknown> } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < MAGIC.length + 4 || !b.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid('not a Skiff snapshot (bad magic)');
  let o = MAGIC.length;
  const need = (n: number, what: string) => { if (o + n > b.length) throw invalid(`truncated in ${what}`); };
  const u32 = (what: string) => { need(4, what); const v = b.readUInt32BE(o); o += 4; return v; };
  const hlen = u32('the header length');
  if (hlen > 1024 * 1024) throw invalid('header too large');
  need(hlen, 'the header');
  let meta: Record<string, unknown>;
  try { meta = JSON.parse(b.toString('utf8', o, o + hlen)); } catch { throw invalid('the header is not JSON'); }
  o += hlen;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) throw invalid('the header is not an object');
  const count = meta.count;
  if (!Number.isSafeInteger(count) || (count as number) < 0) throw invalid('the header has no entry count');
  const kvs: KeyValue[] = [];
  for (let i = 0; i < (count as number); i++) {
    const klen = u32('a key length');
    if (klen === 0 || klen > MAX_KEY) throw invalid(`entry ${i}: key length ${klen} out of range`);
    need(klen + 16, 'a key');
    const key = b.toString('utf8', o, o + klen); o += klen;
    const createRevision = b.readDoubleBE(o); o += 8;
    const modRevision = b.readDoubleBE(o); o += 8;
    const vlen = u32('a value length');
    if (vlen > MAX_VALUE) throw invalid(`entry ${i}: value of ${vlen} bytes is too large`);
    need(vlen, 'a value');
    kvs.push({ key, createRevision, modRevision, value: new Uint8Array(b.subarray(o, o + vlen)) });
    o += vlen;
  }
  if (o !== b.length) throw invalid(`${b.length - o} unexpected bytes after the last entry`);
  const snapshot = { revision: meta.revision as number, kvs };
  checkSnapshot(snapshot);
  delete meta.count;
  delete meta.revision;
  return { snapshot, meta };
}
