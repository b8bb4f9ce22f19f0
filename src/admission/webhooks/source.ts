// The webhooks of every Mutating/ValidatingWebhookConfiguration, kept current by a watch on the store
// (no polling; nothing runs per request when there are none). Configurations are ordered by name and
// webhooks keep their order inside one, as upstream's configuration managers do.
import type { Store, StoreWatch } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { findResource } from '../../registry/resources.ts';
import { fromLabelSelectorObject } from '../../api/selectors.ts';
import type { LabelSelector } from '../../api/selectors.ts';

export interface Rule { operations: string[]; apiGroups: string[]; apiVersions: string[]; resources: string[]; scope: string }

/** One webhook of a configuration, with its selectors parsed once. */
export interface Hook {
  /** `<configuration>/<webhook>/<index>`: identity across reinvocations. */
  uid: string;
  configuration: string;
  name: string;
  spec: Record<string, any>;
  rules: Rule[];
  /** null: the selector is malformed (matches nothing); [] matches everything. */
  namespaceSelector: LabelSelector | null;
  objectSelector: LabelSelector | null;
  failurePolicy: 'Fail' | 'Ignore';
  matchPolicy: 'Exact' | 'Equivalent';
  timeoutMs: number;
  sideEffects?: string;
  reinvoke: boolean;
  matchConditions: { name: string; expression: string }[];
}

export type HookKind = 'mutating' | 'validating';

const RESOURCES: Record<HookKind, string> = { mutating: 'mutatingwebhookconfigurations', validating: 'validatingwebhookconfigurations' };

export class WebhookSource {
  private readonly configs = new Map<string, Hook[]>();
  private sorted: Hook[] = [];
  private watch?: StoreWatch;
  readonly kind: HookKind;

  constructor(kind: HookKind) { this.kind = kind; }

  async start(store: Store): Promise<void> {
    const r = findResource('admissionregistration.k8s.io', 'v1', RESOURCES[this.kind])!;
    this.watch = await store.watch(r, undefined, {}, (events) => {
      for (const ev of events) {
        const o = ev.entry.obj;
        if (ev.type === 'DELETED') this.configs.delete(o.metadata.name!);
        else this.configs.set(o.metadata.name!, hooksOf(o));
      }
      this.sorted = [...this.configs.keys()].sort().flatMap((k) => this.configs.get(k)!);
    }, () => { void this.restart(store); });
  }

  private async restart(store: Store): Promise<void> {
    this.watch?.cancel();
    this.configs.clear();
    await this.start(store).catch(() => {});
  }

  stop(): void { this.watch?.cancel(); }

  /** Every webhook, configurations by name. */
  hooks(): Hook[] { return this.sorted; }
}

const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

function hooksOf(cfg: KObject): Hook[] {
  const name = cfg.metadata.name!;
  return arr(cfg.webhooks).filter((w) => w && typeof w === 'object').map((w, i): Hook => ({
    uid: `${name}/${w.name}/${i}`,
    configuration: name,
    name: String(w.name ?? ''),
    spec: w,
    rules: arr(w.rules).filter((r) => r && typeof r === 'object').map((r) => ({
      operations: strs(r.operations), apiGroups: strs(r.apiGroups), apiVersions: strs(r.apiVersions), resources: strs(r.resources), scope: typeof r.scope === 'string' ? r.scope : '*',
    })),
    namespaceSelector: w.namespaceSelector == null ? [] : fromLabelSelectorObject(w.namespaceSelector),
    objectSelector: w.objectSelector == null ? [] : fromLabelSelectorObject(w.objectSelector),
    failurePolicy: w.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchPolicy: w.matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    timeoutMs: (Number.isInteger(w.timeoutSeconds) && w.timeoutSeconds > 0 ? w.timeoutSeconds : 10) * 1000,
    sideEffects: typeof w.sideEffects === 'string' ? w.sideEffects : undefined,
    reinvoke: w.reinvocationPolicy === 'IfNeeded',
    matchConditions: arr(w.matchConditions).filter((c) => c && typeof c.expression === 'string').map((c) => ({ name: String(c.name ?? ''), expression: c.expression })),
  }));
}
