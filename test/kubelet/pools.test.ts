// Node pool config: parsing, the errors it names, and the Nodes a pool registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePools } from '../../src/kubelet/pools.ts';
import { nodeObject, poolTemplates } from '../../src/kubelet/nodes.ts';

const GOOD = `
pools:
  - name: web
    count: 2
    labels: {topology.kubernetes.io/zone: eu-1a, topology.kubernetes.io/region: eu-1, node.kubernetes.io/instance-type: m5.large}
  - name: gpu
    count: 1
    capacity: {cpu: 8, memory: 32Gi, nvidia.com/gpu: "1"}
    taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
`;

test('pools become nodes <pool>-<i> with capacity, labels (and beta spellings) and taints', () => {
  const pools = parsePools(GOOD);
  const t = poolTemplates(pools);
  assert.deepEqual(t.map((x) => x.name), ['web-0', 'web-1', 'gpu-0']);
  const web1 = nodeObject(1, 0, undefined, t[1]);
  assert.equal(web1.metadata.name, 'web-1');
  assert.equal(web1.metadata.labels!['kubernetes.io/hostname'], 'web-1');
  assert.equal(web1.metadata.labels!['topology.kubernetes.io/zone'], 'eu-1a');
  assert.equal(web1.metadata.labels!['failure-domain.beta.kubernetes.io/region'], 'eu-1');
  assert.equal(web1.metadata.labels!['beta.kubernetes.io/instance-type'], 'm5.large');
  assert.equal(web1.status.capacity.cpu, '16', 'defaults when not configured');
  assert.equal(web1.spec.podCIDR, '10.244.1.0/24');
  assert.equal(web1.status.addresses[1].address, 'web-1');
  const gpu = nodeObject(2, 0, undefined, t[2]);
  assert.deepEqual([gpu.status.capacity.cpu, gpu.status.allocatable['nvidia.com/gpu'], gpu.status.capacity.pods], ['8', '1', '110']);
  assert.deepEqual(gpu.spec.taints, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
});

test('bad pool files fail with one line naming the problem', () => {
  const cases: [string, RegExp][] = [
    ['pools: [', /^not valid YAML/],
    ['nodes: 3', /top-level "pools" list/],
    ['pools: []', /at least one pool/],
    ['pools: [{name: web, count: 1}]\nextra: 1', /unknown top-level field "extra"/],
    ['pools: [{name: Web_1, count: 1}]', /pools\[0\]\.name must be a DNS-1123 label/],
    ['pools: [{name: a, count: 1}, {name: a, count: 2}]', /pools\[1\]\.name "a" is used by another pool/],
    ['pools: [{name: a, count: -1}]', /pools\[0\]\.count must be an integer from 0/],
    ['pools: [{name: a, count: 1.5}]', /pools\[0\]\.count must be an integer/],
    ['pools: [{name: a, count: 1, capacity: {cpu: lots}}]', /pools\[0\]\.capacity\.cpu must be a quantity/],
    ['pools: [{name: a, count: 1, labels: {"bad key!": x}}]', /pools\[0\]\.labels: "bad key!" is not a valid label key/],
    ['pools: [{name: a, count: 1, taints: [{key: k, effect: Sometimes}]}]', /pools\[0\]\.taints\[0\]\.effect must be NoSchedule, PreferNoSchedule or NoExecute/],
    ['pools: [{name: a, count: 1, zones: [a]}]', /pools\[0\]: unknown field "zones"/],
    ['pools: [{name: a, count: 60000}, {name: b, count: 60000}]', /add up to 120000 nodes/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parsePools(text), (e: Error) => { assert.match(e.message, re, text); assert.ok(!e.message.includes('\n'), 'one line'); return true; });
  }
});
