// The simulated usage model: shares of requests, baselines, annotation overrides, node sums, formats.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { containerUsage, nodeUsage, NODE_BASELINE, podUsage, usageQuantities } from '../../src/metrics/usage.ts';

const pod = (containers: any[], annotations?: Record<string, string>) => ({ metadata: { name: 'p', annotations }, spec: { containers } });

describe('usage model', () => {
  test('10% of the cpu request and 50% of the memory request', () => {
    const c = { name: 'a', resources: { requests: { cpu: '500m', memory: '128Mi' } } };
    assert.deepEqual(containerUsage(pod([c]), c), { cpuNanos: 50_000_000, memoryBytes: 64 * 2 ** 20 });
  });

  test('baselines without requests: 1m cpu, 4Mi memory', () => {
    const c = { name: 'a' };
    assert.deepEqual(containerUsage(pod([c]), c), { cpuNanos: 1_000_000, memoryBytes: 4 * 2 ** 20 });
  });

  test('pod annotations override every container; per-container annotations win', () => {
    const p = pod([{ name: 'a', resources: { requests: { cpu: '1' } } }, { name: 'b' }],
      { 'skiff.dev/cpu-usage': '250m', 'skiff.dev/memory-usage': '64Mi', 'skiff.dev/cpu-usage.b': '2' });
    assert.deepEqual(podUsage(p), [
      { name: 'a', usage: { cpuNanos: 250_000_000, memoryBytes: 64 * 2 ** 20 } },
      { name: 'b', usage: { cpuNanos: 2_000_000_000, memoryBytes: 64 * 2 ** 20 } },
    ]);
  });

  test('a malformed annotation falls back to the default; "0" is honoured', () => {
    const c = { name: 'a', resources: { requests: { cpu: '200m' } } };
    assert.equal(containerUsage(pod([c], { 'skiff.dev/cpu-usage': 'lots' }), c).cpuNanos, 20_000_000);
    assert.equal(containerUsage(pod([c], { 'skiff.dev/cpu-usage': '0' }), c).cpuNanos, 0);
  });

  test('node usage is the sum of its pods plus the baseline', () => {
    const p1 = pod([{ name: 'a' }], { 'skiff.dev/cpu-usage': '100m', 'skiff.dev/memory-usage': '10Mi' });
    const p2 = pod([{ name: 'a' }, { name: 'b' }], { 'skiff.dev/cpu-usage': '50m', 'skiff.dev/memory-usage': '1Mi' });
    assert.deepEqual(nodeUsage([p1, p2]), { cpuNanos: NODE_BASELINE.cpuNanos + 200_000_000, memoryBytes: NODE_BASELINE.memoryBytes + 12 * 2 ** 20 });
    assert.deepEqual(nodeUsage([]), NODE_BASELINE);
  });

  test('quantities as metrics-server writes them: nanocores and Ki', () => {
    assert.deepEqual(usageQuantities({ cpuNanos: 1_234_567, memoryBytes: 2 ** 20 }), { cpu: '1234567n', memory: '1024Ki' });
  });
});
