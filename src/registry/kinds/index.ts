// The per-kind strategies, looked up by API group and Kind. Kinds without special needs get the
// default strategy (metadata validation only, done by validateMeta below).
import type { FieldError } from '../../errors.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KObject, Strategy } from '../strategy.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import type { KindStrategy } from './util.ts';
import { podStrategy } from './pod.ts';

/** Kinds with a spec whose metadata.generation upstream does not track. */
const NO_GENERATION: KindStrategy = { generation: false };
const PATH_NAMES: KindStrategy = { nameRule: 'path' };

const STRATEGIES: Record<string, KindStrategy> = {
  '/Pod': podStrategy,
};

export const DEFAULT_STRATEGY: KindStrategy = {};

/** The strategy for a kind, e.g. strategyFor('apps', 'Deployment'). */
export function strategyFor(group: string, kind: string): Strategy {
  return STRATEGIES[`${group}/${kind}`] ?? DEFAULT_STRATEGY;
}

/** Same, from a resource table entry (the shape the store's wiring passes). */
export function strategyForResource(r: ResourceInfo): Strategy {
  return strategyFor(r.group, r.kind);
}

/** Generic metadata validation for any kind, using the strategy's name rule. */
export function validateMeta(r: ResourceInfo, obj: KObject, strategy: Strategy): FieldError[] {
  const s = strategy as KindStrategy;
  return validateObjectMeta(obj.metadata, { namespaced: r.namespaced, nameRule: s.nameFn ?? s.nameCheck ?? s.nameRule ?? 'subdomain' });
}

/** Generic metadata checks for an update (identity fields immutable, finalizers while deleting). */
export function validateMetaUpdate(obj: KObject, old: KObject): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {});
}

export { NO_GENERATION, PATH_NAMES };
