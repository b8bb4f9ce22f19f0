// The bootstrap policy (bootstrap-policy.json, generated from upstream's by scripts/gen-rbac-policy.ts),
// reconciled at every start as kube-apiserver's rbac/bootstrap-roles post-start hook does: a missing
// object is created; an existing one annotated rbac.authorization.kubernetes.io/autoupdate=false is
// left alone; otherwise it gains the labels, annotations, rules, aggregation selectors and subjects it
// lacks (nothing is removed), and a binding whose roleRef differs is recreated.
import { readFileSync } from 'node:fs';
import type { Store } from '../../registry/store.ts';
import { findResource } from '../../registry/resources.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import { StatusError } from '../../errors.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { covers } from './rules.ts';
import type { PolicyRule } from './rules.ts';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const RBAC = 'rbac.authorization.k8s.io';
const API_VERSION = `${RBAC}/v1`;

interface DataRule { v: string[]; g?: string[]; r?: string[]; n?: string[]; u?: string[] }
interface DataRole { namespace?: string; name: string; labels?: Record<string, string>; aggregate?: object[]; rules: DataRule[] }
interface DataBinding { namespace?: string; name: string; role: string; subjects: string[] }
interface Policy { clusterRoles: DataRole[]; clusterRoleBindings: DataBinding[]; roles: DataRole[]; roleBindings: DataBinding[] }

let cached: Policy | undefined;
function policy(): Policy {
  return cached ??= JSON.parse(readFileSync(new URL('./bootstrap-policy.json', import.meta.url), 'utf8'));
}

const meta = (o: { namespace?: string; name: string; labels?: Record<string, string> }) => ({
  name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}),
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...(o.labels ?? {}) },
  annotations: { [AUTOUPDATE]: 'true' },
});

function toRule(r: DataRule): PolicyRule {
  if (r.u) return { verbs: r.v, nonResourceURLs: r.u };
  return { verbs: r.v, apiGroups: r.g, resources: r.r, ...(r.n ? { resourceNames: r.n } : {}) };
}

function toSubject(s: string): object {
  const i = s.indexOf(':');
  const kind = s.slice(0, i), rest = s.slice(i + 1);
  if (kind === 'ServiceAccount') { const [namespace, name] = rest.split('/'); return { kind, name, namespace }; }
  return { kind, apiGroup: RBAC, name: rest };
}

/** The bootstrap objects: [resource, objects] in the order they are reconciled (roles before bindings). */
export function bootstrapObjects(): [string, KObject[]][] {
  const p = policy();
  const role = (kind: string) => (r: DataRole): KObject => ({
    apiVersion: API_VERSION, kind, metadata: meta(r),
    ...(r.aggregate ? { aggregationRule: { clusterRoleSelectors: r.aggregate } } : {}),
    rules: r.rules.map(toRule),
  });
  const binding = (kind: string) => (b: DataBinding): KObject => {
    const i = b.role.indexOf(':');
    return {
      apiVersion: API_VERSION, kind, metadata: meta(b),
      roleRef: { apiGroup: RBAC, kind: b.role.slice(0, i), name: b.role.slice(i + 1) },
      ...(b.subjects.length ? { subjects: b.subjects.map(toSubject) } : {}),
    };
  };
  return [
    ['clusterroles', p.clusterRoles.map(role('ClusterRole'))],
    ['clusterrolebindings', p.clusterRoleBindings.map(binding('ClusterRoleBinding'))],
    ['roles', p.roles.map(role('Role'))],
    ['rolebindings', p.roleBindings.map(binding('RoleBinding'))],
  ];
}

/** Every element of `need` is (deeply) equal to one of `have`. */
function containsAll(have: unknown, need: unknown): boolean {
  const h: unknown[] = Array.isArray(have) ? have : [];
  return (Array.isArray(need) ? need : []).every((n) => h.some((x) => deepEqual(x, n)));
}

/**
 * The usual restart: the object still holds every label, annotation, rule, selector and subject of
 * `want`, verbatim. Then reconcileObject changes nothing, and skips its copy and rule-coverage work
 * (most of the policy's start-up cost on an existing data directory).
 */
function holdsVerbatim(existing: KObject, want: KObject): boolean {
  const keys = (have: Record<string, string> | undefined, need: Record<string, string> | undefined) => Object.keys(need ?? {}).every((k) => have !== undefined && k in have);
  if (!keys(existing.metadata.labels, want.metadata.labels) || !keys(existing.metadata.annotations, want.metadata.annotations)) return false;
  if (want.roleRef) return deepEqual(existing.roleRef, want.roleRef) && containsAll(existing.subjects, want.subjects);
  return containsAll(existing.rules, want.rules) && containsAll(existing.aggregationRule?.clusterRoleSelectors, want.aggregationRule?.clusterRoleSelectors);
}

/** What an existing object must become to hold what `want` holds; undefined when it already does. */
export function reconcileObject(existing: KObject, want: KObject): KObject | 'recreate' | undefined {
  if (existing.metadata.annotations?.[AUTOUPDATE] === 'false') return undefined;
  if (holdsVerbatim(existing, want)) return undefined;
  const out = structuredClone(existing);
  out.metadata.labels = { ...want.metadata.labels, ...(existing.metadata.labels ?? {}) };
  out.metadata.annotations = { ...want.metadata.annotations, ...(existing.metadata.annotations ?? {}) };
  if (want.roleRef) {
    if (!deepEqual(existing.roleRef, want.roleRef)) return 'recreate';
    const have: object[] = Array.isArray(existing.subjects) ? existing.subjects : [];
    const missing = (want.subjects ?? []).filter((s: object) => !have.some((h) => deepEqual(h, s)));
    if (missing.length) out.subjects = [...have, ...missing];
  } else {
    const { missing } = covers(Array.isArray(existing.rules) ? existing.rules : [], want.rules ?? []);
    if (missing.length) out.rules = [...(existing.rules ?? []), ...missing];
    const wantSel: object[] = want.aggregationRule?.clusterRoleSelectors ?? [];
    if (wantSel.length) {
      const haveSel: object[] = existing.aggregationRule?.clusterRoleSelectors ?? [];
      const add = wantSel.filter((s) => !haveSel.some((h) => deepEqual(h, s)));
      if (add.length) out.aggregationRule = { clusterRoleSelectors: [...haveSel, ...add] };
    }
  }
  return deepEqual(out, existing) ? undefined : out;
}

async function ensure(store: Store, r: ResourceInfo, have: Map<string, KObject>, want: KObject): Promise<void> {
  const ns = want.metadata.namespace;
  const key = `${ns ?? ''}/${want.metadata.name}`;
  const existing = have.get(key);
  try {
    if (!existing) { await store.create(r, ns, want); return; }
    const next = reconcileObject(existing, want);
    if (next === undefined) return;
    if (next === 'recreate') {
      await store.delete(r, ns, want.metadata.name!);
      await store.create(r, ns, want);
      return;
    }
    await store.update(r, ns, want.metadata.name!, next);
  } catch (e) {
    // Another writer got there first (a second server on the same data): theirs stands.
    if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) throw e;
  }
}

export async function reconcileBootstrapPolicy(store: Store): Promise<void> {
  for (const [resource, objects] of bootstrapObjects()) {
    const r = findResource(RBAC, 'v1', resource)!;
    const { items } = await store.list(r, undefined);
    const have = new Map(items.map((e) => [`${e.obj.metadata.namespace ?? ''}/${e.obj.metadata.name}`, e.obj]));
    // All objects of a kind at once: their writes share the storage's group commits (a first start
    // writes ~150 objects) instead of one commit and one event-loop turn each.
    await Promise.all(objects.map((o) => ensure(store, r, have, o)));
  }
}
