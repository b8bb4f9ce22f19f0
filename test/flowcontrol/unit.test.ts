// API Priority and Fairness, pure parts: validation messages and field paths, classification rules,
// the ensurer's revision rules, shuffle sharding and the per-level queues (on a fake clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { fieldErrorMessage } from '../../src/errors.ts';
import { validateFlowSchema, validatePriorityLevel } from '../../src/flowcontrol/validation.ts';
import { defaultFlowSchema, defaultPriorityLevel } from '../../src/flowcontrol/defaults.ts';
import { flowDistinguisher, matchesFlowSchema } from '../../src/flowcontrol/match.ts';
import type { RequestDigest } from '../../src/flowcontrol/match.ts';
import { MANDATORY_LEVELS, MANDATORY_SCHEMAS, SUGGESTED_LEVELS, SUGGESTED_SCHEMAS } from '../../src/flowcontrol/bootstrap.ts';
import { revise } from '../../src/flowcontrol/ensurer.ts';
import { QueueSet, dealHand, flowHash } from '../../src/flowcontrol/queueset.ts';
import type { Outcome } from '../../src/flowcontrol/queueset.ts';
import { findResource } from '../../src/registry/resources.ts';

const msgs = (errs: ReturnType<typeof validateFlowSchema>) => errs.map(fieldErrorMessage);
const fs = (spec: Record<string, unknown>, name = 'x') => ({ metadata: { name }, spec });
const goodRule = { subjects: [{ kind: 'User', user: { name: 'u' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };

test('every bootstrap object is valid (after defaulting)', () => {
  for (const o of [...MANDATORY_SCHEMAS, ...SUGGESTED_SCHEMAS]) { const c = structuredClone(o); defaultFlowSchema(c); assert.deepEqual(msgs(validateFlowSchema(c)), [], o.metadata.name!); }
  for (const o of [...MANDATORY_LEVELS, ...SUGGESTED_LEVELS]) { const c = structuredClone(o); defaultPriorityLevel(c); assert.deepEqual(msgs(validatePriorityLevel(c)), [], o.metadata.name!); }
});

test('FlowSchema validation: upstream messages and field paths', () => {
  assert.deepEqual(msgs(validateFlowSchema(fs({ matchingPrecedence: 0, priorityLevelConfiguration: { name: 'p' }, rules: [goodRule] }))),
    ['spec.matchingPrecedence: Invalid value: 0: must be a positive value']);
  assert.deepEqual(msgs(validateFlowSchema(fs({ matchingPrecedence: 10001, priorityLevelConfiguration: { name: 'P_' }, rules: [goodRule] }))), [
    'spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000',
    `spec.priorityLevelConfiguration.name: Invalid value: "P_": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  const conflicting = fs({ matchingPrecedence: 5, priorityLevelConfiguration: { name: 'p' }, rules: [{
    subjects: [{ kind: 'User', user: { name: 'u' }, group: { name: 'g' } }, { kind: 'ServiceAccount', serviceAccount: { name: 'a' } }, { kind: 'Robot' }],
    nonResourceRules: [{ verbs: ['get', 'fly'], nonResourceURLs: ['/a/*/b', 'x', '/a b', '//a'] }],
    resourceRules: [{ verbs: ['get'], apiGroups: ['*', 'apps'], resources: ['pods'], namespaces: ['*', 'a'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['Bad_NS'] }],
  }] });
  assert.deepEqual(msgs(validateFlowSchema(conflicting)), [
    "spec.rules[0].subjects[0].group: Forbidden: group is forbidden when subject kind is not 'Group'",
    'spec.rules[0].subjects[1].serviceAccount.namespace: Required value: must specify namespace for service account',
    'spec.rules[0].subjects[2].kind: Unsupported value: "Robot": supported values: "Group", "ServiceAccount", "User"',
    "spec.rules[0].resourceRules[0].apiGroups: Invalid value: []string{\"*\", \"apps\"}: if '*' is present, must not specify other api groups",
    "spec.rules[0].resourceRules[0].namespaces: Invalid value: []string{\"*\", \"a\"}: if '*' is present, must not specify other namespaces",
    `spec.rules[0].resourceRules[1].namespaces[0]: Invalid value: "Bad_NS": each member of this list must be '*' or a DNS-1123 label; a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.rules[0].nonResourceRules[0].verbs: Unsupported value: []string{"get", "fly"}: supported values: "create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"',
    'spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "/a/*/b": wildcard can only do suffix matching',
    'spec.rules[0].nonResourceRules[0].nonResourceURLs[1]: Invalid value: "x": must start with slash',
    'spec.rules[0].nonResourceRules[0].nonResourceURLs[2]: Invalid value: "/a b": must not contain white-space',
    'spec.rules[0].nonResourceRules[0].nonResourceURLs[3]: Invalid value: "//a": must not contain double slash',
  ]);
  assert.deepEqual(msgs(validateFlowSchema(fs({ matchingPrecedence: 5, priorityLevelConfiguration: { name: 'p' }, rules: [{ subjects: [] }] }))), [
    'spec.rules[0].subjects: Required value: subjects must contain at least one value',
    'spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty',
  ]);
  const dup = { ...fs({ matchingPrecedence: 5, priorityLevelConfiguration: { name: 'p' }, rules: [goodRule] }), status: { conditions: [{ type: 'A' }, { type: 'A' }, {}] } };
  assert.deepEqual(msgs(validateFlowSchema(dup)), ['status.conditions[1].type: Duplicate value: "A"', 'status.conditions[2].type: Required value: must not be empty']);
});

test('mandatory FlowSchemas and PriorityLevelConfigurations have fixed specs (exempt level: except spec.exempt)', () => {
  const catchAll = structuredClone(MANDATORY_SCHEMAS[1]);
  catchAll.spec.matchingPrecedence = 9000;
  assert.match(msgs(validateFlowSchema(catchAll)).join('\n'), /spec: Invalid value: .*: spec of 'catch-all' must equal the fixed value/);
  const exempt = structuredClone(MANDATORY_LEVELS[1]);
  exempt.spec.exempt = { nominalConcurrencyShares: 10, lendablePercent: 50 };
  assert.deepEqual(msgs(validatePriorityLevel(exempt)), []);
  exempt.spec.type = 'Limited';
  assert.ok(msgs(validatePriorityLevel(exempt)).includes("spec.type: Invalid value: \"Limited\": type must be 'Exempt' if and only if name is 'exempt'"));
});

test('PriorityLevelConfiguration validation: upstream messages and field paths', () => {
  const pl = (spec: Record<string, unknown>, name = 'p') => ({ metadata: { name }, spec });
  assert.deepEqual(msgs(validatePriorityLevel(pl({ type: 'Limited' }))), ['spec.limited: Required value: must not be empty when type is Limited']);
  assert.deepEqual(msgs(validatePriorityLevel(pl({ type: 'Sometimes' }))), ['spec.type: Unsupported value: "Sometimes": supported values: "Exempt", "Limited"']);
  assert.deepEqual(msgs(validatePriorityLevel(pl({ type: 'Limited', exempt: {}, limited: { nominalConcurrencyShares: -1, lendablePercent: 101, borrowingLimitPercent: -2, limitResponse: { type: 'Reject', queuing: {} } } }))), [
    'spec.exempt: Forbidden: must be nil if the type is Limited',
    'spec.limited.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer',
    'spec.limited.limitResponse.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited',
    'spec.limited.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive',
    'spec.limited.borrowingLimitPercent: Invalid value: -2: if specified, must be a non-negative integer',
  ]);
  const q = (queuing: Record<string, unknown>) => msgs(validatePriorityLevel(pl({ type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse: { type: 'Queue', queuing } } })));
  assert.deepEqual(q({ queues: 4, handSize: 5, queueLengthLimit: 0 }), [
    'spec.limited.limitResponse.queuing.queueLengthLimit: Invalid value: 0: must be positive',
    'spec.limited.limitResponse.queuing.handSize: Invalid value: 5: should not be greater than queues (4)',
  ]);
  assert.deepEqual(q({ queues: 10_000_001, handSize: 1, queueLengthLimit: 1 }), ['spec.limited.limitResponse.queuing.queues: Invalid value: 10000001: must not be greater than 10000000']);
  assert.deepEqual(q({ queues: 1_000_000, handSize: 5, queueLengthLimit: 1 }), ['spec.limited.limitResponse.queuing.handSize: Invalid value: 5: required entropy bits of deckSize 1000000 and handSize 5 should not be greater than 60']);
  assert.deepEqual(msgs(validatePriorityLevel({ metadata: { name: 'p', annotations: { 'flowcontrol.apiserver.k8s.io/v1beta3-preserve-zero-concurrency-shares': '' } }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } } })),
    ["metadata.annotations: Forbidden: annotation 'flowcontrol.apiserver.k8s.io/v1beta3-preserve-zero-concurrency-shares' is forbidden"]);
});

const digest = (o: Partial<RequestDigest>): RequestDigest => ({ user: { name: 'alice', groups: ['system:authenticated'] }, resourceRequest: true, verb: 'get', path: '/', ...o });

test('classification rules: subjects, resource rules (subresources, namespaces, cluster scope), non-resource URLs, distinguishers', () => {
  const spec = (rule: Record<string, unknown>, dm?: string) => ({ rules: [rule], ...(dm ? { distinguisherMethod: { type: dm } } : {}) });
  const leases = spec({ subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name: '*' } }], resourceRules: [{ verbs: ['get'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] }] });
  const sa = { name: 'system:serviceaccount:kube-system:x', groups: [] };
  assert.equal(matchesFlowSchema(digest({ user: sa, apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'a' }), leases), true);
  assert.equal(matchesFlowSchema(digest({ user: { name: 'system:serviceaccount:kube-systemx:x', groups: [] }, apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'a' }), leases), false);
  assert.equal(matchesFlowSchema(digest({ user: sa, apiGroup: 'coordination.k8s.io', resource: 'leases' }), leases), false, 'cluster-scoped request, rule not clusterScope');
  assert.equal(matchesFlowSchema(digest({ user: sa, verb: 'list', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'a' }), leases), false);
  const nodes = spec({ subjects: [{ kind: 'Group', group: { name: 'system:nodes' } }], resourceRules: [{ verbs: ['*'], apiGroups: [''], resources: ['nodes/status'], clusterScope: true }] });
  const node = { name: 'system:node:n1', groups: ['system:nodes'] };
  assert.equal(matchesFlowSchema(digest({ user: node, verb: 'patch', apiGroup: '', resource: 'nodes', subresource: 'status' }), nodes), true);
  assert.equal(matchesFlowSchema(digest({ user: node, verb: 'patch', apiGroup: '', resource: 'nodes' }), nodes), false);
  const probes = spec({ subjects: [{ kind: 'User', user: { name: '*' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/api/*'] }] });
  assert.equal(matchesFlowSchema(digest({ resourceRequest: false, path: '/healthz' }), probes), true);
  assert.equal(matchesFlowSchema(digest({ resourceRequest: false, path: '/healthz/etcd' }), probes), true);
  assert.equal(matchesFlowSchema(digest({ resourceRequest: false, path: '/api/v1' }), probes), true);
  assert.equal(matchesFlowSchema(digest({ resourceRequest: false, path: '/apis' }), probes), false);
  assert.equal(matchesFlowSchema(digest({ resourceRequest: false, path: '/healthz', verb: 'post' }), probes), false);
  assert.equal(flowDistinguisher(digest({ namespace: 'ns1' }), spec({}, 'ByNamespace')), 'ns1');
  assert.equal(flowDistinguisher(digest({ namespace: 'ns1' }), spec({}, 'ByUser')), 'alice');
  assert.equal(flowDistinguisher(digest({ namespace: 'ns1' }), spec({})), '');
});

test('ensurer: mandatory specs are always restored; suggested ones only while autoupdate-spec is true (or unset at generation 1)', () => {
  const pl = findResource('flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations')!;
  const want = SUGGESTED_LEVELS.find((o) => o.metadata.name === 'global-default')!;
  const changed = (annotations: Record<string, string> | undefined, generation: number) => {
    const cur = structuredClone(want);
    cur.metadata = { name: 'global-default', annotations, generation };
    defaultPriorityLevel(cur);
    cur.spec.limited.nominalConcurrencyShares = 99;
    return cur;
  };
  assert.equal(revise(pl, changed({ 'apf.kubernetes.io/autoupdate-spec': 'true' }, 2), want, false)?.spec.limited.nominalConcurrencyShares, 20);
  assert.equal(revise(pl, changed({ 'apf.kubernetes.io/autoupdate-spec': 'false' }, 2), want, false), undefined);
  const unset = revise(pl, changed(undefined, 2), want, false)!;
  assert.equal(unset.spec.limited.nominalConcurrencyShares, 99, 'changed by a user: kept');
  assert.equal(unset.metadata.annotations!['apf.kubernetes.io/autoupdate-spec'], 'false');
  assert.equal(revise(pl, changed(undefined, 1), want, false)?.spec.limited.nominalConcurrencyShares, 20);
  const mand = MANDATORY_LEVELS[0];
  const cur = structuredClone(mand);
  cur.metadata = { name: 'catch-all', annotations: { 'apf.kubernetes.io/autoupdate-spec': 'false' }, generation: 3 };
  cur.spec.limited.nominalConcurrencyShares = 1;
  const fixed = revise(pl, cur, mand, true)!;
  assert.equal(fixed.spec.limited.nominalConcurrencyShares, 5);
  assert.equal(fixed.metadata.annotations!['apf.kubernetes.io/autoupdate-spec'], 'true');
  const same = structuredClone(mand); same.metadata.generation = 1; defaultPriorityLevel(same);
  assert.equal(revise(pl, same, mand, true), undefined, 'defaulted bootstrap spec: no change');
});

test('shuffle sharding deals distinct queues, the same hand for the same flow', () => {
  for (const h of [0, 1, 12345, flowHash('global-default', 'alice'), 2 ** 52 - 1]) {
    const hand = dealHand(h, 128, 6);
    assert.equal(new Set(hand).size, 6);
    assert.ok(hand.every((q) => q >= 0 && q < 128));
    assert.deepEqual(dealHand(h, 128, 6), hand);
  }
  assert.notDeepEqual(dealHand(flowHash('global-default', 'alice'), 128, 6), dealHand(flowHash('global-default', 'bob'), 128, 6));
});

test('a level runs up to its limit, queues fairly across flows, refuses a full queue and a wait past the limit', async () => {
  const clock = new FakeClock();
  const qs = new QueueSet(clock, 2, { queues: 8, handSize: 1, queueLengthLimit: 2 }, 15_000);
  assert.notDeepEqual(dealHand(flowHash('fs', 'flooder'), 8, 1), dealHand(flowHash('fs', 'other'), 8, 1), 'the two flows use different queues');
  const seat = (o: Outcome | { wait: Promise<Outcome> }) => { assert.ok('release' in o, 'a seat at once'); return o as { release(): void }; };
  const held = [seat(qs.acquire(() => flowHash('fs', 'flooder'))), seat(qs.acquire(() => flowHash('fs', 'flooder')))];
  // The flooder fills its queue (length 2): the next is refused.
  const flooder = [1, 2].map(() => qs.acquire(() => flowHash('fs', 'flooder')));
  assert.ok(flooder.every((o) => 'wait' in o));
  assert.deepEqual(qs.acquire(() => flowHash('fs', 'flooder')), { rejected: 'queue-full' });
  // Another flow still queues, and is served first when a seat frees: the flooder's queue still has
  // a request executing, the other's none.
  const other = qs.acquire(() => flowHash('fs', 'other'));
  assert.ok('wait' in other);
  const order: string[] = [];
  const granted: { release(): void }[] = [];
  void other.wait.then((o) => { order.push('other'); if ('release' in o) granted.push(o); });
  flooder.forEach((f, i) => void (f as { wait: Promise<Outcome> }).wait.then((o) => { order.push(`flooder${i}`); if ('release' in o) granted.push(o); }));
  assert.equal(qs.waiting, 3);
  held[0].release();
  for (let i = 0; i < 10; i++) await Promise.resolve();
  assert.deepEqual(order, ['other']);
  held[1].release();
  for (let i = 0; i < 10; i++) await Promise.resolve();
  assert.deepEqual(order, ['other', 'flooder0']);
  for (const g of granted.splice(0)) g.release();
  for (let i = 0; i < 10; i++) await Promise.resolve();
  assert.deepEqual(order, ['other', 'flooder0', 'flooder1']);
  for (const g of granted.splice(0)) g.release();
  assert.equal(qs.executing, 0);
  // A request that waits longer than the wait limit is refused.
  const h2 = [seat(qs.acquire(() => 1)), seat(qs.acquire(() => 1))];
  const late = qs.acquire(() => 2) as { wait: Promise<Outcome> };
  clock.advance(14_999);
  assert.equal(qs.waiting, 1);
  clock.advance(1);
  assert.deepEqual(await late.wait, { rejected: 'time-out' });
  for (const h of h2) h.release();
  assert.equal(qs.waiting, 0);
  // Reject levels never queue.
  const rej = new QueueSet(clock, 1, undefined, 15_000);
  seat(rej.acquire(() => 0));
  assert.deepEqual(rej.acquire(() => 0), { rejected: 'concurrency-limit' });
});
