// Objects a fresh cluster has, as a real API server creates them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

test('the system PriorityClasses exist with upstream values, and pods naming them resolve', async () => {
  const res = await f.api.get('/apis/scheduling.k8s.io/v1/priorityclasses');
  assert.equal(res.status, 200);
  const byName = Object.fromEntries(res.body.items.map((pc: any) => [pc.metadata.name, pc]));
  assert.equal(byName['system-node-critical']?.value, 2000001000);
  assert.equal(byName['system-cluster-critical']?.value, 2000000000);
  assert.equal(byName['system-cluster-critical'].globalDefault, false);
  assert.equal(byName['system-cluster-critical'].preemptionPolicy, 'PreemptLowerPriority');
  const ns = await f.ns('prio');
  const pod = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { priorityClassName: 'system-node-critical', containers: [{ name: 'c', image: 'nginx' }] } });
  assert.equal(pod.status, 201, JSON.stringify(pod.body));
  assert.equal(pod.body.spec.priority, 2000001000);
});
