// ControllerRevision history shared by the DaemonSet and StatefulSet controllers (after upstream's
// pkg/controller/history): a revision's `data` is the strategic-merge patch that replaces the
// owner's pod template, `{"spec":{"template":{…,"$patch":"replace"}}}`, written the way Go's
// encoding/json writes it (keys sorted at every level, <, > and & escaped, and the empty
// `metadata.creationTimestamp: null` / container `resources: {}` a Go struct always carries), so
// that kubectl's client-side comparison (`rollout undo` skips a revision equal to the live template)
// sees the same bytes it computes itself.
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { clone } from '../registry/codec.ts';
import { StatusError } from '../errors.ts';
import type { Informer } from './runtime.ts';
import { SAFE_ALPHABET } from './hash.ts';
import { fromLabelSelectorObject, matchLabels } from '../api/selectors.ts';
import { controllerRef, ignoreNotFound, newControllerRef, res, ts } from './util.ts';

export const crR = res('apps', 'v1', 'controllerrevisions');
/** The label upstream's history package puts on StatefulSet revisions: the hash of their data. */
export const CR_HASH_LABEL = 'controller.kubernetes.io/hash';

/** JSON as Go's encoding/json writes a map: keys sorted, HTML characters and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${goString(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  return typeof v === 'string' ? goString(v) : JSON.stringify(v);
}
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The fields Go's structs always write for a pod template, even when empty. */
function goTemplate(t: Record<string, any>): Record<string, any> {
  const out = clone(t ?? {});
  out.metadata = { creationTimestamp: null, ...(out.metadata ?? {}) };
  out.spec ??= {};
  for (const f of ['initContainers', 'containers']) {
    for (const c of out.spec[f] ?? []) c.resources ??= {};
  }
  for (const c of out.spec.ephemeralContainers ?? []) c.resources ??= {};
  return out;
}

/** The revision data of a DaemonSet or StatefulSet: its template under a replace directive. */
export function templatePatch(owner: KObject): string {
  return goJson({ spec: { template: { ...goTemplate(owner.spec?.template), $patch: 'replace' } } });
}
/** The data of a stored revision, in the same byte form as templatePatch. */
export function revisionData(rev: KObject): string {
  let s = dataCache.get(rev);
  if (s === undefined) dataCache.set(rev, s = goJson(rev.data ?? null));
  return s;
}
/** Stored objects are never mutated (registry/codec.ts), so their data bytes are computed once. */
const dataCache = new WeakMap<KObject, string>();

/** The pod template a revision records (upstream's ApplyRevision for a template-replacing patch). */
export function revisionTemplate(rev: KObject): Record<string, any> {
  const t = clone(rev.data?.spec?.template ?? {});
  delete t.$patch;
  return dropNulls(t) as Record<string, any>;
}
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = dropNulls(x);
    return o;
  }
  return v;
}

/** 32-bit FNV-1 (multiply, then xor), the hash upstream's HashControllerRevision uses. */
export function fnv32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) { h = Math.imul(h, 0x01000193) >>> 0; h = (h ^ b) >>> 0; }
  return h >>> 0;
}
/** Upstream's HashControllerRevision: FNV-1 of the data and the decimal probe, safe-encoded. */
export function hashRevision(data: string, probe?: number): string {
  const h = fnv32(data + (probe === undefined ? '' : String(probe)));
  let out = '';
  for (const ch of String(h)) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}
/** `<prefix>-<hash>`, the prefix cut to 223 characters so that the name fits 253. */
export function revisionName(prefix: string, hash: string): string { return `${prefix.slice(0, 223)}-${hash}`; }

export const revisionOf = (r: KObject): number => Number(r.revision ?? 0) || 0;
/** By revision, then creation time, then name (upstream's byRevision). */
export function sortRevisions(list: KObject[]): KObject[] {
  return [...list].sort((a, b) => revisionOf(a) - revisionOf(b) || ts(a) - ts(b) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}
/**
 * The revisions the owner controls, oldest first, after adopting orphans its selector matches
 * (upstream's ClaimControllerRevisions; the selector of both kinds is immutable, so none is released).
 */
export async function claimRevisions(store: Store, revisions: Informer, owner: KObject): Promise<KObject[]> {
  const uid = owner.metadata.uid!;
  const owned = revisions.byIndexValue('owner', uid).filter((r) => controllerRef(r)?.uid === uid && !r.metadata.deletionTimestamp);
  const sel = fromLabelSelectorObject(owner.spec?.selector);
  if (sel && !owner.metadata.deletionTimestamp) {
    for (const r of revisions.byIndexValue('orphan', owner.metadata.namespace!)) {
      if (r.metadata.deletionTimestamp || !matchLabels(sel, r.metadata.labels)) continue;
      const adopted = await store.guaranteedUpdate(crR, r.metadata.namespace, r.metadata.name!, (cur) => {
        if (!controllerRef(cur)) cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), newControllerRef(owner)];
        return cur;
      }).catch((e) => { ignoreNotFound(e); return undefined; });
      if (adopted && controllerRef(adopted)?.uid === uid) owned.push(adopted);
    }
  }
  return sortRevisions(owned);
}

/** A new revision object owned by `owner` (name and hash label are the caller's). */
export function newRevision(owner: KObject, name: string, labels: Record<string, string>, data: string, revision: number): KObject {
  const cr: KObject = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: { name, namespace: owner.metadata.namespace, labels, ownerReferences: [newControllerRef(owner)] },
    data: JSON.parse(data), revision,
  };
  if (owner.metadata.annotations && Object.keys(owner.metadata.annotations).length) cr.metadata.annotations = { ...owner.metadata.annotations };
  return cr;
}

/** Create `cr`; an existing revision of the same name is returned instead when its data is the same. */
export async function createRevision(store: Store, cr: KObject): Promise<{ rev: KObject; collided: boolean }> {
  try {
    return { rev: await store.create(crR, cr.metadata.namespace, cr), collided: false };
  } catch (e) {
    if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    const have = await store.get(crR, cr.metadata.namespace, cr.metadata.name!);
    return { rev: have, collided: revisionData(have) !== goJson(cr.data) };
  }
}

/** Set a revision's number (a template rolled back to gets the next number, as upstream). */
export async function renumberRevision(store: Store, rev: KObject, revision: number): Promise<KObject> {
  if (revisionOf(rev) === revision) return rev;
  return store.guaranteedUpdate(crR, rev.metadata.namespace, rev.metadata.name!, (cur) => { cur.revision = revision; return cur; });
}

/** Delete revisions, ignoring ones already gone. */
export async function deleteRevisions(store: Store, revs: KObject[]): Promise<void> {
  for (const r of revs) {
    await store.delete(crR, r.metadata.namespace, r.metadata.name!, { preconditions: { uid: r.metadata.uid } }).catch((e) => {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
    });
  }
}
