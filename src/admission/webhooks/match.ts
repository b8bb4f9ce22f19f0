// Which webhooks a request calls, as upstream's generic webhook decides (ShouldCallHook): the
// namespaceSelector, the objectSelector, the rules for the resource the client asked for, then (for
// matchPolicy Equivalent) for the same resource in other versions, then the matchConditions (CEL).
import type { Store } from '../../registry/store.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import { findResource, storageResource } from '../../registry/resources.ts';
import { matchLabels } from '../../api/selectors.ts';
import { errors } from '../../errors.ts';
import type { AdmissionAttributes } from '../types.ts';
import type { Hook, Rule } from './source.ts';
import { MATCH_CONDITION_VARS } from '../../registry/kinds/webhookconfig.ts';

/** The webhook configuration and policy kinds never go through API-registered webhooks (no lock-outs). */
const EXEMPT = new Set(['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies',
  'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']);

export function exempt(a: AdmissionAttributes): boolean {
  return a.requestResource.group === 'admissionregistration.k8s.io' && EXEMPT.has(a.requestResource.resource);
}

/** A webhook to call and the resource (version) it is called for. */
export interface Invocation { hook: Hook; resource: ResourceInfo }

const nsResource = () => findResource('', 'v1', 'namespaces')!;

/** Upstream's attr.GetNamespace(): the namespace's own name for a Namespace. */
function namespaceOf(a: AdmissionAttributes): string {
  return a.requestResource.group === '' && a.requestResource.resource === 'namespaces' ? a.name || a.object?.metadata?.name || '' : a.namespace;
}

export function ruleMatches(rule: Rule, a: AdmissionAttributes, r: ResourceInfo): boolean {
  return scopeMatches(rule.scope, a, r) && (rule.operations.includes('*') || rule.operations.includes(a.operation))
    && anyOf(rule.apiGroups, r.group) && anyOf(rule.apiVersions, r.version) && resourceMatches(rule.resources, r.resource, a.subresource);
}

const anyOf = (items: string[], v: string) => items.includes('*') || items.includes(v);

function scopeMatches(scope: string, a: AdmissionAttributes, r: ResourceInfo): boolean {
  const isNs = r.group === '' && r.resource === 'namespaces';
  switch (scope) {
    case '*': case '': return true;
    case 'Namespaced': return !isNs && a.namespace !== '';
    case 'Cluster': return isNs || a.namespace === '';
    default: return false;
  }
}

function resourceMatches(resources: string[], res: string, sub: string): boolean {
  for (const rs of resources) {
    const i = rs.indexOf('/');
    const [r, s] = i < 0 ? [rs, ''] : [rs.slice(0, i), rs.slice(i + 1)];
    if ((r === '*' || r === res) && (s === '*' || s === sub)) return true;
  }
  return false;
}

/** The same resource in the other versions (and groups) it is served in, sharing its storage. */
export function equivalents(r: ResourceInfo): ResourceInfo[] {
  if (r.custom) return [...r.custom.def.versions.values()].filter((v) => v.custom?.version.served);
  const pairs: [string, string, string][][] = [
    [['autoscaling', 'v2', 'horizontalpodautoscalers'], ['autoscaling', 'v1', 'horizontalpodautoscalers']],
    [['', 'v1', 'events'], ['events.k8s.io', 'v1', 'events']],
  ];
  const st = storageResource(r);
  for (const set of pairs) {
    const rs = set.map(([g, v, n]) => findResource(g, v, n)!).filter(Boolean);
    if (rs.some((x) => storageResource(x) === st)) return rs;
  }
  return [r];
}

/** Decides whether `hook` is called for `a`; throws upstream's error where the decision fails. */
export async function shouldCall(hook: Hook, a: AdmissionAttributes, store: Store, objectFor: (r: ResourceInfo) => Promise<{ object?: unknown; oldObject?: unknown }>): Promise<Invocation | undefined> {
  if (!await namespaceMatches(hook, a, store)) return undefined;
  if (!objectMatches(hook, a)) return undefined;
  let resource: ResourceInfo | undefined;
  for (const rule of hook.rules) if (ruleMatches(rule, a, a.requestResource)) { resource = a.requestResource; break; }
  if (!resource && hook.matchPolicy === 'Equivalent') {
    const others = equivalents(a.requestResource).filter((x) => x !== a.requestResource);
    outer: for (const rule of hook.rules) {
      for (const eq of others) if (ruleMatches(rule, a, eq)) { resource = eq; break outer; }
    }
  }
  if (!resource) return undefined;
  if (hook.matchConditions.length && !await conditionsMatch(hook, a, resource, objectFor)) return undefined;
  return { hook, resource };
}

async function namespaceMatches(hook: Hook, a: AdmissionAttributes, store: Store): Promise<boolean> {
  const ns = namespaceOf(a);
  const isNs = a.requestResource.group === '' && a.requestResource.resource === 'namespaces';
  if (!ns && !isNs) return true;
  const sel = hook.namespaceSelector;
  if (sel === null) return false;
  if (!sel.length) return true;
  let labels: Record<string, string> | undefined;
  if (isNs && !a.subresource && (a.operation === 'CREATE' || a.operation === 'UPDATE')) labels = a.object?.metadata?.labels;
  else {
    const obj = await store.tryGet(nsResource(), undefined, ns);
    if (!obj) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
    labels = obj.metadata.labels;
  }
  return matchLabels(sel, labels ?? {});
}

function objectMatches(hook: Hook, a: AdmissionAttributes): boolean {
  const sel = hook.objectSelector;
  if (sel === null) return false;
  if (!sel.length) return true;
  const m = (o: any) => !!o && matchLabels(sel, o.metadata?.labels ?? {});
  return m(a.object) || m(a.oldObject);
}

// ---- matchConditions ----

const compiled = new Map<string, { program?: (ctx: Record<string, unknown>) => unknown; error?: string }>();

async function conditionsMatch(hook: Hook, a: AdmissionAttributes, r: ResourceInfo, objectFor: (r: ResourceInfo) => Promise<{ object?: unknown; oldObject?: unknown }>): Promise<boolean> {
  const [{ compileExpression }, { generic }] = await Promise.all([import('../../cel/expression.ts'), import('../../cel/values.ts')]);
  const objs = await objectFor(r);
  const ctx = {
    object: objs.object === undefined ? null : generic(objs.object),
    oldObject: objs.oldObject === undefined ? null : generic(objs.oldObject),
    request: generic(celRequest(a, r)),
  };
  const errs: string[] = [];
  for (const c of hook.matchConditions) {
    let p = compiled.get(c.expression);
    if (!p) {
      const res = compileExpression(c.expression, MATCH_CONDITION_VARS, 'bool');
      p = 'error' in res ? { error: res.error } : { program: res.program as (ctx: Record<string, unknown>) => unknown };
      compiled.set(c.expression, p);
    }
    if (p.error) { errs.push(`expression '${c.name}' resulted in error: ${p.error}`); continue; }
    let v: unknown;
    try { v = p.program!(ctx); } catch (e) { errs.push(`expression '${c.name}' resulted in error: ${(e as Error).message}`); continue; }
    if (v === false) return false;
    if (v !== true) errs.push(`expression '${c.name}' resulted in error: no such overload`);
  }
  if (errs.length) {
    // Upstream fails closed on an evaluation error when no condition said false (and failurePolicy Fail).
    if (hook.failurePolicy === 'Ignore') return false;
    throw errors.admissionForbidden({ group: a.requestResource.group, resource: a.requestResource.resource }, a.name, errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }
  return true;
}

function celRequest(a: AdmissionAttributes, r: ResourceInfo): Record<string, unknown> {
  return {
    kind: { group: r.group, version: r.version, kind: r.kind },
    resource: { group: r.group, version: r.version, resource: r.resource },
    subResource: a.subresource,
    requestKind: { group: a.requestResource.group, version: a.requestResource.version, kind: a.requestResource.kind },
    requestResource: { group: a.requestResource.group, version: a.requestResource.version, resource: a.requestResource.resource },
    requestSubResource: a.subresource,
    name: a.name, namespace: a.namespace, operation: a.operation,
    userInfo: { username: a.user.name, uid: a.user.uid ?? '', groups: a.user.groups ?? [], extra: a.user.extra ?? {} },
    dryRun: a.dryRun, options: a.options,
  };
}

