// @kubernetes/client-node's CustomObjectsApi and ApiextensionsV1Api against CRD-served resources:
// create the CRD, wait for Established, CRUD and list custom objects, patch, status, scale, watch.
import * as k8s from '@kubernetes/client-node';
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';

function kc(ctx: CaseContext): k8s.KubeConfig {
  const c = new k8s.KubeConfig();
  c.loadFromString(ctx.cluster.kubeconfig);
  return c;
}

const crd = (group: string): k8s.V1CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `gizmos.${group}` },
  spec: {
    group, scope: 'Namespaced', names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: {
        spec: { type: 'object', properties: { size: { type: 'integer' }, replicas: { type: 'integer' } } },
        status: { type: 'object', properties: { ready: { type: 'boolean' }, replicas: { type: 'integer' } } },
      } } },
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
    }],
  },
});

export const crdClientNodeCases: Case[] = [
  {
    behavior: 'crd.custom-objects-api', name: 'custom-objects',
    async run(ctx) {
      const config = kc(ctx);
      const ext = config.makeApiClient(k8s.ApiextensionsV1Api);
      const co = config.makeApiClient(k8s.CustomObjectsApi);
      const group = `${ctx.ns}.skiff.test`;
      await ext.createCustomResourceDefinition({ body: crd(group) });
      await waitFor('CRD Established', async () => {
        const c = await ext.readCustomResourceDefinition({ name: `gizmos.${group}` });
        return c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
      });
      const base = { group, version: 'v1', namespace: ctx.ns, plural: 'gizmos' };
      const created: any = await co.createNamespacedCustomObject({ ...base, body: { apiVersion: `${group}/v1`, kind: 'Gizmo', metadata: { name: 'g1', labels: { tier: 'a' } }, spec: { size: 1, replicas: 1 } } });
      check(created.metadata?.uid && created.metadata.generation === 1, `create: ${JSON.stringify(created.metadata)}`);
      const got: any = await co.getNamespacedCustomObject({ ...base, name: 'g1' });
      check(got.spec.size === 1, `get: ${JSON.stringify(got.spec)}`);
      got.spec.size = 2;
      const replaced: any = await co.replaceNamespacedCustomObject({ ...base, name: 'g1', body: got });
      check(replaced.spec.size === 2 && replaced.metadata.generation === 2, `replace: ${JSON.stringify(replaced.metadata)}`);
      const patched: any = await co.patchNamespacedCustomObject({ ...base, name: 'g1', body: { spec: { size: 3 } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      check(patched.spec.size === 3, `merge patch: ${JSON.stringify(patched.spec)}`);
      const status: any = await co.patchNamespacedCustomObjectStatus({ ...base, name: 'g1', body: { status: { ready: true, replicas: 1 } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      check(status.status?.ready === true, `status patch: ${JSON.stringify(status.status)}`);
      const scale: any = await co.getNamespacedCustomObjectScale({ ...base, name: 'g1' });
      check(scale.kind === 'Scale' && scale.spec.replicas === 1 && scale.status.replicas === 1, `scale: ${JSON.stringify(scale)}`);
      await co.patchNamespacedCustomObjectScale({ ...base, name: 'g1', body: { spec: { replicas: 3 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      check(((await co.getNamespacedCustomObject({ ...base, name: 'g1' })) as any).spec.replicas === 3, 'scale patch reaches spec.replicas');
      await co.createNamespacedCustomObject({ ...base, body: { apiVersion: `${group}/v1`, kind: 'Gizmo', metadata: { name: 'g2', labels: { tier: 'b' } }, spec: { size: 9 } } });
      const list: any = await co.listNamespacedCustomObject({ ...base, labelSelector: 'tier=b' });
      check(list.kind === 'GizmoList' && list.items.length === 1 && list.items[0].metadata.name === 'g2', `list by label: ${JSON.stringify(list.items.map((i: any) => i.metadata.name))}`);
      const page: any = await co.listNamespacedCustomObject({ ...base, limit: 1 });
      check(page.items.length === 1 && page.metadata.continue, 'paginated list');
      // Watch: the next change arrives as an event.
      const events: string[] = [];
      const w = new k8s.Watch(config);
      const req = await w.watch(`/apis/${group}/v1/namespaces/${ctx.ns}/gizmos`, { resourceVersion: list.metadata.resourceVersion }, (type: string, obj: any) => { events.push(`${type} ${obj.metadata.name}`); }, () => {});
      try {
        await co.deleteNamespacedCustomObject({ ...base, name: 'g2' });
        await waitFor('DELETED event', () => events.includes('DELETED g2'));
      } finally { req.abort(); }
      try {
        await co.getNamespacedCustomObject({ ...base, name: 'g2' });
        check(false, 'get after delete succeeded');
      } catch (e) { check((e as { code?: number }).code === 404, `get after delete: ${(e as Error).message}`); }
      await ext.deleteCustomResourceDefinition({ name: `gizmos.${group}` });
      await waitFor('CRD and objects gone', async () => {
        try { await ext.readCustomResourceDefinition({ name: `gizmos.${group}` }); return false; } catch (e) { return (e as { code?: number }).code === 404; }
      });
    },
  },
];
