// Whether a request is in scope of a policy's matchConstraints or a binding's matchResources
// (k8s.io/apiserver/pkg/admission/plugin/policy/matching and webhook/predicates/rules): namespace and
// object selectors, excludeResourceRules, then resourceRules (operations, groups, versions,
// resources/subresources with wildcards, scope, resourceNames) against the resource as the client
// asked for it; with matchPolicy Equivalent a rule naming another version of the same resource
// matches too, and that version is the one evaluated.
import type { AdmissionAttributes } from '../types.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import { selectorMatches, type LabelSelector } from '../../registry/validation/selector.ts';
import type { MatchResources, NamedRuleWithOperations } from '../../types/generated.ts';

export interface MatchEnv {
  /** Labels of a namespace, or undefined when it does not exist. */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** Other served versions of the same resource (for matchPolicy Equivalent). */
  equivalents(r: ResourceInfo): ResourceInfo[];
}

/** The resource a matching rule named (the request's, or an equivalent one). */
export type MatchResult = { matched: false } | { matched: true; resource: ResourceInfo };

/** A selector that matches everything (what a defaulted `{}` means). */
const isEmpty = (s: LabelSelector | undefined) => !s || (!Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length);

function has(items: string[] | undefined, v: string): boolean {
  return !!items && (items.includes('*') || items.includes(v));
}

function scopeMatches(scope: string | undefined, a: AdmissionAttributes, r: ResourceInfo): boolean {
  const isNamespaceObject = r.group === '' && r.resource === 'namespaces';
  if (!scope || scope === '*') return true;
  if (scope === 'Namespaced') return !isNamespaceObject && a.namespace !== '';
  if (scope === 'Cluster') return isNamespaceObject || a.namespace === '';
  return false;
}

function resourceMatches(resources: string[] | undefined, resource: string, sub: string): boolean {
  for (const rs of resources ?? []) {
    const i = rs.indexOf('/');
    const res = i < 0 ? rs : rs.slice(0, i), s = i < 0 ? '' : rs.slice(i + 1);
    if ((res === '*' || res === resource) && (s === '*' || s === sub)) return true;
  }
  return false;
}

function ruleMatches(rule: NamedRuleWithOperations, a: AdmissionAttributes, r: ResourceInfo): boolean {
  return scopeMatches(rule.scope, a, r) && has(rule.operations, a.operation) && has(rule.apiGroups, r.group)
    && has(rule.apiVersions, r.version) && resourceMatches(rule.resources, r.resource, a.subresource);
}

function nameMatches(rule: NamedRuleWithOperations, a: AdmissionAttributes): boolean {
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

function rulesMatch(rules: NamedRuleWithOperations[] | undefined, policy: string | undefined, a: AdmissionAttributes, env: MatchEnv): MatchResult {
  if (!rules?.length) return { matched: false };
  for (const rule of rules ?? []) if (ruleMatches(rule, a, a.requestResource) && nameMatches(rule, a)) return { matched: true, resource: a.requestResource };
  if (policy !== 'Equivalent') return { matched: false };
  const eqs = env.equivalents(a.requestResource);
  for (const rule of rules ?? []) {
    for (const eq of eqs) if (ruleMatches(rule, a, eq) && nameMatches(rule, a)) return { matched: true, resource: eq };
  }
  return { matched: false };
}

/** Thrown when a selector cannot be decided (the namespace does not exist): upstream answers with a 404. */
export class NamespaceNotFound extends Error {
  readonly namespace: string;
  constructor(ns: string) { super(`namespaces "${ns}" not found`); this.namespace = ns; }
}

function namespaceSelectorMatches(sel: LabelSelector | undefined, a: AdmissionAttributes, env: MatchEnv): boolean {
  const isNamespaceRequest = a.resource.group === '' && a.resource.resource === 'namespaces';
  if (a.namespace === '' && !isNamespaceRequest) return true;
  if (isEmpty(sel)) return true;
  if (isNamespaceRequest && a.subresource === '' && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
    return selectorMatches(sel!, a.object?.metadata.labels);
  }
  const labels = env.namespaceLabels(isNamespaceRequest ? a.name : a.namespace);
  if (!labels) throw new NamespaceNotFound(isNamespaceRequest ? a.name : a.namespace);
  return selectorMatches(sel!, labels);
}

/** The object selector looks at the new object and the old one: either may match (upstream's object matcher). */
function objectSelectorMatches(sel: LabelSelector | undefined, a: AdmissionAttributes): boolean {
  if (isEmpty(sel)) return true;
  const objs = [a.object, a.oldObject].filter((o) => o !== undefined);
  return objs.some((o) => selectorMatches(sel!, o!.metadata?.labels ?? {}));
}

/** Whether `m` matches the request (namespace selector errors only count when the rules match). */
export function matchResources(m: MatchResources, a: AdmissionAttributes, env: MatchEnv): MatchResult {
  let nsErr: unknown;
  let nsOk = false;
  try { nsOk = namespaceSelectorMatches(m.namespaceSelector as LabelSelector, a, env); } catch (e) { nsErr = e; }
  if (!nsOk && !nsErr) return { matched: false };
  if (!objectSelectorMatches(m.objectSelector as LabelSelector, a)) return { matched: false };
  if (rulesMatch(m.excludeResourceRules, m.matchPolicy, a, env).matched) return { matched: false };
  const r: MatchResult = m.resourceRules?.length ? rulesMatch(m.resourceRules, m.matchPolicy, a, env) : { matched: true, resource: a.requestResource };
  if (r.matched && nsErr) throw nsErr;
  return r;
}
