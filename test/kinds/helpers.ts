// Runs a kind's strategy the way the generic store does (defaulting, metadata and kind validation),
// without storage, so tests can compare defaulted objects and field errors directly.
import { FakeClock } from '../../src/clock.ts';
import { fieldErrorMessage } from '../../src/errors.ts';
import type { FieldError } from '../../src/errors.ts';
import { RESOURCES } from '../../src/registry/resources.ts';
import type { ResourceInfo } from '../../src/registry/resources.ts';
import type { KObject, StrategyContext, StrategyServices } from '../../src/registry/strategy.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds/index.ts';

export function resourceOf(group: string, kind: string, version?: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.group === group && x.kind === kind && (!version || x.version === version));
  if (!r) throw new Error(`no resource ${group}/${kind}`);
  return r;
}

export function ctxFor(r: ResourceInfo, services?: StrategyServices): StrategyContext {
  return { clock: new FakeClock(), resource: r, services };
}

export interface Outcome { obj: KObject; errors: string[]; raw: FieldError[] }

/** Create: defaults and prepareForCreate, then metadata + kind validation. `obj` is not modified. */
export function create(group: string, kind: string, input: Record<string, any>, o: { services?: StrategyServices; version?: string; uid?: string } = {}): Outcome {
  const r = resourceOf(group, kind, o.version);
  const s = strategyFor(group, kind);
  const obj = structuredClone(input) as KObject;
  obj.apiVersion = group ? `${group}/${r.version}` : r.version;
  obj.kind = kind;
  obj.metadata ??= {};
  if (r.namespaced) obj.metadata.namespace ??= 'default';
  obj.metadata.uid ??= o.uid ?? 'uid-1';
  const ctx = ctxFor(r, o.services);
  s.defaults?.(obj);
  s.prepareForCreate?.(obj, ctx);
  const raw = [...validateMeta(r, obj, s), ...(s.validate?.(obj, ctx) ?? [])];
  return { obj, errors: raw.map(fieldErrorMessage), raw };
}

/** Update: prepareForUpdate then metadata + update validation, as the store's writeUpdate does. */
export function update(group: string, kind: string, input: Record<string, any>, old: KObject, o: { services?: StrategyServices; version?: string } = {}): Outcome {
  const r = resourceOf(group, kind, o.version);
  const s = strategyFor(group, kind);
  const obj = structuredClone(input) as KObject;
  obj.apiVersion = old.apiVersion;
  obj.kind = kind;
  obj.metadata = { ...(obj.metadata ?? {}), name: old.metadata.name, namespace: old.metadata.namespace, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
  if (old.status !== undefined && r.subresources.some((x) => x.name === 'status')) obj.status = structuredClone(old.status);
  const ctx = ctxFor(r, o.services);
  s.prepareForUpdate?.(obj, old, ctx);
  const raw = [...validateMeta(r, obj, s), ...validateMetaUpdate(obj, old), ...(s.validateUpdate?.(obj, old, ctx) ?? s.validate?.(obj, ctx) ?? [])];
  return { obj, errors: raw.map(fieldErrorMessage), raw };
}
