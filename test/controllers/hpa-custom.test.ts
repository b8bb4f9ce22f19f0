// The HPA controller scales a custom resource through its CRD's scale subresource paths: replicas
// from specReplicasPath, pods from the selector at labelSelectorPath; a scale without a selector is
// reported as InvalidSelector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/registry/resources.ts';
import { CrdController } from '../../src/registry/custom/crd-controller.ts';
import { startCluster, R, deployment } from './harness.ts';

const HPA = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
const CRDS = findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
const cpu50 = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }];
const cond = (h: any, type: string) => h.status?.conditions?.find((c: any) => c.type === type);

test('an HPA scales a custom resource with a scale subresource', async () => {
  const c = await startCluster({ nodes: 2 });
  const crds = new CrdController(c.store, c.clock);
  try {
    await crds.start();
    await c.store.create(CRDS, undefined, {
      metadata: { name: 'workers.hpa.example.com' },
      spec: {
        group: 'hpa.example.com', scope: 'Namespaced', names: { plural: 'workers', kind: 'Worker' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size', labelSelectorPath: '.status.selector' } } }],
      },
    });
    await crds.waitEstablished(['workers.hpa.example.com']);
    const workers = c.store.resources.find('hpa.example.com', 'v1', 'workers')!;
    // The pods the custom resource stands for: a Deployment's, at 250% of their cpu request.
    const d = deployment('busy', 1);
    d.spec.template.metadata.annotations = { 'skiff.dev/cpu-usage': '250m' };
    d.spec.template.spec.containers[0].resources = { requests: { cpu: '100m' } };
    await c.store.create(R.deployments, 'default', d);
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'busy')).status?.availableReplicas === 1, { what: 'rollout' });
    await c.store.create(workers, 'default', { metadata: { name: 'w' }, spec: { size: 1 } });
    await c.store.update(workers, 'default', 'w', { ...(await c.store.get(workers, 'default', 'w')), status: { size: 1, selector: 'app=busy' } }, { subresource: 'status' });
    await c.store.create(workers, 'default', { metadata: { name: 'noselector' }, spec: { size: 1 } });
    const hpa = (name: string, target: string) => ({ metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'hpa.example.com/v1', kind: 'Worker', name: target }, minReplicas: 1, maxReplicas: 10, metrics: cpu50 } });
    await c.store.create(HPA, 'default', hpa('w', 'w'));
    await c.store.create(HPA, 'default', hpa('ns', 'noselector'));
    await c.until(async () => (await c.store.get(workers, 'default', 'w')).spec.size === 5, { stepMs: 1000, what: 'custom resource scaled to 5' });
    const h = await c.store.get(HPA, 'default', 'w');
    assert.equal(h.status.desiredReplicas, 5);
    assert.equal(cond(h, 'AbleToScale').status, 'True');
    await c.until(async () => cond(await c.store.get(HPA, 'default', 'ns'), 'ScalingActive')?.reason === 'InvalidSelector', { stepMs: 1000, what: 'InvalidSelector' });
    assert.equal((await c.store.get(workers, 'default', 'noselector')).spec.size, 1);
  } finally { crds.stop(); await c.close(); }
});
