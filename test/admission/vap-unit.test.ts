// ValidatingAdmissionPolicy pieces on their own: rule and selector matching, param resolution,
// evaluation and actions (messages, reasons, audit annotations, warnings, authorizer), type checking,
// and the status controller writing observedGeneration and expression warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchResources, NamespaceNotFound, type MatchEnv } from '../../src/admission/policy/match.ts';
import { collectParams, ConfigError } from '../../src/admission/policy/params.ts';
import { compilePolicy } from '../../src/admission/policy/compile.ts';
import { dispatch, type DispatchEnv } from '../../src/admission/policy/dispatch.ts';
import { objectValues, requestValue, requestValues } from '../../src/admission/policy/activation.ts';
import { defaultPolicy } from '../../src/admission/policy/defaults.ts';
import { typeCheck } from '../../src/admission/policy/typecheck.ts';
import { policyStatusController } from '../../src/admission/policy/status-controller.ts';
import { WatchCache } from '../../src/admission/policy/cache.ts';
import type { Hook } from '../../src/admission/policy/source.ts';
import { findResource, type ResourceInfo } from '../../src/registry/resources.ts';
import { collectWarnings } from '../../src/util/request-warnings.ts';
import { allowAll, type AuthorizeFn } from '../../src/cel/library/authz.ts';
import type { AdmissionAttributes } from '../../src/admission/types.ts';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { Informer } from '../../src/controllers/runtime.ts';
import { StatusError } from '../../src/errors.ts';

const CM = findResource('', 'v1', 'configmaps')!;
const DEPLOY = findResource('apps', 'v1', 'deployments')!;
const NS = findResource('', 'v1', 'namespaces')!;

function attrs(over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: 'CREATE', resource: CM, requestResource: CM, subresource: '', name: 'x', namespace: 'team',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'team', labels: { tier: 'web' } }, data: { a: '1' } },
    user: { name: 'alice', uid: 'u1', groups: ['devs'] }, dryRun: false, options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' }, ...over,
  };
}
const env: MatchEnv = { namespaceLabels: (n) => (n === 'team' ? { env: 'prod' } : undefined), equivalents: () => [] };
const rule = (over: Record<string, unknown> = {}) => ({ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'], scope: '*', ...over });

test('match: rules with wildcards, subresources, scope, resourceNames and excludes', () => {
  const m = (rules: object[], a = attrs(), extra: object = {}) => matchResources({ resourceRules: rules as never, matchPolicy: 'Equivalent', ...extra }, a, env).matched;
  assert.equal(m([rule()]), true);
  assert.equal(m([rule({ operations: ['UPDATE'] })]), false);
  assert.equal(m([rule({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] })]), true);
  assert.equal(m([rule({ resources: ['configmaps/status'] })]), false, 'a subresource rule does not match the main resource');
  assert.equal(m([rule({ resources: ['configmaps/*'] })], attrs({ subresource: 'status', operation: 'CREATE' })), true);
  assert.equal(m([rule({ resources: ['*'] })], attrs({ subresource: 'status' })), false, "'*' matches only main resources");
  assert.equal(m([rule({ scope: 'Cluster' })]), false);
  assert.equal(m([rule({ scope: 'Namespaced' })]), true);
  assert.equal(m([rule({ resourceNames: ['y'] })]), false);
  assert.equal(m([rule({ resourceNames: ['x'] })]), true);
  assert.equal(m([rule()], attrs(), { excludeResourceRules: [rule({ resourceNames: ['x'] })] }), false);
  assert.equal(m([]), true, 'no resourceRules: every resource (a binding matchResources)');
});

test('match: namespace and object selectors; a missing namespace is an error only when the rules match', () => {
  const m = (extra: object, a = attrs()) => matchResources({ resourceRules: [rule()] as never, matchPolicy: 'Exact', ...extra }, a, env).matched;
  assert.equal(m({ namespaceSelector: { matchLabels: { env: 'prod' } } }), true);
  assert.equal(m({ namespaceSelector: { matchLabels: { env: 'dev' } } }), false);
  assert.equal(m({ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }), true);
  assert.equal(m({ objectSelector: { matchLabels: { tier: 'web' } } }), true);
  assert.equal(m({ objectSelector: { matchLabels: { tier: 'db' } } }), false);
  assert.equal(m({ objectSelector: { matchLabels: { tier: 'db' } } }, attrs({ operation: 'UPDATE', oldObject: { metadata: { name: 'x', labels: { tier: 'db' } } } as never })), false, 'UPDATE is not in the rule');
  const ghost = attrs({ namespace: 'ghost' });
  assert.throws(() => m({ namespaceSelector: { matchLabels: { env: 'prod' } } }, ghost), NamespaceNotFound);
  assert.equal(matchResources({ resourceRules: [rule({ resources: ['secrets'] })] as never, namespaceSelector: { matchLabels: { env: 'prod' } } }, ghost, env).matched, false);
  // A namespace create is judged by its own labels.
  const nsCreate = attrs({ resource: NS, requestResource: NS, namespace: '', name: 'n', object: { metadata: { name: 'n', labels: { env: 'prod' } } } as never });
  assert.equal(matchResources({ resourceRules: [rule({ resources: ['namespaces'] })] as never, namespaceSelector: { matchLabels: { env: 'prod' } } }, nsCreate, env).matched, true);
});

test('match: with matchPolicy Equivalent a rule for another version of the resource matches and names it', () => {
  const v2: ResourceInfo = { ...CM, version: 'v2' };
  const e: MatchEnv = { ...env, equivalents: () => [v2] };
  const constraints = { resourceRules: [rule({ apiVersions: ['v2'] })] as never };
  const r = matchResources({ ...constraints, matchPolicy: 'Equivalent' }, attrs(), e);
  assert.equal(r.matched && r.resource.version, 'v2');
  assert.equal(matchResources({ ...constraints, matchPolicy: 'Exact' }, attrs(), e).matched, false);
});

function cache(resource: ResourceInfo, objs: object[]): WatchCache {
  const c = new WatchCache(undefined as never, resource);
  for (const o of objs as any[]) (c as any).items.set(o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name, o);
  return c;
}

test('params: by name in the request namespace or paramRef.namespace, by selector, Allow and Deny', () => {
  const params = cache(CM, [
    { metadata: { name: 'p', namespace: 'team', labels: { k: 'v' } } },
    { metadata: { name: 'q', namespace: 'team', labels: { k: 'v' } } },
    { metadata: { name: 'p', namespace: 'other' } },
  ]);
  const b = (paramRef: object | undefined) => ({ metadata: { name: 'b' }, spec: { policyName: 'x', paramRef } }) as never;
  assert.deepEqual(collectParams(false, params, b({ name: 'p' }), 'team'), [null], 'no paramKind: one null param');
  assert.deepEqual(collectParams(true, params, b(undefined), 'team'), [null], 'no paramRef: one null param');
  assert.equal(collectParams(true, params, b({ name: 'p', parameterNotFoundAction: 'Deny' }), 'team')[0]!.metadata.namespace, 'team');
  assert.equal(collectParams(true, params, b({ name: 'p', namespace: 'other', parameterNotFoundAction: 'Deny' }), 'team')[0]!.metadata.namespace, 'other');
  assert.deepEqual(collectParams(true, params, b({ selector: { matchLabels: { k: 'v' } }, parameterNotFoundAction: 'Deny' }), 'team').map((p) => p!.metadata.name), ['p', 'q']);
  assert.deepEqual(collectParams(true, params, b({ name: 'absent', parameterNotFoundAction: 'Allow' }), 'team'), []);
  assert.throws(() => collectParams(true, params, b({ name: 'absent', parameterNotFoundAction: 'Deny' }), 'team'), { message: 'no params found for policy binding with `Deny` parameterNotFoundAction' });
  assert.throws(() => collectParams(true, params, b({ name: 'p', parameterNotFoundAction: 'Deny' }), ''), { message: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' });
  const clusterParams = cache(findResource('', 'v1', 'namespaces')!, [{ metadata: { name: 'p' } }]);
  assert.throws(() => collectParams(true, clusterParams, b({ name: 'p', namespace: 'x', parameterNotFoundAction: 'Deny' }), 'team'), ConfigError);
});

function hook(name: string, spec: Record<string, unknown>, bindings: Record<string, unknown>[]): Hook {
  const policy: any = { metadata: { name, resourceVersion: '1' }, spec: { matchConstraints: { resourceRules: [rule({ operations: ['*'] })] }, ...spec } };
  defaultPolicy(policy);
  return { policy, bindings: bindings.map((b, i) => ({ metadata: { name: `${name}-b${i}` }, spec: { policyName: name, validationActions: ['Deny'], ...b } })) as never, compiled: compilePolicy(policy) };
}

async function run(a: AdmissionAttributes, hooks: Hook[], authorize: AuthorizeFn = allowAll): Promise<{ error?: StatusError; warnings: string[] }> {
  const warnings: string[] = [];
  const e: DispatchEnv = {
    ...env,
    request: (m) => requestValue(a, m),
    objects: (m) => objectValues(a, m, (o) => o),
    values: () => requestValues(a, { metadata: { name: 'team', labels: { env: 'prod' } } } as never, authorize),
  };
  try {
    await collectWarnings((w) => warnings.push(w), () => dispatch(a, hooks, e));
    return { warnings };
  } catch (err) {
    return { error: err as StatusError, warnings };
  }
}

test('evaluation: messages from messageExpression, message or the expression; reasons map to codes', async () => {
  const a = attrs();
  const r1 = await run(a, [hook('p', { validations: [{ expression: "object.data.a == '2'", messageExpression: "'a is ' + object.data.a" }] }, [{}])]);
  assert.equal(r1.error?.status.message, `configmaps "x" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'p-b0' denied request: a is 1`);
  assert.equal(r1.error?.code, 422);
  // A messageExpression that fails, is empty or multi-line falls back to message, then to the expression.
  const r2 = await run(a, [hook('p', { validations: [{ expression: 'false', message: 'static', messageExpression: 'object.nope' }] }, [{}])]);
  assert.match(r2.error!.status.message!, /denied request: static$/);
  const r3 = await run(a, [hook('p', { validations: [{ expression: ' false ', messageExpression: "'two\\nlines'" }] }, [{}])]);
  assert.match(r3.error!.status.message!, /denied request: failed expression: false$/);
  for (const [reason, code] of [['Forbidden', 403], ['RequestEntityTooLarge', 413], ['Invalid', 422]] as const) {
    const r = await run(a, [hook('p', { validations: [{ expression: 'false', reason }] }, [{}])]);
    assert.equal(r.error?.code, code);
    assert.equal(r.error?.reason, reason);
  }
});

test('evaluation: request, namespaceObject, variables, matchConditions and the authorizer', async () => {
  const a = attrs();
  const ok = (expression: string) => hook('p', { validations: [{ expression }] }, [{}]);
  for (const e of [
    "request.operation == 'CREATE' && request.kind.kind == 'ConfigMap' && request.resource.resource == 'configmaps' && request.userInfo.username == 'alice'",
    "request.namespace == 'team' && request.name == 'x' && request.dryRun == false && request.options.kind == 'CreateOptions'",
    "namespaceObject.metadata.name == 'team' && namespaceObject.metadata.labels.env == 'prod'",
    'oldObject == null',
  ]) assert.equal((await run(a, [ok(e)])).error, undefined, e);
  const vars = hook('p', { variables: [{ name: 'keys', expression: 'size(object.data)' }, { name: 'many', expression: 'variables.keys > 0' }], validations: [{ expression: '!variables.many' }] }, [{}]);
  assert.match((await run(a, [vars])).error!.status.message!, /failed expression: !variables.many/);
  const skipped = hook('p', { matchConditions: [{ name: 'only-db', expression: "object.metadata.labels.tier == 'db'" }], validations: [{ expression: 'false' }] }, [{}]);
  assert.equal((await run(a, [skipped])).error, undefined, 'a false match condition skips the policy');
  const seen: object[] = [];
  const authz = hook('p', { validations: [{ expression: "authorizer.group('apps').resource('deployments').namespace('team').check('create').allowed() && authorizer.requestResource.check('delete').allowed()" }] }, [{}]);
  const deny: AuthorizeFn = (req) => { seen.push(req); return { decision: req.verb === 'create' ? 'allow' : 'deny' }; };
  assert.ok((await run(a, [authz], deny)).error);
  assert.deepEqual(seen.map((s: any) => [s.user.name, s.verb, s.group, s.resource, s.namespace]), [['alice', 'create', 'apps', 'deployments', 'team'], ['alice', 'delete', '', 'configmaps', 'team']]);
  assert.equal((await run(a, [authz], allowAll)).error, undefined);
  // An authorizer that answers asynchronously: evaluation carries on asynchronously, in the same order.
  const later: AuthorizeFn = async (req) => ({ decision: req.verb === 'create' ? 'allow' : 'deny', reason: 'later' });
  const two = [hook('a-async', { validations: [{ expression: "authorizer.requestResource.check('delete').allowed()", message: 'async says no' }] }, [{}, {}]), hook('b-sync', { validations: [{ expression: 'false', message: 'sync says no' }] }, [{}])];
  const r = await run(a, two, later);
  assert.match(r.error!.status.message!, /'a-async' with binding 'a-async-b0' denied request: async says no$/);
  const reason = hook('reason', { validations: [{ expression: "authorizer.requestResource.check('delete').reason() == 'x'", messageExpression: "authorizer.requestResource.check('delete').reason()" }] }, [{}]);
  assert.match((await run(a, [reason], later)).error!.status.message!, /failed expression/, 'messageExpression has no authorizer: it fails to compile, the expression is the message');
});

test('actions: Warn adds a warning, Audit records the validation failure, auditAnnotations are published per policy', async () => {
  const a = attrs();
  const h = hook('p', {
    validations: [{ expression: 'false', message: 'nope' }],
    auditAnnotations: [{ key: 'who', valueExpression: 'request.userInfo.username' }, { key: 'none', valueExpression: 'null' }],
  }, [{ validationActions: ['Warn', 'Audit'] }]);
  const r = await run(a, [h]);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, [`Validation failed for ValidatingAdmissionPolicy 'p' with binding 'p-b0': nope`]);
  assert.deepEqual(a.auditAnnotations, {
    'validation.policy.admission.k8s.io/validation_failure': JSON.stringify([{ message: 'nope', policy: 'p', binding: 'p-b0', expressionIndex: 0, validationActions: ['Warn', 'Audit'] }]),
    'p/who': 'alice',
  });
});

test('failure policy: runtime and configuration errors deny under Fail, pass under Ignore', async () => {
  const a = attrs();
  const bad = (fp: string) => hook(`p-${fp}`, { failurePolicy: fp, validations: [{ expression: 'object.data.missing == "x"' }] }, [{}]);
  assert.match((await run(a, [bad('Fail')])).error!.status.message!, /denied request: expression 'object.data.missing == "x"' resulted in error: no such key: missing$/);
  assert.equal((await run(a, [bad('Ignore')])).error, undefined);
  const noConstraints = hook('nc', { validations: [{ expression: 'true' }] }, [{}]);
  delete noConstraints.policy.spec!.matchConstraints;
  assert.equal((await run(a, [noConstraints])).error?.status.message, `configmaps "x" is forbidden: ValidatingAdmissionPolicy 'nc' denied request: failed to configure policy: policy contained no match constraints, a required field`);
  const audit = hook('au', { auditAnnotations: [{ key: 'k', valueExpression: 'object.nope' }] }, [{}]);
  assert.match((await run(a, [audit])).error!.status.message!, /with binding 'au-b0' denied request: expression 'object.nope' resulted in error/);
  // The first denial (policies by name) is the answer.
  const two = await run(a, [hook('a-first', { validations: [{ expression: 'false', message: 'first' }] }, [{}]), hook('b-second', { validations: [{ expression: 'false', message: 'second' }] }, [{}])]);
  assert.match(two.error!.status.message!, /'a-first'.*first$/);
});

test('status controller: observedGeneration and typeChecking.expressionWarnings are written for each new generation', { timeout: 30_000 }, async () => {
  const clock = new FakeClock();
  const store = new Store({ backend: new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() }), clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const vaps = findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies')!;
  const informer = new Informer(store, vaps);
  const c = policyStatusController({ store, clock, policies: informer });
  await informer.start();
  const policy: any = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'typed' },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments', 'deployments/scale'] }, { apiGroups: ['*'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
      validations: [{ expression: 'object.spec.replicas <= 5' }, { expression: 'object.spec.replicass <= 5' }],
    },
  };
  await store.create(vaps, undefined, policy);
  const until = async (pred: (p: any) => boolean) => {
    for (let i = 0; i < 500; i++) {
      const p = await store.get(vaps, undefined, 'typed');
      if (pred(p)) return p;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail('status not written');
  };
  const p1 = await until((p) => p.status?.observedGeneration === 1);
  assert.deepEqual(p1.status.typeChecking, { expressionWarnings: [{
    fieldRef: 'spec.validations[1].expression',
    warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replicass'\n | object.spec.replicass <= 5\n | ...........^\n",
  }] });
  const fixed = { ...p1, spec: { ...p1.spec, validations: [{ expression: 'object.spec.replicas <= 5' }] } };
  await store.update(vaps, undefined, 'typed', fixed);
  const p2 = await until((p) => p.status?.observedGeneration === 2);
  assert.deepEqual(p2.status.typeChecking, {});
  c.stop(); informer.stop();
  await store.backend?.close?.();
});

test('type checking: wildcards are not expanded, params are typed by the paramKind schema', () => {
  const find = (g: string, v: string, r: string) => findResource(g, v, r);
  const resolver = {
    kindFor: (g: string, v: string, r: string) => { const x = find(g, v, r); return x ? { group: x.group, version: x.version, kind: x.kind } : undefined; },
    schemaFor: (gvk: { kind: string }) => (gvk.kind === 'ConfigMap' || gvk.kind === 'Deployment'
      ? { schema: { type: 'object', properties: { data: { type: 'object', additionalProperties: { type: 'string' } }, spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } } as never, root: true } : undefined),
  };
  const warnings = typeCheck({
    metadata: { name: 'p' },
    spec: {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }, { apiGroups: ['apps'], apiVersions: ['*'], resources: ['deployments'] }] },
      validations: [{ expression: 'object.spec.replicas <= int(params.data.max)' }, { expression: 'object.spec.replicas <= params.data.max' }],
    },
  } as never, resolver);
  assert.deepEqual(warnings.map((w) => w.fieldRef), ['spec.validations[1].expression']);
  assert.match(warnings[0].warning, /^apps\/v1, Kind=Deployment: ERROR: <input>:1:1: found no matching overload for '_<=_' applied to '\(int, string\)'/);
});

test('paramKind and paramRef need "get" on the params: refused with upstream wording, system:masters exempt', { timeout: 30_000 }, async () => {
  const { validatingAdmissionPolicy } = await import('../../src/admission/policy/plugin.ts');
  const { asUser } = await import('../../src/util/request-scope.ts');
  const clock = new FakeClock();
  const store = new Store({ backend: new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() }), clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const asked: object[] = [];
  const plugin = validatingAdmissionPolicy({ store, authorize: (req) => { asked.push(req); return { decision: 'deny' }; } });
  store.admission.register(plugin);
  const vaps = findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies')!;
  const vapbs = findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings')!;
  const pol = (name: string) => ({ metadata: { name }, spec: { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, matchConstraints: { resourceRules: [rule()] }, validations: [{ expression: 'true' }] } }) as never;
  const bob = { name: 'bob', uid: 'u2', groups: ['system:authenticated'] };
  await assert.rejects(asUser(bob, () => store.create(vaps, undefined, pol('p1'))), (e: StatusError) => {
    assert.equal(e.code, 422);
    assert.deepEqual(e.status.details?.causes, [{ reason: 'FieldValueForbidden', field: 'spec.paramKind', message: 'Forbidden: user &{bob u2 [system:authenticated] map[]} must have "get" permission on all objects of the referenced paramKind (kind=ConfigMap, apiVersion=v1)' }]);
    return true;
  });
  assert.deepEqual(asked.map((r: any) => [r.verb, r.group, r.version, r.resource, r.namespace, r.name]), [['get', '', 'v1', 'configmaps', '*', '*']]);
  const admin = { name: 'admin', uid: '', groups: ['system:masters'] };
  await asUser(admin, () => store.create(vaps, undefined, pol('p1')));
  await plugin.source.start();
  for (let i = 0; i < 100 && !plugin.source.policies.get(undefined, 'p1'); i++) await new Promise((r) => setTimeout(r, 10));
  await assert.rejects(asUser(bob, () => store.create(vapbs, undefined, { metadata: { name: 'b1' }, spec: { policyName: 'p1', validationActions: ['Deny'], paramRef: { name: 'limits', namespace: 'team', parameterNotFoundAction: 'Deny' } } } as never)),
    /spec.paramRef: Forbidden: user &\{bob u2 \[system:authenticated\] map\[\]\} does not have "get" permission on the object referenced by paramRef/);
  assert.deepEqual((asked[1] as any).namespace, 'team');
  assert.deepEqual((asked[1] as any).resource, 'configmaps');
  plugin.stop();
});
