// Scheme defaults of admissionregistration.k8s.io/v1 for policies and bindings
// (SetDefaults_ValidatingAdmissionPolicySpec, SetDefaults_MatchResources, SetDefaults_Rule).
import type { KObject } from '../../registry/strategy.ts';

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function defaultRules(rules: unknown): void {
  if (!Array.isArray(rules)) return;
  for (const r of rules) if (isObj(r) && (r.scope === undefined || r.scope === null)) r.scope = '*';
}

export function defaultMatchResources(m: unknown): void {
  if (!isObj(m)) return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  defaultRules(m.resourceRules);
  defaultRules(m.excludeResourceRules);
}

export function defaultPolicy(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  obj.spec.failurePolicy ??= 'Fail';
  defaultMatchResources(obj.spec.matchConstraints);
}

export function defaultBinding(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  defaultMatchResources(obj.spec.matchResources);
}
