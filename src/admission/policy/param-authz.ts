// Who may point a policy at params (pkg/registry/admissionregistration/*/authz.go): creating or
// changing a policy's paramKind needs "get" on every object of that kind; a binding's paramRef needs
// "get" on the object it names (of the bound policy's paramKind). system:masters skip the check.
// Upstream runs it in the registry strategies once the object is valid; Skiff runs it when the
// policy plugin admits these kinds (after the strategy's validation), with the same answer:
// 422 with a Forbidden cause at spec.paramKind or spec.paramRef.
import { errors, field } from '../../errors.ts';
import type { AuthorizeFn } from '../../cel/library/authz.ts';
import type { AdmissionAttributes } from '../types.ts';
import type { User } from '../../auth/user.ts';
import type { Store } from '../../registry/store.ts';
import type { ParamKind, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../types/generated.ts';
import { deepEqual } from '../../util/deep-equal.ts';

/** Go's `%v` of a *user.DefaultInfo: `&{name uid [groups] map[extra]}`. */
function goUser(u: User): string {
  const extra = Object.keys(u.extra ?? {}).sort().map((k) => `${k}:[${(u.extra![k] ?? []).join(' ')}]`).join(' ');
  return `&{${u.name} ${u.uid ?? ''} [${(u.groups ?? []).join(' ')}] map[${extra}]}`;
}

function target(store: Store, pk: ParamKind | undefined): { group: string; version: string; resource: string } {
  const out = { group: '*', version: '*', resource: '*' };
  const apiVersion = pk?.apiVersion ?? '';
  if (!pk || apiVersion.split('/').length > 2) return out;
  const i = apiVersion.indexOf('/');
  out.group = i < 0 ? '' : apiVersion.slice(0, i);
  out.version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
  const r = store.resources.findKind(out.group, out.version, pk.kind ?? '');
  if (r) out.resource = r.resource;
  return out;
}

async function allowed(authorize: AuthorizeFn, user: User, t: { group: string; version: string; resource: string }, namespace: string, name: string): Promise<boolean> {
  const d = await authorize({ user, verb: 'get', resourceRequest: true, group: t.group, version: t.version, resource: t.resource, namespace, name });
  if (d.error) throw errors.internal(d.error);
  return d.decision === 'allow';
}

async function checkPolicy(a: AdmissionAttributes, store: Store, authorize: AuthorizeFn): Promise<void> {
  const p = a.object as unknown as ValidatingAdmissionPolicy;
  const pk = p.spec?.paramKind;
  if (!pk) return;
  const old = a.oldObject as unknown as ValidatingAdmissionPolicy | undefined;
  if (old?.spec?.paramKind && deepEqual(old.spec.paramKind, pk)) return;
  if (await allowed(authorize, a.user, target(store, pk), '*', '*')) return;
  throw errors.invalid('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy', p.metadata.name!, [
    field.forbidden('spec.paramKind', `user ${goUser(a.user)} must have "get" permission on all objects of the referenced paramKind (kind=${pk.kind ?? ''}, apiVersion=${pk.apiVersion ?? ''})`),
  ]);
}

async function checkBinding(a: AdmissionAttributes, store: Store, authorize: AuthorizeFn, policyOf: (name: string) => ValidatingAdmissionPolicy | undefined): Promise<void> {
  const b = a.object as unknown as ValidatingAdmissionPolicyBinding;
  const ref = b.spec?.paramRef;
  if (!ref) return;
  const old = a.oldObject as unknown as ValidatingAdmissionPolicyBinding | undefined;
  if (old?.spec?.paramRef && deepEqual(old.spec.paramRef, ref) && old.spec.policyName === b.spec?.policyName) return;
  const policy = policyOf(b.spec?.policyName ?? '');
  if (await allowed(authorize, a.user, target(store, policy?.spec?.paramKind), ref.namespace ?? '', ref.name ?? '')) return;
  throw errors.invalid('admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding', b.metadata.name!, [
    field.forbidden('spec.paramRef', `user ${goUser(a.user)} does not have "get" permission on the object referenced by paramRef`),
  ]);
}

/** Checks a write of a policy or binding; anything else passes. */
export async function authorizeParams(a: AdmissionAttributes, store: Store, authorize: AuthorizeFn, policyOf: (name: string) => ValidatingAdmissionPolicy | undefined): Promise<void> {
  if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource !== '' || !a.object) return;
  if ((a.user.groups ?? []).includes('system:masters')) return;
  if (a.resource.resource === 'validatingadmissionpolicies') await checkPolicy(a, store, authorize);
  else if (a.resource.resource === 'validatingadmissionpolicybindings') await checkBinding(a, store, authorize, policyOf);
}
