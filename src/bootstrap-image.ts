// An in-memory server starts from an image of the state start-up writes before ready, when it has
// one: the bootstrap objects, the RBAC policy, the API Priority and Fairness objects, the aggregated
// roles and the local APIServices, ~200 objects that every in-memory start otherwise creates through
// the full write path (~40 ms of CPU, against ~3 ms to open the image). The start-up sequence then
// runs as on an existing data directory: it finds its objects in place and writes only what differs
// (the `kubernetes` Service's port, for one).
//
// The image is taken from the first in-memory start made without one, at the moment it is ready
// (server.ts), and opened with fresh identities: each object's uid (and every reference to it) is
// replaced by a new one and every time stamp by now, so that two servers never share a uid and
// creation times are those of this start, as a start without an image would have written them.
// Where images are kept (a directory that belongs to one build of the sources, so that an image never
// outlives the code that made it) is the caller's choice: `skiff serve` keeps them beside its bundle.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rfc3339, rfc3339Micro } from './clock.ts';
import type { Clock } from './clock.ts';

/** Where a server finds (read) and leaves (write) the image of its start-up state. */
export interface BootstrapImageStore {
  read(): Uint8Array | undefined;
  write(bytes: Uint8Array): void;
}

/** A quoted uid (group 1) or time stamp (group 2: its microseconds, if any), in one pass over a value. */
const UID_OR_TIME = /"(?:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z)"/g;

/**
 * The rewrite of stored values that gives an image fresh identities (see the file's comment): one
 * new uid per uid of the image, the same wherever it appears (owner references included), and now
 * for every time stamp, at the precision it had. `own`: string members whose values are this start's
 * wherever they appear, by member name (the front-proxy CA's certificate, which the ConfigMap
 * extension-apiserver-authentication publishes: the image keeps the certificate of the start that
 * made it, never its key, and each start makes its own CA).
 */
export function freshIdentities(clock: Clock, own: Record<string, string> = {}): (value: Uint8Array) => Uint8Array {
  return freshImage(clock, own).rewrite;
}

/**
 * freshIdentities in the two forms the storage takes (SqliteOptions.image): `rewrite`, value by value,
 * and `inPlace`, over the raw image before it opens. A uid is 36 characters and a time stamp 20 or 27
 * whatever its value, so the image's bytes can be rewritten where they are, in one pass over them
 * (~1 ms instead of ~5 ms of a call per value); what cannot be done so is left to `rewrite`: the
 * members of `own` (their values differ in length), which `inPlace` answers as the byte strings that
 * mark the values still to rewrite. `rewrite` leaves alone the uids `inPlace` made (it runs on values
 * the storage cannot vouch for, e.g. those split across pages), and rewrites a time stamp to the same now.
 */
export function freshImage(clock: Clock, own: Record<string, string> = {}): { rewrite(value: Uint8Array): Uint8Array; inPlace(image: Buffer): Uint8Array[] } {
  const uids = new Map<string, string>();
  const minted = new Set<string>();
  const freshUid = (uid: string) => {
    if (minted.has(uid)) return uid;
    let fresh = uids.get(uid);
    if (!fresh) { uids.set(uid, fresh = clock.uuid()); minted.add(fresh); }
    return fresh;
  };
  const now = clock.now();
  const seconds = rfc3339(now);
  const micros = rfc3339Micro(now);
  const members = Object.entries(own).map(([name, v]) => {
    const member = JSON.stringify(name) + ':';
    return { member, re: new RegExp(`${member.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"(?:[^"\\\\]|\\\\.)*"`, 'g'), to: member + JSON.stringify(v) };
  });
  return {
    rewrite(value) {
      const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
      let mine = text;
      for (const m of members) if (mine.includes(m.member)) mine = mine.replace(m.re, () => m.to);
      const out = mine.replace(UID_OR_TIME, (_m, uid: string | undefined, fraction: string | undefined) =>
        `"${uid === undefined ? (fraction ? micros : seconds) : freshUid(uid)}"`);
      return out === text ? value : Buffer.from(out, 'utf8');
    },
    inPlace(image) {
      // Bytes as latin1 characters, one per byte: the pattern is ASCII, and no byte of a multi-byte
      // UTF-8 character is, so the matches are those of the text, at their byte offsets.
      const text = image.toString('latin1');
      for (const m of text.matchAll(UID_OR_TIME)) {
        image.write(m[1] === undefined ? (m[2] ? micros : seconds) : freshUid(m[1]), m.index + 1, 'latin1');
      }
      return members.map((m) => Buffer.from(m.member, 'utf8'));
    },
  };
}

/**
 * Images kept as files in `dir`, one per `variant` (the options that change what start-up writes,
 * e.g. without the default StorageClass). Reading a missing or unreadable file gives undefined;
 * writing is best effort (a read-only directory keeps no image) and atomic (a file is complete or absent).
 */
export function bootstrapImageFiles(dir: string, variant: string): BootstrapImageStore {
  const file = join(dir, `bootstrap-${variant.replace(/[^A-Za-z0-9.-]+/g, '_')}.sqlite`);
  return {
    read() {
      try { return readFileSync(file); } catch { return undefined; }
    },
    write(bytes) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, bytes);
        renameSync(tmp, file);
      } catch {
        try { rmSync(tmp, { force: true }); } catch { /* no such directory: nothing was written */ }
      }
    },
  };
}
