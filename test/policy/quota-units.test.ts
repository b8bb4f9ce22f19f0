// Quota arithmetic and evaluators, and LimitRange rules, on plain objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, amount, exceeded, exceededBy, format, fromList, prettyPrint, removeZeros, toList } from '../../src/admission/quota/resource-list.ts';
import { evaluatorFor, inScope, resourcesOf } from '../../src/admission/quota/evaluators.ts';
import { aggregate, compileItems, containerDefaults, defaultPod, validateClaim, validatePod } from '../../src/admission/limitranger/rules.ts';
import { validateLimitRange, validateResourceQuota } from '../../src/registry/kinds/policy.ts';

test('quota amounts add exactly and print as upstream', () => {
  assert.equal(format(amount('512Mi')), '512Mi');
  assert.equal(toList(add(fromList({ memory: '512Mi' }), fromList({ memory: '512Mi' }))).memory, '1Gi');
  assert.equal(toList(add(fromList({ cpu: '500m' }), fromList({ cpu: '700m' }))).cpu, '1200m');
  assert.equal(toList(add(fromList({ cpu: '1' }), fromList({ cpu: '1' }))).cpu, '2');
  assert.equal(prettyPrint(fromList({ 'requests.cpu': '1', pods: '2' })), 'pods=2,requests.cpu=1');
  assert.equal(fromList({ bad: 'x1', ok: '1' }).size, 1, 'unparsable values are left out');
});

test('exceededBy finds what exceeded(add(used, requested)) finds, without building the sum; removeZeros keeps a zero-free usage as it is', () => {
  const hard = fromList({ pods: '3', 'requests.cpu': '1', 'requests.memory': '1Gi' });
  const cases: [Record<string, string>, Record<string, string>][] = [
    [{ pods: '2', 'requests.cpu': '500m' }, { pods: '1', 'requests.cpu': '500m' }], // exactly at the limits
    [{ pods: '3', 'requests.cpu': '999m' }, { pods: '1', 'requests.cpu': '2m' }], // both over
    [{}, { 'requests.memory': '2Gi' }], // nothing used yet, over
    [{ 'requests.memory': '1023Mi' }, { 'requests.memory': '1Mi' }],
    [{ pods: '1' }, { pods: '1', 'requests.memory': '1025Mi' }],
  ];
  for (const [used, req] of cases) {
    const u = fromList(used), r = fromList(req);
    const slow = exceeded(add(u, r), hard, r.keys());
    assert.deepEqual(exceededBy(u, r, hard) ?? [], slow, JSON.stringify([used, req]));
  }
  assert.deepEqual(exceededBy(fromList({ pods: '3' }), fromList({ pods: '1', 'requests.cpu': '1' }), hard), ['pods']);
  const nonZero = fromList({ pods: '1', cpu: '1m' });
  assert.equal(removeZeros(nonZero), nonZero);
  const withZero = fromList({ pods: '1', cpu: '0' });
  assert.deepEqual([...removeZeros(withZero).keys()], ['pods']);
  assert.equal(withZero.size, 2, 'the input is not changed');
});

test('pod usage: sidecars add, init containers raise to their maximum, terminal pods charge only the count, extended resources need requests.', () => {
  const e = evaluatorFor('', 'pods');
  const pod = {
    metadata: { name: 'p' },
    spec: {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m', 'example.com/gpu': '1', 'hugepages-2Mi': '4Mi' }, limits: { cpu: '200m' } } }],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }, { name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }],
    },
  };
  const u = toList(e.usage(pod));
  assert.equal(u['requests.cpu'], '1', 'init container max');
  assert.equal(u['limits.cpu'], '200m');
  assert.equal(u['requests.example.com/gpu'], '1');
  assert.equal(u['requests.hugepages-2Mi'], '4Mi');
  assert.equal(u.pods, '1');
  assert.deepEqual(toList(e.usage({ ...pod, status: { phase: 'Failed' } })), { 'count/pods': '1' });
  assert.deepEqual(e.matching(['pods', 'requests.example.com/gpu', 'services', 'count/pods']).sort(), ['count/pods', 'pods', 'requests.example.com/gpu']);
  const q = (scopes: string[], sel?: any[]) => ({ metadata: {}, spec: { scopes, scopeSelector: sel ? { matchExpressions: sel } : undefined } });
  assert.equal(inScope(q(['NotBestEffort']), e, pod), true);
  assert.equal(inScope(q(['BestEffort']), e, pod), false);
  assert.equal(inScope(q([], [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }]), e, { ...pod, spec: { ...pod.spec, priorityClassName: 'high' } }), true);
  assert.equal(inScope(q([], [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }]), e, pod), false);
  assert.equal(inScope(q(['Terminating']), e, { ...pod, spec: { ...pod.spec, activeDeadlineSeconds: 5 } }), true);
  assert.equal(inScope(q(['CrossNamespacePodAffinity']), e, { ...pod, spec: { ...pod.spec, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'k', namespaces: ['x'] }] } } } }), true);
  assert.equal(inScope(q(['BestEffort']), evaluatorFor('', 'configmaps'), { metadata: {} }), false, 'scopes only match pods');
});

test('claims charge storage per class; count names resolve to resources', () => {
  const e = evaluatorFor('', 'persistentvolumeclaims');
  const u = toList(e.usage({ metadata: {}, spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } }));
  assert.equal(u['requests.storage'], '1Gi');
  assert.equal(u['fast.storageclass.storage.k8s.io/requests.storage'], '1Gi');
  assert.equal(u['fast.storageclass.storage.k8s.io/persistentvolumeclaims'], '1');
  assert.deepEqual(resourcesOf(['count/deployments.apps', 'secrets', 'requests.storage']).map((r) => `${r.group}/${r.resource}`).sort(),
    ['/persistentvolumeclaims', '/secrets', 'apps/deployments']);
});

test('LimitRange rules: defaults, annotation, min/max/ratio messages, claims', () => {
  const lr = { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '500m' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '3' } }] } };
  const pod: any = { metadata: {}, spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i', resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } }] } };
  defaultPod(pod, [lr]);
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '1' }, requests: { cpu: '500m' } });
  assert.equal(pod.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container a; cpu limit for container a');
  assert.deepEqual(validatePod(pod, lr), []);
  const greedy = { metadata: {}, spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } } }] } };
  assert.deepEqual(validatePod(greedy, lr), ['cpu max limit to request ratio per Container is 3, but provided ratio is 10.000000']);
  assert.equal(aggregate(['a', 'b', 'a']), '[a, b]');
  const pvcRange = { metadata: {}, spec: { limits: [{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '2Gi' } }] } };
  assert.deepEqual(validateClaim({ metadata: {}, spec: { resources: { requests: { storage: '5Gi' } } } }, pvcRange), ['maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi']);
  assert.deepEqual(validateClaim({ metadata: {}, spec: {} }, pvcRange), ['minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified', 'maximum storage usage per PersistentVolumeClaim is 2Gi.  No request is specified']);
});

test('LimitRange rules: ranges of the same content share compiled items and defaults; a different range keeps its own', () => {
  const range = (maxCpu: string) => ({ metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, max: { cpu: maxCpu } }, { type: 'Pod', max: { memory: '1Gi' } }] } });
  const a = range('1'), b = range('1'), c = range('250m');
  assert.equal(compileItems(a), compileItems(b));
  assert.notEqual(compileItems(a), compileItems(c));
  assert.equal(containerDefaults([a]), containerDefaults([b]));
  const pod = { metadata: {}, spec: { containers: [{ name: 'x', resources: { limits: { cpu: '500m', memory: '768Mi' } } }, { name: 'y', resources: { limits: { cpu: '500m', memory: '512Mi' } } }] } };
  assert.deepEqual(validatePod(pod, a), ['maximum memory usage per Pod is 1Gi, but limit is 1280Mi']);
  assert.deepEqual(validatePod(pod, b), ['maximum memory usage per Pod is 1Gi, but limit is 1280Mi']);
  assert.deepEqual(validatePod(pod, c), [
    'maximum cpu usage per Container is 250m, but limit is 500m', 'maximum cpu usage per Container is 250m, but limit is 500m',
    'maximum memory usage per Pod is 1Gi, but limit is 1280Mi',
  ]);
  // A pod defaulted from the shared defaults gets its own lists (changing them leaves the next pod's alone).
  const p1: any = { metadata: {}, spec: { containers: [{ name: 'x' }] } }, p2: any = { metadata: {}, spec: { containers: [{ name: 'x' }] } };
  defaultPod(p1, [a]); defaultPod(p2, [b]);
  p1.spec.containers[0].resources.limits.cpu = '9';
  assert.equal(p2.spec.containers[0].resources.limits.cpu, '500m');
  defaultPod(p2, [a]);
  assert.equal(containerDefaults([a])!.whole.limits!.cpu, '500m');
});

test('validation survives wrongly typed input', () => {
  for (const spec of [null, 'x', { hard: 'x' }, { hard: { pods: {} } }, { scopes: 'x' }, { scopeSelector: { matchExpressions: [null, 5] } }]) {
    assert.ok(Array.isArray(validateResourceQuota({ metadata: {}, spec } as any)));
  }
  for (const spec of [null, 'x', { limits: 'x' }, { limits: [null, 3, { type: 5 }, { type: 'Container', max: 'x' }, { type: 'Container', min: { cpu: 'zz' } }] }]) {
    assert.ok(Array.isArray(validateLimitRange({ metadata: {}, spec } as any)));
  }
  const errs = validateLimitRange({ metadata: {}, spec: { limits: [{ type: 'Container', min: { cpu: 'zz' } }] } } as any);
  assert.match(errs[0].detail!, /valid quantity/);
});
