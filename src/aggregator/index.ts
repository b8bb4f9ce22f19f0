// The aggregation layer: APIService objects for what the server serves itself (Local, always
// Available) and for extension API servers behind a Service (Available as their discovery answers).
// An available extension's group-version is served: discovery lists it (its resource list is read
// from the extension) and its requests are proxied (proxy.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Store, StoreWatch } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { findResource, groupVersions } from '../registry/resources.ts';
import { rfc3339 } from '../clock.ts';
import { StatusError } from '../errors.ts';
import type { WebhookClient } from '../webhook/client.ts';
import { registerGroupVersion, unregisterGroupVersion } from '../api/served-groups.ts';
import { localAPIService, localGroupVersions } from './local.ts';
import { checkAvailability } from './availability.ts';
import type { Availability } from './availability.ts';
import { proxyTo } from './proxy.ts';
import { frontProxyIdentity, publishAuthenticationConfig } from './front-proxy.ts';
import type { TlsMaterial } from '../auth/certs.ts';
import { onPaths } from '../api/route-paths.ts';

const RESYNC_MS = 30_000;
const LOCAL: Availability = { status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
const apiservices = () => findResource('apiregistration.k8s.io', 'v1', 'apiservices')!;

export class Aggregator {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly client: WebhookClient;
  private readonly log: (m: string) => void;
  /** Service-backed APIServices by `<group>/<version>`, with whether they are available. */
  private readonly remote = new Map<string, { api: KObject; available: boolean; resources?: Record<string, any>[] }>();
  private watch?: StoreWatch;
  private timer?: TimerHandle;
  private unsubscribe?: () => void;
  private stopped = false;
  private identity?: TlsMaterial;

  /** Where the front-proxy identity is kept (the data directory; undefined in memory). */
  private readonly dataDir?: string;

  /**
   * `identity`: the front-proxy identity when the caller already made it (an in-memory start from its
   * bootstrap image, which holds this start's front-proxy CA: see bootstrap-image.ts).
   */
  constructor(store: Store, clock: Clock, client: WebhookClient, log: (m: string) => void = () => {}, dataDir?: string, identity?: TlsMaterial) {
    this.store = store; this.clock = clock; this.client = client; this.log = log; this.dataDir = dataDir; this.identity = identity;
  }

  async start(): Promise<void> {
    this.identity ??= await frontProxyIdentity(this.clock, this.dataDir);
    // Before ready, as upstream's readyz waits for autoregister-completion: nothing is written behind
    // a client's back once the server answers.
    await publishAuthenticationConfig(this.store, this.identity);
    await this.ensureLocal();
    this.unsubscribe = this.store.resources.onChange(() => { void this.ensureLocal().catch((e) => this.log(`apiservices: ${(e as Error).message}`)); });
    this.watch = await this.store.watch(apiservices(), undefined, {}, (events) => {
      for (const ev of events) {
        const api = ev.entry.obj;
        if (ev.type === 'DELETED') { this.forget(api); continue; }
        if (api.spec?.service) void this.check(api);
        else if (!isAvailableLocal(api)) void this.setStatus(api, LOCAL);
      }
    });
    this.timer = this.clock.setInterval(() => { for (const { api } of this.remote.values()) void this.check(api); }, RESYNC_MS);
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    this.timer?.cancel();
    this.unsubscribe?.();
    for (const { api } of this.remote.values()) unregisterGroupVersion(api.spec.group, api.spec.version);
  }

  /**
   * Creates the APIServices of locally served group-versions that are missing; all at once, so that
   * a first start's ~30 creates and status writes share the storage's group commits.
   */
  private async ensureLocal(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(localGroupVersions(this.store.resources).map(async ({ group, version, automanaged }) => {
      const want = localAPIService(group, version, automanaged);
      let cur = await this.store.tryGet(apiservices(), undefined, want.metadata.name!);
      if (!cur) cur = await this.store.create(apiservices(), undefined, want).catch((e) => { if (!(e instanceof StatusError && e.code === 409)) throw e; return undefined; });
      if (cur && !cur.spec?.service && !isAvailableLocal(cur)) await this.setStatus(cur, LOCAL);
    }));
  }

  private async check(api: KObject): Promise<void> {
    if (this.stopped) return;
    // A group-version Skiff answers itself (metrics.k8s.io when metrics-server's manifests are applied,
    // a built-in group) stays served in-process: the pods behind the Service are simulated.
    if (isBuiltin(api.spec?.group ?? '', api.spec?.version ?? '')) {
      await this.setStatus(api, { status: 'True', reason: 'Passed', message: 'all checks passed' });
      return;
    }
    const a = await checkAvailability(this.store, this.client, api).catch((e): Availability => ({ status: 'False', reason: 'FailedDiscoveryCheck', message: (e as Error).message }));
    const key = `${api.spec.group}/${api.spec.version}`;
    const was = this.remote.get(key);
    // Once served, a group-version stays routed while its APIService exists: unavailable, it answers 503.
    if (a.status === 'True' && !(was?.available && sameResources(was.resources, a.resources))) this.serve(api, a.resources ?? []);
    if (a.status !== 'True' && was) this.remote.set(key, { api, available: false, resources: was.resources });
    else this.remote.set(key, { api, available: a.status === 'True', resources: a.resources });
    await this.setStatus(api, a);
  }

  private serve(api: KObject, resources: Record<string, any>[]): void {
    const { group, version } = api.spec;
    unregisterGroupVersion(group, version);
    const infos: ResourceInfo[] = resources.filter((r) => typeof r?.name === 'string' && !r.name.includes('/')).map((r) => ({
      group, version, kind: String(r.kind ?? ''), resource: r.name, singular: String(r.singularName ?? ''), namespaced: !!r.namespaced,
      verbs: Array.isArray(r.verbs) ? r.verbs : [], subresources: [], ...(Array.isArray(r.shortNames) ? { shortNames: r.shortNames } : {}),
      ...(Array.isArray(r.categories) ? { categories: r.categories } : {}),
    }));
    registerGroupVersion(group, version, infos);
    this.store.resources.invalidate();
  }

  private forget(api: KObject): void {
    const key = `${api.spec?.group}/${api.spec?.version}`;
    if (!this.remote.delete(key)) return;
    unregisterGroupVersion(api.spec.group, api.spec.version);
    this.store.resources.invalidate();
  }

  private async setStatus(api: KObject, a: Availability): Promise<void> {
    if (this.stopped) return;
    await this.store.guaranteedUpdate(apiservices(), undefined, api.metadata.name!, (cur) => {
      if (cur.metadata.uid !== api.metadata.uid) return cur;
      const conds: any[] = Array.isArray(cur.status?.conditions) ? cur.status.conditions : [];
      const old = conds.find((c) => c?.type === 'Available');
      if (old && old.status === a.status && old.reason === a.reason && old.message === a.message) return cur;
      const cond = { type: 'Available', status: a.status, lastTransitionTime: old?.status === a.status ? old.lastTransitionTime : rfc3339(this.clock.now()), reason: a.reason, message: a.message };
      return { ...cur, status: { ...(cur.status ?? {}), conditions: [...conds.filter((c) => c?.type !== 'Available'), cond] } };
    }, { subresource: 'status' }).catch((e) => this.log(`apiservice ${api.metadata.name}: ${(e as Error).message}`));
  }

  /** The route buildApp runs: proxies requests of an aggregated group-version. */
  route() {
    return onPaths(['/apis/'], async (req: IncomingMessage, res: ServerResponse, url: { pathname: string; searchParams: URLSearchParams }): Promise<boolean> => {
      if (!this.remote.size) return false;
      const m = /^\/apis\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (!m) return false;
      const entry = this.remote.get(`${m[1]}/${m[2]}`);
      if (!entry) return false;
      const q = url.searchParams.toString();
      await proxyTo(entry.api, entry.available, this.client, this.identity, req, res, url.pathname + (q ? `?${q}` : ''));
      return true;
    });
  }
}

const isBuiltin = (group: string, version: string) => (group === 'metrics.k8s.io' && version === 'v1beta1')
  || groupVersions().some((g) => g.group === group && g.versions.includes(version));

const sameResources = (a?: unknown[], b?: unknown[]) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function isAvailableLocal(api: KObject): boolean {
  return (api.status?.conditions ?? []).some((c: any) => c?.type === 'Available' && c.status === 'True' && c.reason === 'Local');
}
