// Running every policy in force on a request (upstream's validating dispatcher): for each policy whose
// matchConstraints match, each binding whose matchResources match, each of the binding's params,
// evaluate; then act on each failed validation as the binding says — Deny (collected), Warn (a
// Warning header), Audit (an audit annotation) — and publish the policy's audit annotations.
// Misconfiguration (no match constraints, unknown paramKind, missing params with Deny, an
// undecidable selector) is a denial under failurePolicy Fail and nothing under Ignore. The first
// denial becomes the response, as upstream words it, with the reason (and code) it names.
import { StatusError } from '../../errors.ts';
import { warn } from '../../util/request-warnings.ts';
import type { AdmissionAttributes } from '../types.ts';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../types/generated.ts';
import { matchResources, type MatchEnv } from './match.ts';
import { collectParams, ConfigError } from './params.ts';
import { validate, type ValidateResult } from './validator.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { ObjectValues, RequestValues } from './activation.ts';
import { jsonToCel } from '../../cel/values.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { Hook } from './source.ts';

interface Denial { policy: string; binding?: string; message: string; reason?: string }

const VALIDATION_FAILURE_KEY = 'validation.policy.admission.k8s.io/validation_failure';
const MAX_AUDIT_VALUE = 10 * 1024;

export interface DispatchEnv extends MatchEnv {
  /** Values shared by every policy (namespaceObject, authorizer), built on first use. */
  values(): RequestValues;
  /** `request` for a matched resource (shared by the policies that matched the same one). */
  request(matched: ResourceInfo): Record<string, unknown>;
  /** `object` and `oldObject` in the matched resource's version (shared likewise). */
  objects(matched: ResourceInfo): ObjectValues;
}

function addAnnotation(a: AdmissionAttributes, key: string, value: string): void {
  const ann = (a.auditAnnotations ??= {});
  if (ann[key] === undefined) ann[key] = value; // upstream keeps the first value of a key
}

function configError(denials: Denial[], policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding | undefined, err: unknown): void {
  const fp = policy.spec?.failurePolicy ?? 'Fail';
  if (fp === 'Ignore') return;
  const text = err instanceof Error ? err.message : String(err);
  const message = fp === 'Fail'
    ? `failed to configure ${binding ? 'binding' : 'policy'}: ${text}`
    : `unrecognized failure policy: '${fp}'`;
  denials.push({ policy: policy.metadata.name!, binding: binding?.metadata.name, message });
}

function act(a: AdmissionAttributes, denials: Denial[], policy: string, b: ValidatingAdmissionPolicyBinding, result: ValidateResult, audits: Map<string, string[]>): void {
  const actions = b.spec?.validationActions ?? [];
  const binding = b.metadata.name!;
  for (const d of result.decisions) {
    if (d.action !== 'deny') continue;
    for (const action of actions) {
      if (action === 'Deny') denials.push({ policy, binding, message: d.message, reason: d.reason });
      else if (action === 'Warn') warn(`Validation failed for ValidatingAdmissionPolicy '${policy}' with binding '${binding}': ${d.message}`);
      else if (action === 'Audit') {
        addAnnotation(a, VALIDATION_FAILURE_KEY, JSON.stringify([{ message: d.message, policy: b.spec?.policyName ?? policy, binding, expressionIndex: d.index, validationActions: actions }]));
      }
    }
  }
  for (const r of result.auditAnnotations) {
    if (r.action === 'publish') {
      const list = audits.get(r.key) ?? [];
      const v = r.value!.length > MAX_AUDIT_VALUE ? r.value!.slice(0, MAX_AUDIT_VALUE) : r.value!;
      if (!list.includes(v)) list.push(v);
      audits.set(r.key, list);
    } else if (r.action === 'error') {
      denials.push({ policy, binding, message: r.error! });
    }
  }
}

/** Runs one policy; synchronous unless its param cache is still loading or an expression awaits. */
function runHook(a: AdmissionAttributes, hook: Hook, env: DispatchEnv, denials: Denial[]): void | Promise<void> {
  const { policy } = hook;
  const constraints = policy.spec?.matchConstraints;
  let matched;
  try {
    if (!constraints) throw new Error('policy contained no match constraints, a required field');
    matched = matchResources(constraints, a, env);
  } catch (e) { configError(denials, policy, undefined, e); return; }
  if (!matched.matched) return;
  if (hook.configError) { configError(denials, policy, undefined, new Error(hook.configError)); return; }
  if (hook.paramCache && !hook.paramCache.synced) return hook.paramCache.start().then(() => runBindings(a, hook, matched.resource, env, denials));
  return runBindings(a, hook, matched.resource, env, denials);
}

interface HookRun { a: AdmissionAttributes; hook: Hook; matched: ResourceInfo; env: DispatchEnv; denials: Denial[]; audits: Map<string, string[]>; base?: Record<string, unknown> }

/** The bindings of a matched policy, in order; synchronous unless an evaluation awaits. */
function runBindings(a: AdmissionAttributes, hook: Hook, matched: ResourceInfo, env: DispatchEnv, denials: Denial[]): void | Promise<void> {
  const run: HookRun = { a, hook, matched, env, denials, audits: new Map() };
  for (let i = 0; i < hook.bindings.length; i++) {
    const r = runBinding(run, hook.bindings[i]);
    if (r instanceof Promise) return r.then(async () => { for (let j = i + 1; j < hook.bindings.length; j++) await runBinding(run, hook.bindings[j]); publish(run); });
  }
  publish(run);
}

function publish(run: HookRun): void {
  for (const [key, values] of run.audits) addAnnotation(run.a, `${run.hook.policy.metadata.name}/${key}`, values.join(', '));
}

function runBinding(run: HookRun, b: ValidatingAdmissionPolicyBinding): void | Promise<void> {
  const { a, hook, env, denials } = run;
  const policy = hook.policy;
  let params: (KObject | null)[];
  try {
    if (b.spec?.matchResources && !matchResources(b.spec.matchResources, a, env).matched) return;
    params = collectParams(!!policy.spec?.paramKind, hook.paramCache, b, a.namespace);
  } catch (e) {
    configError(denials, policy, b, e instanceof ConfigError || e instanceof Error ? e : new Error(String(e)));
    return;
  }
  if (!params.length) return;
  if (!run.base) {
    const v = env.values();
    const o = env.objects(run.matched);
    run.base = { object: o.object, oldObject: o.oldObject, namespaceObject: v.namespaceObject, authorizer: v.authorizer, request: env.request(run.matched) };
  }
  const name = policy.metadata.name!;
  for (let j = 0; j < params.length; j++) {
    const r = validate(hook.compiled, run.base, params[j] === null ? null : jsonToCel(params[j]));
    if (r instanceof Promise) {
      return (async () => {
        act(a, denials, name, b, await r, run.audits);
        for (let k = j + 1; k < params.length; k++) act(a, denials, name, b, await validate(hook.compiled, run.base!, params[k] === null ? null : jsonToCel(params[k])), run.audits);
      })();
    }
    act(a, denials, name, b, r, run.audits);
  }
}

/** The response of a denial: upstream's admission Forbidden, re-reasoned (Invalid 422 unless the validation names another reason). */
export function denialError(a: AdmissionAttributes, d: Denial): StatusError {
  const message = d.binding !== undefined
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const r = a.resource;
  const gr = r.group ? `${r.resource}.${r.group}` : r.resource;
  const name = a.name || a.object?.metadata?.name || a.object?.metadata?.generateName || 'Unknown';
  const reason = d.reason || 'Invalid';
  return new StatusError(reasonCode(reason), reason, `${gr} "${name}" is forbidden: ${message}`,
    { name, group: r.group || undefined, kind: r.resource, causes: [{ message }] });
}

function reasonCode(reason: string): number {
  switch (reason) {
    case 'Forbidden': return 403;
    case 'Unauthorized': return 401;
    case 'RequestEntityTooLarge': return 413;
    default: return 422;
  }
}

/** Runs the hooks; throws the first denial. Synchronous unless a hook has to wait. */
export function dispatch(a: AdmissionAttributes, hooks: Hook[], env: DispatchEnv): void | Promise<void> {
  const denials: Denial[] = [];
  for (let i = 0; i < hooks.length; i++) {
    const r = runHook(a, hooks[i], env, denials);
    if (r instanceof Promise) return r.then(() => finishHooks(a, hooks, i + 1, env, denials));
  }
  if (denials.length) throw denialError(a, denials[0]);
}

async function finishHooks(a: AdmissionAttributes, hooks: Hook[], from: number, env: DispatchEnv, denials: Denial[]): Promise<void> {
  for (let i = from; i < hooks.length; i++) await runHook(a, hooks[i], env, denials);
  if (denials.length) throw denialError(a, denials[0]);
}
