// The generic registry: one implementation of every verb for every kind (after k8s.io/apiserver's
// generic registry Store). A kind contributes only a Strategy. Objects returned by this store are
// shared with its cache: treat them as read-only and clone before changing.
import { validateEphemeralContainersUpdate, withEphemeralContainers } from './kinds/pod-ephemeral.ts';
import type { Backend, KeyValue, WatchEvent } from '../storage/types.ts';
import { isStorageError } from '../storage/types.ts';
import type { Clock } from '../clock.ts';
import { rfc3339 } from '../clock.ts';
import { errors, StatusError } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import type { ResourceInfo } from './resources.ts';
import { findResource, gvString, storagePrefix } from './resources.ts';
import type { AdmissionContext, KObject, Strategy, StrategyContext, StrategyServices } from './strategy.ts';
import { adopt, canonical, clone, decode, encode, forget, prime, setUnretained } from './codec.ts';
import { shareUnchanged } from '../util/share-equal.ts';
import { wireForm, wireFormCopy, wireFormReusing } from './wire-form.ts';
import type { Entry } from './codec.ts';
import { conversionFor, decodeAs, prepareConversions, relabelError, storageResource, toStorageVersionAsync, toVersionAsync } from './conversion.ts';
import type { FieldRequirement, LabelSelector } from '../api/selectors.ts';
import { matchFields, matchLabels } from '../api/selectors.ts';
import { deepEqual } from '../util/deep-equal.ts';
import { ResourceTable } from './resource-table.ts';
import { AdmissionChain, admissionUser } from '../admission/index.ts';
import type { AdmissionAttributes, Operation } from '../admission/index.ts';
import type { User } from '../auth/user.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** The object's managedFields were computed by server-side apply for this write: store them as given. */
  appliedOwnership?: boolean;
  /** Set by the store when it writes another version (the storage version) than the client asked for. */
  requestedAs?: ResourceInfo;
  /** The options admission sees (AdmissionReview.request.options); CreateOptions/UpdateOptions/DeleteOptions built from these options when absent. */
  admissionOptions?: Record<string, unknown>;
  /** Who asks (API requests); writes by in-process controllers carry none and are not checked. */
  user?: User;
  /**
   * create: the caller hands `input` over (a request body decoded for this write, used for nothing
   * else), so the store works on it instead of a deep copy.
   */
  owned?: boolean;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldRequirement[];
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: Entry[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  /** The client sent the deprecated orphanDependents: false (the response code depends on it). */
  orphanDependentsFalse?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface ObjectEvent { type: WatchEventType; entry: Entry }

export interface WatchOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldRequirement[];
  /** '' / undefined / '0': start with ADDED for every current object. Otherwise: changes after it. */
  resourceVersion?: string;
  sendInitialEvents?: boolean;
}

export interface StoreWatch {
  cancel(): void;
  /** Revision up to which every event has been delivered (for bookmarks). */
  progress(): number;
}

/** Kinds whose PUT creates a missing object (upstream's AllowCreateOnUpdate). */
/**
 * Resources whose parsed objects are not kept with their stored bytes: core Events (~3 per pod) are
 * written by every component but read by no in-process informer, so holding a parsed copy of each
 * would cost more memory than re-parsing the rare list or watch of them.
 */
const UNRETAINED: [group: string, version: string, resource: string][] = [['', 'v1', 'events']];

const CREATE_ON_UPDATE = new Set(['services', 'endpoints', 'events', 'limitranges', 'leases', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', 'priorityclasses']);
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
/** Kinds that keep the status they are created with (upstream does not reset it). */
const KEEP_STATUS_ON_CREATE = new Set(['nodes', 'customresourcedefinitions', 'certificatesigningrequests', 'persistentvolumes']);

export class Store {
  readonly backend: Backend;
  readonly clock: Clock;
  private readonly strategies: (r: ResourceInfo) => Strategy;
  services?: StrategyServices;
  /** Validates object metadata; provided by the kinds module. */
  private readonly validateMeta: (r: ResourceInfo, obj: KObject, strategy: Strategy) => FieldError[];
  private readonly validateMetaUpdate: (obj: KObject, old: KObject) => FieldError[];
  /** Records field ownership (metadata.managedFields) for a write by `manager`; returns the new object. */
  managedFields?: (old: KObject | undefined, next: KObject, manager: string, r: ResourceInfo, subresource?: string) => KObject;
  /** Admission that needs the requesting user (RBAC escalation checks, CSR requester stamping); may mutate obj or throw a StatusError. */
  userAdmission?: (r: ResourceInfo, obj: KObject, old: KObject | undefined, user: User) => Promise<void>;
  /** This server's resource table: the built-in resources plus those served from its CRDs. */
  readonly resources: ResourceTable;
  /** Admission plugins every write goes through (src/admission), registered at server start. */
  readonly admission = new AdmissionChain();

  constructor(deps: {
    backend: Backend; clock: Clock;
    strategyFor: (r: ResourceInfo) => Strategy;
    validateMeta: (r: ResourceInfo, obj: KObject, strategy: Strategy) => FieldError[];
    validateMetaUpdate: (obj: KObject, old: KObject) => FieldError[];
    services?: StrategyServices;
    resources?: ResourceTable;
  }) {
    this.resources = deps.resources ?? new ResourceTable();
    this.backend = deps.backend;
    this.clock = deps.clock;
    this.strategies = deps.strategyFor;
    this.validateMeta = deps.validateMeta;
    this.validateMetaUpdate = deps.validateMetaUpdate;
    this.services = deps.services;
    setUnretained(UNRETAINED.map(([g, v, res]) => storagePrefix(findResource(g, v, res)!)));
  }

  key(r: ResourceInfo, ns: string | undefined, name: string): string {
    return r.namespaced ? `${storagePrefix(r)}${ns}/${name}` : `${storagePrefix(r)}${name}`;
  }
  prefix(r: ResourceInfo, ns: string | undefined): string {
    return r.namespaced && ns ? `${storagePrefix(r)}${ns}/` : storagePrefix(r);
  }
  private ctx(r: ResourceInfo): StrategyContext { return { clock: this.clock, resource: r, services: this.services }; }
  private gr(r: ResourceInfo) { return { group: r.group, resource: r.resource }; }

  // ---------- reads ----------

  async get(r: ResourceInfo, ns: string | undefined, name: string, resourceVersion?: string): Promise<KObject> {
    return (await this.getEntry(r, ns, name, resourceVersion)).obj;
  }

  async getEntry(r: ResourceInfo, ns: string | undefined, name: string, resourceVersion?: string): Promise<Entry> {
    const rev = resourceVersion && resourceVersion !== '0' ? parseRV(resourceVersion) : undefined;
    let kv: KeyValue | undefined;
    try {
      kv = await this.backend.get(this.key(r, ns, name), rev);
    } catch (e) {
      throw this.storageToStatus(e, r, name);
    }
    if (!kv) throw errors.notFound(this.gr(r), name);
    await prepareConversions([kv], r);
    return decodeAs(kv, r);
  }

  /** Read the object if it exists (no error). */
  async tryGet(r: ResourceInfo, ns: string | undefined, name: string): Promise<KObject | undefined> {
    const kv = await this.backend.get(this.key(r, ns, name));
    if (kv) await prepareConversions([kv], r);
    return kv ? decodeAs(kv, r).obj : undefined;
  }

  async list(r: ResourceInfo, ns: string | undefined, opts: ListOptions = {}): Promise<ListResult> {
    const prefix = this.prefix(r, ns);
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (opts.continue) {
      const tok = decodeContinue(opts.continue);
      if (!tok.start.startsWith(prefix.slice(storagePrefix(r).length)) && ns) throw errors.badRequest('continue key is not valid: key is not in the requested range');
      // rv -1: the token a 410 below hands out, continuing at the newest revision (upstream's inconsistent continue).
      revision = tok.rv === -1 ? undefined : tok.rv;
      startAfter = storagePrefix(r) + tok.start;
      if (revision !== undefined && revision < this.backend.compactRevision()) {
        const e = errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        e.status.metadata = { continue: encodeContinue(-1, tok.start) };
        throw e;
      }
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const want = parseRV(opts.resourceVersion);
      const current = this.backend.currentRevision();
      if (opts.resourceVersionMatch === 'Exact') revision = want;
      else if (want > current) {
        const e = new StatusError(504, 'Timeout', `Too large resource version: ${want}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
        throw e;
      }
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const filtering = (opts.labelSelector && opts.labelSelector.length > 0) || (opts.fieldSelector && opts.fieldSelector.length > 0);
    const items: Entry[] = [];
    let listRev = revision ?? this.backend.currentRevision();
    let more = false;
    let remaining: number | undefined;
    let lastKey: string | undefined;
    try {
      for (;;) {
        const want = limit ? limit - items.length : 0;
        const page = await this.backend.list(prefix, { revision, limit: filtering && want ? Math.max(want, 500) : want, startAfter });
        listRev = page.revision;
        revision ??= page.revision;
        await prepareConversions(page.items, r, true);
        for (let i = 0; i < page.items.length; i++) {
          const kv = page.items[i];
          const e = decodeAs(kv, r);
          lastKey = kv.key;
          if (!filtering || this.matches(r, e.obj, opts.labelSelector, opts.fieldSelector)) {
            items.push(e);
            if (limit && items.length >= limit) {
              more = i < page.items.length - 1 || page.more;
              break;
            }
          }
        }
        if (limit && items.length >= limit) {
          if (!filtering) remaining = (page.remaining ?? 0) + (page.items.length - (page.items.findIndex((kv) => kv.key === lastKey) + 1));
          break;
        }
        if (!page.more) { more = false; break; }
        startAfter = page.items[page.items.length - 1].key;
      }
    } catch (e) {
      throw this.storageToStatus(e, r, '');
    }
    const result: ListResult = { items, resourceVersion: String(listRev) };
    if (more && lastKey) {
      result.continue = encodeContinue(listRev, lastKey.slice(storagePrefix(r).length));
      if (remaining !== undefined && remaining > 0) result.remainingItemCount = remaining;
    }
    return result;
  }

  matches(r: ResourceInfo, obj: KObject, labels?: LabelSelector, fields?: FieldRequirement[]): boolean {
    if (labels && labels.length && !matchLabels(labels, obj.metadata.labels)) return false;
    if (fields && fields.length) {
      const extra = this.strategies(r).fieldSelectors;
      if (!matchFields(fields, (f) => {
        if (f === 'metadata.name') return obj.metadata.name;
        if (f === 'metadata.namespace') return obj.metadata.namespace;
        return extra?.[f]?.(obj);
      })) return false;
    }
    return true;
  }

  /** 400 for a field selector the kind does not support, as upstream. */
  checkFieldSelector(r: ResourceInfo, fields: FieldRequirement[] | undefined): void {
    if (!fields) return;
    const extra = this.strategies(r).fieldSelectors ?? {};
    for (const f of fields) {
      if (f.field === 'metadata.name' || f.field === 'metadata.namespace' || f.field in extra) continue;
      throw errors.badRequest(`field label not supported: ${f.field}`);
    }
  }

  // ---------- writes ----------

  async create(r: ResourceInfo, ns: string | undefined, input: KObject, opts: WriteOptions = {}): Promise<KObject> {
    // A version other than the storage version: convert, write as the storage version, convert back.
    if (conversionFor(r)) return toVersionAsync(await this.create(storageResource(r), ns, await toStorageVersionAsync(input, r), { ...opts, requestedAs: opts.requestedAs ?? r }).catch((e) => { throw relabelError(e, r); }), r);
    let obj = canonical({ ...(opts.owned ? input : clone(input)), apiVersion: gvString(r), kind: r.kind });
    const strategy = this.strategies(r);
    obj.metadata ??= {};
    checkMetaTypes(obj);
    if (r.namespaced) {
      if (obj.metadata.namespace && ns && obj.metadata.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = ns;
    } else {
      delete obj.metadata.namespace;
    }
    if (r.namespaced && ns) await this.checkNamespace(r, ns, obj.metadata.name ?? obj.metadata.generateName ?? '');
    let meta = obj.metadata;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = this.clock.uuid();
    meta.creationTimestamp = rfc3339(this.clock.now());
    if (hasSpec(obj) && strategy.generation !== false) meta.generation = 1; else delete meta.generation;
    if (r.subresources.some((s) => s.name === 'status') && !KEEP_STATUS_ON_CREATE.has(r.resource)) delete obj.status;
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = meta.generateName + this.clock.randomString(5);
    // Field ownership records the client's intent plus scheme defaults, before the strategy and
    // admission add their own fields (see Strategy.defaults).
    const record = (o: KObject) => (opts.fieldManager && this.managedFields ? this.managedFields(undefined, o, opts.fieldManager, r) : o);
    let owned: KObject['metadata']['managedFields'];
    if (strategy.load) await strategy.load(obj);
    if (strategy.defaults) { strategy.defaults(obj); owned = record(obj).metadata.managedFields; }
    strategy.prepareForCreate?.(obj, this.ctx(r));
    if (opts.user && this.userAdmission) await this.userAdmission(r, obj, undefined, opts.user).catch((e) => { this.undoAllocations(obj, strategy, r); throw e; });
    if (strategy.admitCreate) {
      await strategy.admitCreate(obj, this.admissionCtx(r, opts.requestedAs))
        .catch((e) => { this.undoAllocations(obj, strategy, r); throw e; });
    }
    const admission = this.admission.empty ? undefined : this.attributes('CREATE', r, ns, generated ? '' : meta.name!, opts, '', obj);
    if (admission) {
      // Mutating admission sees the object as the client sent it: no name yet for generateName.
      const name = meta.name;
      if (generated) delete meta.name;
      const mutating = this.admission.mutate(admission, () => this.admissionCtx(r, opts.requestedAs));
      if (mutating) await mutating.catch((e) => { this.undoAllocations(obj, strategy, r); throw e; });
      obj = this.admitted(admission, obj, r);
      meta = obj.metadata;
      meta.name ??= name;
    }
    const errs = [...this.validateMeta(r, obj, strategy), ...(strategy.validate?.(obj, this.ctx(r)) ?? [])];
    if (errs.length) {
      this.undoAllocations(obj, strategy, r);
      throw errors.invalid(r.group, r.kind, meta.name ?? '', errs);
    }
    if (admission) {
      admission.object = obj;
      const validating = this.admission.validate(admission, () => this.admissionCtx(r, opts.requestedAs));
      if (validating) await validating.catch((e) => { this.undoAllocations(obj, strategy, r); throw e; });
    }
    if (opts.dryRun) {
      this.undoAllocations(obj, strategy, r);
      return wireForm(obj);
    }
    // Stored (and answered) as upstream's encoder writes it: struct order, Go's zero values.
    if (owned !== undefined) meta.managedFields = owned;
    const stored = wireForm(strategy.defaults ? obj : record(obj));
    for (let attempt = 0; ; attempt++) {
      try {
        const key = this.key(r, ns, meta.name!);
        const kv = await this.backend.create(key, encode(stored, key));
        const out = adopt(kv, stored).obj;
        if (admission) this.admission.settled(admission, out);
        return out;
      } catch (e) {
        if (isStorageError(e, 'KeyExists') && generated && attempt < 8) { meta.name = stored.metadata.name = meta.generateName + this.clock.randomString(5); continue; }
        if (admission) this.admission.settled(admission, undefined);
        this.undoAllocations(obj, strategy, r);
        if (isStorageError(e, 'KeyExists')) throw errors.alreadyExists(this.gr(r), meta.name!);
        throw this.storageToStatus(e, r, meta.name!);
      }
    }
  }

  private undoAllocations(obj: KObject, strategy: Strategy, r: ResourceInfo): void {
    try { strategy.afterDelete?.(obj, this.ctx(r)); } catch { /* nothing held */ }
  }

  private async checkNamespace(r: ResourceInfo, ns: string, name: string): Promise<void> {
    const nsr = findResource('', 'v1', 'namespaces')!;
    const kv = await this.backend.get(this.key(nsr, undefined, ns));
    if (!kv) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
    const nsObj = decode(kv).obj;
    if (nsObj.metadata.deletionTimestamp || nsObj.status?.phase === 'Terminating') {
      // Events may still be written into a terminating namespace, as upstream allows.
      if (r.resource !== 'events') throw errors.namespaceTerminating(this.gr(r), name, ns);
    }
  }

  /**
   * PUT semantics. `subresource` 'status' replaces only status; otherwise status is kept.
   * Returns the stored object and whether it was created.
   */
  async update(r: ResourceInfo, ns: string | undefined, name: string, input: KObject, opts: WriteOptions & { subresource?: string } = {}): Promise<{ obj: KObject; created: boolean }> {
    if (conversionFor(r)) {
      const out = await this.update(storageResource(r), ns, name, await toStorageVersionAsync(input, r), { ...opts, requestedAs: opts.requestedAs ?? r }).catch((e) => { throw relabelError(e, r); });
      return { obj: await toVersionAsync(out.obj, r), created: out.created };
    }
    if (input?.metadata?.name !== undefined && input.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (r.namespaced && input?.metadata?.namespace && input.metadata.namespace !== ns) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const kv = await this.backend.get(this.key(r, ns, name));
    if (!kv) {
      if (CREATE_ON_UPDATE.has(r.resource) && !opts.subresource) {
        const obj = clone(input);
        obj.metadata = { ...obj.metadata, name };
        if (obj.metadata.resourceVersion) throw errors.notFound(this.gr(r), name);
        return { obj: await this.create(r, ns, obj, opts), created: true };
      }
      throw errors.notFound(this.gr(r), name);
    }
    const rv = input?.metadata?.resourceVersion;
    if (rv && rv !== String(kv.modRevision)) throw errors.staleConflict(this.gr(r), name);
    // A uid in the body is a precondition, as upstream's PUT (defaultUpdatedObjectInfo.Preconditions).
    const uid = input?.metadata?.uid;
    const curUid = decode(kv).obj.metadata.uid;
    if (uid && uid !== curUid) {
      throw errors.conflict(this.gr(r), name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${curUid}`);
    }
    // Without a resourceVersion the update is unconditional: a write that lands in between (a
    // controller's status update) is retried on the newer object, as upstream's GuaranteedUpdate does.
    for (let attempt = 0, cur = kv; ; attempt++) {
      try {
        // writeUpdate changes nothing it is given (it works on a copy), so each attempt starts from input.
        return { obj: await this.writeUpdate(r, ns, name, cur, input, opts), created: false };
      } catch (e) {
        if (rv || attempt >= 16 || !(e instanceof StatusError && e.reason === 'Conflict' && e.code === 409)) throw e;
        const next = await this.backend.get(this.key(r, ns, name));
        if (!next || decode(next).obj.metadata.uid !== curUid) throw e;
        cur = next;
      }
    }
  }

  /**
   * Read-modify-write with retries on conflict (upstream's GuaranteedUpdate). `mutate` receives a
   * private copy of the current object and returns the desired object; if it carries a
   * resourceVersion that differs from the current one, the write fails with 409.
   */
  async guaranteedUpdate(r: ResourceInfo, ns: string | undefined, name: string,
    mutate: (cur: KObject) => KObject | Promise<KObject>, opts: WriteOptions & { subresource?: string } = {}): Promise<KObject> {
    if (conversionFor(r)) {
      // The mutation sees and returns `r`'s version; the write happens in the storage version.
      const out = await this.guaranteedUpdate(storageResource(r), ns, name, async (cur) => toStorageVersionAsync(await mutate(await toVersionAsync(cur, r)), r), { ...opts, requestedAs: opts.requestedAs ?? r }).catch((e) => { throw relabelError(e, r); });
      return toVersionAsync(out, r);
    }
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(this.key(r, ns, name));
      if (!kv) throw errors.notFound(this.gr(r), name);
      const cur = decode(kv).obj;
      const next = await mutate(clone(cur));
      const rv = next?.metadata?.resourceVersion;
      if (rv && rv !== String(kv.modRevision)) throw errors.staleConflict(this.gr(r), name);
      try {
        return await this.writeUpdate(r, ns, name, kv, next, opts);
      } catch (e) {
        if (e instanceof StatusError && e.reason === 'Conflict' && !rv && attempt < 16) continue;
        throw e;
      }
    }
  }

  /** What the admission chain sees of a write (upstream's admission.Attributes). */
  private attributes(operation: Operation, r: ResourceInfo, ns: string | undefined, name: string, opts: WriteOptions,
    subresource: string, object?: KObject, oldObject?: KObject): AdmissionAttributes {
    return {
      operation, resource: r, requestResource: opts.requestedAs ?? r, subresource, name,
      namespace: r.namespaced ? ns ?? '' : '', object, oldObject, user: admissionUser(), dryRun: !!opts.dryRun,
      options: opts.admissionOptions ?? defaultAdmissionOptions(operation, opts),
    };
  }

  /** The object after mutating admission (a plugin may replace it), back in the store's canonical form. */
  private admitted(a: AdmissionAttributes, obj: KObject, r: ResourceInfo): KObject {
    const replaced = a.object !== undefined && a.object !== obj;
    const out = a.object && replaced ? canonical({ ...a.object, apiVersion: gvString(r), kind: r.kind }) : obj;
    out.metadata ??= {};
    // A webhook's patched object is decoded again upstream, which applies the scheme's defaults to
    // what the patch added (an init container gets its imagePullPolicy, terminationMessagePolicy, …).
    if (replaced) this.strategies(r).defaults?.(out);
    a.object = out;
    return out;
  }

  /** What admission may read: the strategy context plus every stored object of a resource. */
  private admissionCtx(r: ResourceInfo, requestedAs?: ResourceInfo): AdmissionContext {
    return {
      ...this.ctx(r), requestedAs, list: async (g, v, res) => (await this.list(findResource(g, v, res)!, undefined)).items.map((e) => e.obj),
      get: (g, v, res, ns, name) => this.tryGet(findResource(g, v, res)!, ns, name),
    };
  }

  private async writeUpdate(r: ResourceInfo, ns: string | undefined, name: string, kv: KeyValue, obj: KObject, opts: WriteOptions & { subresource?: string }): Promise<KObject> {
    const old = decode(kv).obj;
    const strategy = this.strategies(r);
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw errors.badRequest('the body of the request must be an object');
    // A shallow copy of metadata: checkMetaTypes drops its null members.
    const meta = obj.metadata && typeof obj.metadata === 'object' && !Array.isArray(obj.metadata) ? { ...obj.metadata } : obj.metadata ?? {};
    obj = canonical({ ...obj, apiVersion: gvString(r), kind: r.kind, metadata: meta });
    checkMetaTypes(obj);
    let next: KObject;
    // Server-internal subresources (pods/binding, namespaces/finalize) write the whole object as given.
    const ephemeral = opts.subresource === 'ephemeralcontainers';
    const internal = opts.subresource !== undefined && opts.subresource !== 'status' && !ephemeral;
    if (internal) {
      next = obj;
    } else if (ephemeral) {
      // pods/ephemeralcontainers: only spec.ephemeralContainers comes from the request.
      next = withEphemeralContainers(old, clone(obj));
      next.metadata.resourceVersion = obj.metadata.resourceVersion;
    } else if (opts.subresource === 'status') {
      // Everything but status (and, for some kinds, metadata) from the stored object; the copying wire
      // form below makes it this write's own.
      next = { ...old, metadata: { ...old.metadata }, status: obj.status };
      if (obj.status === undefined) delete next.status;
      if (strategy.statusUpdatesMetadata) next.metadata = { ...obj.metadata, managedFields: old.metadata.managedFields };
      // Ownership that server-side apply recorded for this status write is kept, as upstream's status
      // strategies keep the new object's managedFields (other status writes get theirs recorded below).
      if (opts.appliedOwnership && Array.isArray(obj.metadata.managedFields)) next.metadata.managedFields = obj.metadata.managedFields;
    } else {
      next = obj;
      const hasStatusSub = r.subresources.some((s) => s.name === 'status');
      if (hasStatusSub) { if (old.status === undefined) delete next.status; else next.status = old.status; }
    }
    // As upstream decodes a body into its Go type before anything compares it with the stored object:
    // a field left out and its Go zero value (resources: {}, creationTimestamp: null) are the same.
    // A copy that shares nothing with the request's object or the stored one, so what follows may change it.
    // The resourceVersion is left out here rather than deleted below: deleting a member from the middle
    // of an object makes V8 keep it as a slow dictionary, which the writes below would then walk.
    next = wireFormCopy(withoutResourceVersion(next));
    const m = next.metadata;
    m.name = name;
    if (r.namespaced) m.namespace = ns; else delete m.namespace;
    // Fields the server owns.
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) { m.deletionTimestamp = old.metadata.deletionTimestamp; m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds; }
    else { delete m.deletionTimestamp; delete m.deletionGracePeriodSeconds; }
    if (old.metadata.generation !== undefined) {
      m.generation = old.metadata.generation;
      if (opts.subresource === undefined && strategy.generation !== false && !deepEqual(specOf(next), specOf(old))) m.generation = old.metadata.generation + 1;
    } else delete m.generation;
    delete m.resourceVersion;
    if (strategy.load) await strategy.load(next);
    if (opts.subresource === undefined) strategy.prepareForUpdate?.(next, old, this.ctx(r));
    if (opts.subresource === undefined && opts.user && this.userAdmission) await this.userAdmission(r, next, old, opts.user);
    // Admission runs for the object and its status; the server's own subresource writes (binding, finalize) skip it.
    const admission = this.admission.empty || internal ? undefined : this.attributes('UPDATE', r, ns, name, opts, opts.subresource ?? '', next, old);
    if (admission) {
      await this.admission.mutate(admission, this.admissionCtx(r, opts.requestedAs));
      next = this.admitted(admission, next, r);
      next.metadata.name = name;
      if (r.namespaced) next.metadata.namespace = ns; else delete next.metadata.namespace;
      next.metadata.uid = old.metadata.uid;
      next.metadata.creationTimestamp = old.metadata.creationTimestamp;
    }
    const metaOnStatus = opts.subresource === 'status' && strategy.statusUpdatesMetadata
      ? [...this.validateMeta(r, next, strategy), ...this.validateMetaUpdate(next, old)] : [];
    const statusErrs = opts.subresource === 'status' ? strategy.validateStatusUpdate?.(next, old, this.ctx(r)) ?? [] : [];
    const errs = ephemeral ? validateEphemeralContainersUpdate(next, old) : opts.subresource !== undefined ? [...metaOnStatus, ...statusErrs] : [
      ...this.validateMeta(r, next, strategy),
      ...this.validateMetaUpdate(next, old),
      ...(strategy.validateUpdate?.(next, old, this.ctx(r)) ?? strategy.validate?.(next, this.ctx(r)) ?? []),
    ];
    if (errs.length) throw errors.invalid(r.group, r.kind, name, errs);
    if (opts.subresource === undefined && strategy.admitUpdate) await strategy.admitUpdate(next, old, this.admissionCtx(r, opts.requestedAs));
    if (opts.subresource === 'status' && strategy.admitStatusUpdate) await strategy.admitStatusUpdate(next, old, this.admissionCtx(r, opts.requestedAs));
    if (admission) { admission.object = next; await this.admission.validate(admission, this.admissionCtx(r, opts.requestedAs)); }
    if (opts.fieldManager && this.managedFields && (opts.subresource === undefined || opts.subresource === 'status')) {
      next = this.managedFields(old, next, opts.fieldManager, r, opts.subresource);
    }
    // In wire form before comparing: a write that differs only in order or Go zero values changes nothing.
    // next is this write's own (brought into wire form above), so the parts still in wire form are kept.
    next = wireFormReusing(next);
    // A write that changes nothing is not written: resourceVersion stays (kubectl shows "(no change)").
    if (unchanged(next, old)) return old;
    // Removing the last finalizer of an object being deleted completes the deletion.
    if (m.deletionTimestamp && (!m.finalizers || m.finalizers.length === 0) && !opts.dryRun) {
      try {
        const gone = await this.backend.delete(this.key(r, ns, name), kv.modRevision);
        strategy.afterDelete?.(next, this.ctx(r));
        forget(kv);
        const out = prime(gone, next).obj;
        forget(gone);
        return out;
      } catch (e) { throw this.storageToStatus(e, r, name); }
    }
    if (opts.dryRun) { next.metadata.resourceVersion = String(kv.modRevision); return next; }
    try {
      const stored = next;
      // The new revision shares what did not change with the stored one (util/share-equal.ts).
      shareUnchanged(stored, old);
      const key = this.key(r, ns, name);
      const nkv = await this.backend.update(key, encode(stored, key), kv.modRevision);
      forget(kv);
      return adopt(nkv, stored).obj;
    } catch (e) {
      throw this.storageToStatus(e, r, name);
    }
  }

  /**
   * DELETE semantics: preconditions, finalizers, graceful deletion (pods on a node), propagation
   * finalizers. Returns the object and whether it is gone now (false: marked for deletion).
   */
  /**
   * Admission of a CONNECT (pods/exec, pods/attach, pods/portforward): the connect options object
   * (PodExecOptions, PodAttachOptions, PodPortForwardOptions) is what plugins and webhooks see.
   */
  async admitConnect(r: ResourceInfo, ns: string, name: string, subresource: string, options: KObject): Promise<void> {
    if (this.admission.empty) return;
    const as: ResourceInfo = { ...r, kind: String(options.kind ?? r.kind) };
    const attrs = { ...this.attributes('CONNECT', as, ns, name, { requestedAs: as }, subresource, options), options: {} };
    await this.admission.mutate(attrs, this.admissionCtx(r));
    await this.admission.validate(attrs, this.admissionCtx(r));
  }

  async delete(r: ResourceInfo, ns: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ obj: KObject; deleted: boolean }> {
    if (conversionFor(r)) {
      const out = await this.delete(storageResource(r), ns, name, opts).catch((e) => { throw relabelError(e, r); });
      return { obj: await toVersionAsync(out.obj, r), deleted: out.deleted };
    }
    // The NamespaceLifecycle admission plugin protects the system namespaces.
    if (r.resource === 'namespaces' && IMMORTAL_NAMESPACES.has(name)) {
      throw errors.forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(this.key(r, ns, name));
      if (!kv) throw errors.notFound(this.gr(r), name);
      const cur = decode(kv).obj;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw errors.conflict(this.gr(r), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw errors.conflict(this.gr(r), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
      }
      if (attempt === 0 && !this.admission.empty) {
        // Upstream runs mutating admission on DELETE too (a mutating webhook may watch deletes; it cannot patch).
        const attrs = this.attributes('DELETE', r, ns, name, opts, '', undefined, cur);
        await this.admission.mutate(attrs, this.admissionCtx(r, opts.requestedAs));
        await this.admission.validate(attrs, this.admissionCtx(r, opts.requestedAs));
      }
      const marked = clone(cur);
      if (!marked.metadata.deletionTimestamp) this.strategies(r).prepareForDelete?.(marked, this.ctx(r));
      const m = marked.metadata;
      const finalizers = new Set(m.finalizers ?? []);
      const policy = opts.propagationPolicy;
      if (policy === 'Orphan') { finalizers.add('orphan'); finalizers.delete('foregroundDeletion'); }
      else if (policy === 'Foreground') { finalizers.add('foregroundDeletion'); finalizers.delete('orphan'); }
      else if (policy === 'Background' && m.deletionTimestamp) { finalizers.delete('orphan'); finalizers.delete('foregroundDeletion'); }
      // Namespaces always go through the namespace controller (spec.finalizers), as upstream.
      const nsFinalizing = r.resource === 'namespaces' && (marked.spec?.finalizers?.length ?? 0) > 0;
      const grace = this.gracePeriod(r, cur, opts.gracePeriodSeconds);
      const mustWait = finalizers.size > 0 || nsFinalizing || grace > 0;
      if (!mustWait) {
        if (opts.dryRun) return { obj: cur, deleted: true };
        try {
          const gone = await this.backend.delete(this.key(r, ns, name), kv.modRevision);
          this.strategies(r).afterDelete?.(cur, this.ctx(r));
          const out = decode(gone).obj;
          forget(kv);
          forget(gone);
          return { obj: out, deleted: true };
        } catch (e) {
          if (isStorageError(e, 'Conflict') && attempt < 16) continue;
          throw this.storageToStatus(e, r, name);
        }
      }
      if (finalizers.size) m.finalizers = [...finalizers]; else delete m.finalizers;
      const now = this.clock.now();
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = rfc3339(now + grace * 1000);
        m.deletionGracePeriodSeconds = grace;
      } else if (grace < (m.deletionGracePeriodSeconds ?? 0)) {
        // A shorter grace period may replace a longer one.
        m.deletionTimestamp = rfc3339(now + grace * 1000);
        m.deletionGracePeriodSeconds = grace;
      }
      if (r.resource === 'namespaces') marked.status = { ...(marked.status ?? {}), phase: 'Terminating' };
      const next = wireForm(marked);
      if (deepEqual(next, cur)) return { obj: cur, deleted: false };
      if (opts.dryRun) return { obj: next, deleted: false };
      try {
        const key = this.key(r, ns, name);
        const nkv = await this.backend.update(key, encode(next, key), kv.modRevision);
        forget(kv);
        return { obj: adopt(nkv, next).obj, deleted: false };
      } catch (e) {
        if (isStorageError(e, 'Conflict') && attempt < 16) continue;
        throw this.storageToStatus(e, r, name);
      }
    }
  }

  private gracePeriod(r: ResourceInfo, obj: KObject, requested?: number): number {
    if (r.resource !== 'pods') return 0;
    // Unscheduled or finished pods go at once, as upstream's pod strategy decides.
    if (!obj.spec?.nodeName) return 0;
    const phase = obj.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    const g = requested ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  }

  /** Delete every object matching the selectors in the namespace (deletecollection). */
  async deleteCollection(r: ResourceInfo, ns: string | undefined, list: ListOptions, opts: DeleteOptions): Promise<KObject[]> {
    const { items } = await this.list(r, ns, list);
    const out: KObject[] = [];
    for (const e of items) {
      try {
        out.push((await this.delete(r, e.obj.metadata.namespace, e.obj.metadata.name!, opts)).obj);
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue;
        throw err;
      }
    }
    return out;
  }

  // ---------- watch ----------

  async watch(r: ResourceInfo, ns: string | undefined, opts: WatchOptions, onEvent: (events: ObjectEvent[]) => void, onClose?: (err: StatusError) => void): Promise<StoreWatch> {
    const prefix = this.prefix(r, ns);
    const labels = opts.labelSelector;
    const fields = opts.fieldSelector;
    const filtering = (labels && labels.length > 0) || (fields && fields.length > 0);
    const rvStr = opts.resourceVersion;
    const fromNow = !rvStr || rvStr === '0';
    let after: number;
    const initial: ObjectEvent[] = [];
    if (fromNow || opts.sendInitialEvents) {
      // A snapshot, then every change after the snapshot's revision (the backend replays anything
      // committed between the two, so nothing is missed or repeated).
      const snap = await this.list(r, ns, { labelSelector: labels, fieldSelector: fields });
      after = Number(snap.resourceVersion);
      for (const e of snap.items) initial.push({ type: 'ADDED', entry: e });
    } else {
      after = parseRV(rvStr);
    }
    let progress = after;
    const translate = (events: WatchEvent[]): ObjectEvent[] => {
      const out: ObjectEvent[] = [];
      for (const ev of events) {
        progress = ev.kv.modRevision;
        // For DELETE, the event's kv holds the last value stamped with the tombstone's revision.
        const e = decodeAs(ev.kv, r);
        if (ev.type === 'DELETE') {
          if (!filtering || this.matches(r, e.obj, labels, fields)) out.push({ type: 'DELETED', entry: e });
          continue;
        }
        if (!filtering) { out.push({ type: ev.prevKv ? 'MODIFIED' : 'ADDED', entry: e }); continue; }
        const now = this.matches(r, e.obj, labels, fields);
        const before = ev.prevKv ? this.matches(r, decodeAs(ev.prevKv, r).obj, labels, fields) : false;
        if (now && before) out.push({ type: 'MODIFIED', entry: e });
        else if (now) out.push({ type: 'ADDED', entry: e });
        else if (before) out.push({ type: 'DELETED', entry: e }); // left the selection
      }
      return out;
    };
    let ready = false;
    const pending: ObjectEvent[][] = [];
    const viaWebhook = r.custom?.def.conversion === 'Webhook';
    let chain: Promise<void> = Promise.resolve();
    let w: ReturnType<Backend['watch']> | undefined;
    try {
      w = this.backend.watch(prefix, {
        afterRevision: after,
        onEvents: (events) => {
          if (viaWebhook) {
            // Conversion webhooks answer asynchronously: events are converted (in order) before delivery.
            const kvs = events.flatMap((ev) => (ev.prevKv ? [ev.kv, ev.prevKv] : [ev.kv]));
            chain = chain.then(() => prepareConversions(kvs, r, true)).then(() => {
              const out = translate(events);
              if (out.length) onEvent(out);
            }, (e) => { w?.cancel(); onClose?.(e instanceof StatusError ? e : this.storageToStatus(e, r, '', true)); });
            return;
          }
          const out = translate(events);
          if (!out.length) return;
          if (!ready) pending.push(out); else onEvent(out);
        },
        onClose: (reason) => onClose?.(this.storageToStatus(reason, r, '', true)),
      });
    } catch (e) {
      throw this.storageToStatus(e, r, '', true);
    }
    ready = true;
    if (initial.length) onEvent(initial);
    for (const p of pending) onEvent(p);
    return { cancel: () => w!.cancel(), progress: () => Math.max(progress, after) };
  }

  storageToStatus(e: unknown, r: ResourceInfo, name: string, forWatch = false): StatusError {
    if (e instanceof StatusError) return e;
    if (isStorageError(e)) {
      switch (e.code) {
        case 'NotFound': return errors.notFound(this.gr(r), name);
        case 'KeyExists': return errors.alreadyExists(this.gr(r), name);
        case 'Conflict': return errors.staleConflict(this.gr(r), name);
        case 'Compacted': return forWatch
          ? errors.expired(`too old resource version: ${e.message.match(/revision (\d+)/)?.[1] ?? ''} (${e.compactRevision ?? ''})`)
          : errors.expired(`The resourceVersion for the provided list is too old.`);
        case 'FutureRevision': return new StatusError(504, 'Timeout', `Too large resource version: ${e.message.match(/revision (\d+)/)?.[1] ?? ''}, current: ${this.backend.currentRevision()}`,
          { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
        case 'Closed': return errors.serviceUnavailable('the server is shutting down');
        case 'TooSlow': return errors.gone('the watcher fell too far behind and was closed; please watch again');
        case 'Unsupported': return errors.badRequest(e.message);
        // The storage is out of reach (etcd lost): upstream's answer when its etcd request times out.
        case 'Unavailable': return errors.timeout(`Timeout: request did not complete within requested timeout - ${e.message}`);
        default: return errors.internal(e.message);
      }
    }
    return errors.internal(e instanceof Error ? e.message : String(e));
  }
}

/** The object without metadata.resourceVersion (shallow copies; obj is not changed). */
function withoutResourceVersion(obj: KObject): KObject {
  const m = obj.metadata;
  if (!m || typeof m !== 'object' || !Object.hasOwn(m, 'resourceVersion')) return obj;
  const { resourceVersion: _, ...rest } = m;
  return { ...obj, metadata: rest };
}

/**
 * Whether a write's object equals the stored one apart from resourceVersion. Status (what most updates
 * change) is compared first, so such a write is told apart without walking the rest of the object.
 */
function unchanged(next: KObject, old: KObject): boolean {
  if (!deepEqual(next.status, old.status)) return false;
  return deepEqual(next, { ...old, metadata: { ...old.metadata, resourceVersion: undefined } });
}

const META_STRINGS = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'];

/**
 * ObjectMeta field types, checked before anything else looks at them (upstream's typed decoding
 * refuses these with 400): a numeric name or a label map of objects never reaches storage.
 */
export function checkMetaTypes(obj: KObject): void {
  const m = obj.metadata as Record<string, unknown>;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw errors.badRequest('metadata must be an object');
  const bad = (f: string, want: string) => errors.badRequest(`metadata.${f}: expected ${want}, got ${m[f] === null ? 'null' : Array.isArray(m[f]) ? 'array' : typeof m[f]}`);
  for (const f of META_STRINGS) if (m[f] !== undefined && m[f] !== null && typeof m[f] !== 'string') throw bad(f, 'a string');
  for (const f of ['labels', 'annotations']) {
    const v = m[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw bad(f, 'a map of strings');
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') throw errors.badRequest(`metadata.${f}[${JSON.stringify(k)}]: expected a string, got ${x === null ? 'null' : typeof x}`);
  }
  if (m.finalizers !== undefined && m.finalizers !== null && (!Array.isArray(m.finalizers) || m.finalizers.some((x) => typeof x !== 'string'))) throw bad('finalizers', 'a list of strings');
  if (m.ownerReferences !== undefined && m.ownerReferences !== null && (!Array.isArray(m.ownerReferences) || m.ownerReferences.some((x) => x === null || typeof x !== 'object' || Array.isArray(x)))) throw bad('ownerReferences', 'a list of objects');
  for (const f of ['generation', 'deletionGracePeriodSeconds']) if (m[f] !== undefined && m[f] !== null && !Number.isSafeInteger(m[f])) throw bad(f, 'an integer');
  // Nulls decode as absent.
  for (const k of Object.keys(m)) if (m[k] === null && k !== 'creationTimestamp') delete m[k];
}

export function parseRV(s: string): number {
  if (!/^\d+$/.test(s)) throw errors.badRequest(`invalid resource version "${s}"`);
  return Number(s);
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: start + '\u0000' })).toString('base64');
}
function decodeContinue(tok: string): { rv: number; start: string } {
  try {
    const o = JSON.parse(Buffer.from(tok, 'base64').toString('utf8'));
    if (o.v !== 'meta.k8s.io/v1' || !Number.isSafeInteger(o.rv) || (o.rv < 1 && o.rv !== -1) || typeof o.start !== 'string') throw new Error('bad');
    return { rv: o.rv, start: o.start.replace(/\u0000$/, '') };
  } catch {
    throw errors.badRequest('continue key is not valid: the continue token is malformed');
  }
}

const NON_SPEC = new Set(['apiVersion', 'kind', 'metadata', 'status']);
function hasSpec(obj: KObject): boolean { return obj.spec !== undefined; }
function specOf(obj: KObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!NON_SPEC.has(k)) out[k] = v;
  return out;
}


/** CreateOptions / UpdateOptions / DeleteOptions as upstream hands them to admission. */
function defaultAdmissionOptions(operation: Operation, opts: WriteOptions & DeleteOptions): Record<string, unknown> {
  const kind = operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const out: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (opts.dryRun) out.dryRun = ['All'];
  if (operation !== 'DELETE' && opts.fieldManager) out.fieldManager = opts.fieldManager;
  if (operation === 'DELETE') {
    if (opts.gracePeriodSeconds !== undefined) out.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) out.preconditions = opts.preconditions;
    if (opts.propagationPolicy) out.propagationPolicy = opts.propagationPolicy;
  }
  return out;
}
