import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, update } from './helpers.ts';
import { qosClass } from '../../src/registry/kinds/pod.ts';
import { strategyFor } from '../../src/registry/kinds/index.ts';

const pod = (spec: Record<string, any>, name = 'web') => ({ metadata: { name }, spec });

test('pod defaulting and admission match a real cluster', () => {
  const { obj, errors } = create('', 'Pod', pod({ containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] }));
  assert.deepEqual(errors, []);
  const s = obj.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.serviceAccountName, 'default');
  assert.equal(s.serviceAccount, 'default');
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.priority, undefined); // set by priority admission (test/kinds/pod-priority.test.ts)
  const c = s.containers[0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(s.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  assert.match(s.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.deepEqual(c.volumeMounts, [{ name: s.volumes[0].name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('imagePullPolicy follows the tag', () => {
  const images: [string, string][] = [['nginx:1.27', 'IfNotPresent'], ['nginx:latest', 'Always'], ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'], ['nginx@sha256:abcd', 'IfNotPresent']];
  for (const [image, want] of images) {
    const { obj } = create('', 'Pod', pod({ containers: [{ name: 'c', image }] }));
    assert.equal(obj.spec.containers[0].imagePullPolicy, want, image);
  }
});

test('probes, requests from limits, canonical quantities, qos', () => {
  const { obj, errors } = create('', 'Pod', pod({
    automountServiceAccountToken: false,
    containers: [{
      name: 'c', image: 'busybox:1.36',
      resources: { limits: { cpu: '1000m', memory: '1024Mi' } },
      livenessProbe: { httpGet: { port: 8080 } },
    }],
  }));
  assert.deepEqual(errors, []);
  const c = obj.spec.containers[0];
  assert.deepEqual(c.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(obj.spec.volumes, undefined);
  assert.equal(obj.status.qosClass, 'Guaranteed');
  assert.equal(qosClass({ containers: [{ resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
});

test('pod validation: field paths and messages as upstream', () => {
  assert.deepEqual(create('', 'Pod', pod({ containers: [] })).errors, ['spec.containers: Required value']);
  assert.deepEqual(create('', 'Pod', pod({ containers: [{ name: 'c' }] })).errors, ['spec.containers[0].image: Required value']);
  const e = create('', 'Pod', pod({ restartPolicy: 'Sometimes', containers: [{ name: 'Bad_Name', image: 'x' }, { name: 'ok', image: 'x' }, { name: 'ok', image: 'x', ports: [{ containerPort: 70000 }] }] })).errors;
  assert.deepEqual(e, [
    `spec.containers[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.containers[2].name: Duplicate value: "ok"',
    'spec.containers[2].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
  const r = create('', 'Pod', pod({ containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] })).errors;
  assert.deepEqual(r, ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']);
});

test('bad quantities are a 400 decoding error', () => {
  assert.throws(() => create('', 'Pod', pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 'lots' } } }] })),
    (e: any) => e.code === 400 && /Pod in version "v1" cannot be handled as a Pod: quantities must match/.test(e.message));
});

test('pod update: only images, deadlines and added tolerations may change', () => {
  const old = create('', 'Pod', pod({ containers: [{ name: 'c', image: 'nginx:1' }] })).obj;
  const img = structuredClone(old); img.spec.containers[0].image = 'nginx:2';
  assert.deepEqual(update('', 'Pod', img, old).errors, []);
  const tol = structuredClone(old); tol.spec.tolerations.push({ key: 'k', operator: 'Exists', effect: 'NoSchedule' });
  assert.deepEqual(update('', 'Pod', tol, old).errors, []);
  const bad = structuredClone(old); bad.spec.containers[0].ports = [{ containerPort: 81 }];
  const errs = update('', 'Pod', bad, old).errors;
  assert.equal(errs.length, 1);
  assert.ok(errs[0].startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'), errs[0]);
  assert.match(errs[0], /spec\.containers\[0\]\.ports/);
  const removed = structuredClone(old); removed.spec.tolerations = [];
  assert.deepEqual(update('', 'Pod', removed, old).errors, ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
  // Labels may change freely.
  const relabel = structuredClone(old); relabel.metadata.labels = { a: 'b' };
  assert.deepEqual(update('', 'Pod', relabel, old).errors, []);
});

test('pod field selectors', () => {
  const fs = strategyFor('', 'Pod').fieldSelectors!;
  const { obj } = create('', 'Pod', pod({ nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] }));
  assert.equal(fs['spec.nodeName'](obj), 'n1');
  assert.equal(fs['status.phase'](obj), 'Pending');
  assert.equal(fs['spec.hostNetwork'](obj), 'false');
  assert.equal(fs['spec.serviceAccountName'](obj), 'default');
  for (const f of ['spec.restartPolicy', 'spec.schedulerName', 'status.podIP', 'status.nominatedNodeName']) assert.equal(typeof fs[f](obj), 'string');
});
