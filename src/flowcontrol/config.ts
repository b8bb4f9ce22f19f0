// The APF configuration consumer (apf_controller.go, simplified): informers on FlowSchemas and
// PriorityLevelConfigurations digest into the matching order of the schemas and one QueueSet per
// priority level, whose limit is the level's share of the server's concurrency limit
// (ceil(serverLimit × nominalConcurrencyShares / Σ shares)). A FlowSchema whose level is missing is
// left out of matching and gets status condition Dangling=True; the others Dangling=False. The
// mandatory `exempt` and `catch-all` objects are imagined while they are missing.
import type { Clock, TimerHandle } from '../clock.ts';
import { rfc3339 } from '../clock.ts';
import { StatusError } from '../errors.ts';
import { Informer, runController } from '../controllers/runtime.ts';
import type { Controller } from '../controllers/runtime.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { MANDATORY_LEVELS, MANDATORY_SCHEMAS } from './bootstrap.ts';
import { defaultPriorityLevel } from './defaults.ts';
import { ensureBootstrapConfiguration, flowSchemas, priorityLevels } from './ensurer.ts';
import { schemaOrder } from './match.ts';
import { QueueSet } from './queueset.ts';
import type { Queuing } from './queueset.ts';

const CONSUMER = 'api-priority-and-fairness-config-consumer-v1';
/** How long a request may wait in a queue: a quarter of the default 60 s request timeout, as upstream. */
export const WAIT_LIMIT_MS = 15_000;
const ENSURE_EVERY_MS = 60_000;

export interface Level {
  name: string;
  uid: string;
  exempt: boolean;
  shares: number;
  queues?: QueueSet;
  /** Requests refused at this level, by reason (apiserver_flowcontrol_rejected_requests_total). */
  rejected: Map<string, number>;
}

export interface Schema { name: string; uid: string; spec: Record<string, any>; level: Level }

function levelSpec(pl: KObject): { exempt: boolean; shares: number; queuing?: Queuing } {
  const d = structuredClone(pl);
  defaultPriorityLevel(d);
  if (d.spec?.type === 'Exempt') return { exempt: true, shares: d.spec.exempt?.nominalConcurrencyShares ?? 0 };
  const l = d.spec?.limited ?? {};
  const q = l.limitResponse?.type === 'Queue' ? l.limitResponse.queuing : undefined;
  return { exempt: false, shares: l.nominalConcurrencyShares ?? 30, queuing: q ? { queues: q.queues, handSize: q.handSize, queueLengthLimit: q.queueLengthLimit } : undefined };
}

export class FlowControlConfig {
  /** Schemas in matching order (only those whose level exists). */
  schemas: Schema[] = [];
  levels = new Map<string, Level>();
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly serverLimit: number;
  private readonly log?: (m: string) => void;
  private fsInformer?: Informer;
  private plInformer?: Informer;
  private status?: Controller;
  private ensureTimer?: TimerHandle;

  constructor(store: Store, clock: Clock, serverLimit: number, log?: (m: string) => void) {
    this.store = store; this.clock = clock; this.serverLimit = serverLimit; this.log = log;
    this.digest([], []);
  }

  /**
   * `awaitStatus` (default true): resolve only once the Dangling status writes start-up owes are done.
   * `ensured`: the store already holds the bootstrap configuration as the ensurer leaves it (a start
   * from an image of this build's start-up state): no pass now, only the periodic ones.
   */
  async start(opts: { awaitStatus?: boolean; ensured?: boolean } = {}): Promise<void> {
    if (!opts.ensured) await ensureBootstrapConfiguration(this.store);
    this.fsInformer = new Informer(this.store, flowSchemas());
    this.plInformer = new Informer(this.store, priorityLevels());
    await Promise.all([this.fsInformer.start(), this.plInformer.start()]);
    // Each digest reads both lists whole: subscribed without the replay of the cached objects as adds,
    // then one digest (not one per object: ~20 at start-up, each cloning every level, ~3 ms).
    const redigest = () => this.digest(this.plInformer!.list(), this.fsInformer!.list());
    for (const inf of [this.fsInformer, this.plInformer]) inf.on({ add: redigest, update: redigest, delete: redigest }, { replay: false });
    redigest();
    this.status = runController({
      name: 'apf-flowschema-status', clock: this.clock, log: this.log, workers: 1,
      watch: [{ informer: this.fsInformer }, { informer: this.plInformer, toKeys: () => this.fsInformer!.list().map((o) => o.metadata.name!) }],
      reconcile: (name) => this.syncDangling(name),
    });
    // Awaited by default: a server that is ready has written every status it owes, so a snapshot taken
    // right after start-up (startCluster users do) is not followed by writes that a restore would then
    // repeat. `skiff serve` is ready without them, as upstream's readyz does not wait for them either.
    if (opts.awaitStatus !== false) await this.status.queue.idle();
    this.ensureTimer = this.clock.setInterval(() => {
      ensureBootstrapConfiguration(this.store).catch((e) => this.log?.(`APF bootstrap ensurer: ${(e as Error).message}`));
    }, ENSURE_EVERY_MS);
  }

  /** Resolves once the status controller has nothing queued (at once before start). */
  statusSettled(): Promise<void> { return this.status?.queue.idle() ?? Promise.resolve(); }

  stop(): void {
    this.ensureTimer?.cancel();
    this.status?.stop();
    this.fsInformer?.stop();
    this.plInformer?.stop();
  }

  /** Rebuild the levels (keeping the queues of those that stay) and the matching order. */
  digest(pls: KObject[], fss: KObject[]): void {
    const byName = new Map(pls.map((p) => [p.metadata.name!, p]));
    for (const m of MANDATORY_LEVELS) if (!byName.has(m.metadata.name!)) byName.set(m.metadata.name!, m);
    const specs = new Map([...byName].map(([n, p]) => [n, levelSpec(p)]));
    let shareSum = 0;
    for (const s of specs.values()) shareSum += s.shares;
    const levels = new Map<string, Level>();
    for (const [name, p] of byName) {
      const s = specs.get(name)!;
      const old = this.levels.get(name);
      const limit = s.exempt ? Infinity : shareSum > 0 ? Math.ceil(this.serverLimit * s.shares / shareSum) : 0;
      const level: Level = { name, uid: p.metadata.uid ?? '', exempt: s.exempt, shares: s.shares, rejected: old?.rejected ?? new Map() };
      if (!s.exempt) {
        level.queues = old?.queues ?? new QueueSet(this.clock, limit, s.queuing, WAIT_LIMIT_MS);
        level.queues.reconfigure(limit, s.queuing);
      }
      levels.set(name, level);
    }
    const schemas = fss.filter((f) => levels.has(f.spec?.priorityLevelConfiguration?.name));
    for (const m of MANDATORY_SCHEMAS) if (!schemas.some((f) => f.metadata.name === m.metadata.name)) schemas.push(m);
    schemas.sort(schemaOrder);
    this.levels = levels;
    this.schemas = schemas.map((f) => ({ name: f.metadata.name!, uid: f.metadata.uid ?? '', spec: f.spec, level: levels.get(f.spec.priorityLevelConfiguration.name)! }));
  }

  /** The level's nominal concurrency limit (apiserver_flowcontrol_nominal_limit_seats). */
  nominalLimit(level: Level): number { return level.exempt ? 0 : level.queues!.limit; }

  /** Keep the FlowSchema's Dangling condition true to whether its level exists (presyncFlowSchemaStatus). */
  private async syncDangling(name: string): Promise<void> {
    const fs = this.fsInformer!.get(name);
    if (!fs) return;
    const plName = fs.spec?.priorityLevelConfiguration?.name;
    const want = desiredDangling(plName, !!this.plInformer!.get(plName));
    const cur = (Array.isArray(fs.status?.conditions) ? fs.status.conditions : []).find((c: any) => c?.type === 'Dangling');
    if (cur && cur.status === want.status && cur.reason === want.reason && cur.message === want.message) return;
    try {
      await this.store.guaranteedUpdate(flowSchemas(), undefined, name, (o) => {
        const conds = (Array.isArray(o.status?.conditions) ? o.status.conditions : []).filter((c: any) => c?.type !== 'Dangling');
        o.status = { ...(o.status ?? {}), conditions: [...conds, { ...want, lastTransitionTime: rfc3339(this.clock.now()) }] };
        return o;
      }, { subresource: 'status', fieldManager: CONSUMER });
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }
}

export function desiredDangling(plName: string, found: boolean) {
  return found
    ? { type: 'Dangling', status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" and it exists` }
    : { type: 'Dangling', status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" but there is no such object` };
}
