// The HPA's replica computation: ratio and tolerance, Utilization and AverageValue, errors,
// stabilization windows, the scale-up limit and min/max.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetric, stabilize } from '../../src/controllers/hpa/algorithm.ts';

const pod = (name: string, cpu: number, reqCpu: number, memory = 0, reqMem = 0) => ({ name, usage: { cpu, memory }, requests: { cpu: reqCpu, memory: reqMem } });
const cpuUtil = (averageUtilization: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });

describe('computeMetric', () => {
  test('utilization above target scales to ceil(ratio × pods)', () => {
    const r = computeMetric(cpuUtil(50), 2, [pod('a', 0.25, 0.1), pod('b', 0.25, 0.1)]); // 250% vs 50% → ratio 5
    assert.equal(r.replicas, 10);
    assert.equal(r.current!.resource.current.averageUtilization, 250);
    assert.equal(r.current!.resource.current.averageValue, '250m');
    assert.equal(r.description, 'cpu resource utilization (percentage of request)');
  });

  test('within the 10% tolerance the current count is kept; just outside it is not', () => {
    assert.equal(computeMetric(cpuUtil(50), 3, [pod('a', 0.054, 0.1)]).replicas, 3); // ratio 1.08
    assert.equal(computeMetric(cpuUtil(50), 3, [pod('a', 0.046, 0.1)]).replicas, 3); // ratio 0.92
    assert.equal(computeMetric(cpuUtil(50), 1, [pod('a', 0.06, 0.1)]).replicas, 2); // ratio 1.2
    assert.equal(computeMetric(cpuUtil(50), 4, [pod('a', 0.01, 0.1), pod('b', 0.01, 0.1)]).replicas, 1); // ratio 0.2 → ceil(0.4)
  });

  test('AverageValue compares the average usage with the target quantity', () => {
    const m = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '64Mi' } } };
    const r = computeMetric(m, 1, [pod('a', 0, 0, 128 * 2 ** 20)]);
    assert.equal(r.replicas, 2);
    assert.equal(r.current!.resource.current.averageValue, String(128 * 2 ** 20));
  });

  test('errors: unsupported metric types, a missing request, no pods with metrics', () => {
    for (const type of ['Pods', 'Object', 'External']) {
      const r = computeMetric({ type }, 1, [pod('a', 1, 1)]);
      assert.equal(r.error!.reason, 'InvalidMetricSourceType');
      assert.match(r.error!.message, new RegExp(`metric type "${type}" is not supported`));
    }
    const noReq = computeMetric(cpuUtil(50), 1, [pod('a', 1, 0)]);
    assert.match(noReq.error!.message, /missing request for cpu in container of Pod a/);
    assert.equal(computeMetric(cpuUtil(50), 1, []).error!.reason, 'FailedGetResourceMetric');
  });
});

describe('stabilize', () => {
  const spec = { minReplicas: 1, maxReplicas: 10 };
  test('scale-up is immediate but limited to max(2 × current, current + 4) per period', () => {
    assert.deepEqual(stabilize(spec, 1, 3, [], 0), { replicas: 3, limited: undefined });
    assert.equal(stabilize({ ...spec, maxReplicas: 100 }, 1, 50, [], 0).replicas, 5);
    assert.equal(stabilize({ ...spec, maxReplicas: 100 }, 10, 50, [], 0).replicas, 20);
  });

  test('a recommendation made just now does not hold back a scale-up (window 0 s)', () => {
    assert.equal(stabilize(spec, 2, 4, [{ at: 1000, replicas: 2 }], 1000).replicas, 4);
    assert.equal(stabilize({ ...spec, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } }, 2, 4, [{ at: 1000, replicas: 2 }], 30_000).replicas, 2);
  });

  test('scale-down keeps the highest recommendation of the last 300 s', () => {
    const hist = [{ at: 0, replicas: 6 }, { at: 100_000, replicas: 4 }];
    assert.equal(stabilize(spec, 6, 2, hist, 200_000).replicas, 6);
    assert.equal(stabilize(spec, 6, 2, hist, 350_000).replicas, 4, 'the 6 is older than 300 s');
    assert.equal(stabilize(spec, 6, 2, hist, 500_000).replicas, 2);
    assert.equal(stabilize({ ...spec, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }, 6, 2, hist, 200_000).replicas, 2);
  });

  test('min and max clamp with ScalingLimited reasons', () => {
    assert.deepEqual(stabilize({ minReplicas: 1, maxReplicas: 5 }, 4, 8, [], 0).limited?.reason, 'TooManyReplicas');
    assert.equal(stabilize({ minReplicas: 1, maxReplicas: 5 }, 4, 8, [], 0).replicas, 5);
    assert.equal(stabilize({ minReplicas: 3, maxReplicas: 5 }, 3, 1, [], 0).replicas, 3);
    assert.equal(stabilize({ minReplicas: 3, maxReplicas: 5 }, 3, 1, [], 0).limited?.reason, 'TooFewReplicas');
  });
});
