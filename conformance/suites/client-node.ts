// @kubernetes/client-node (v2, object-parameter API) scenarios.
import * as k8s from '@kubernetes/client-node';
import type { Case, CaseContext } from '../lib.ts';
import { check, rest, waitFor } from '../lib.ts';

function kc(ctx: CaseContext): k8s.KubeConfig {
  const c = new k8s.KubeConfig();
  c.loadFromString(ctx.cluster.kubeconfig);
  return c;
}

async function expectCode(p: Promise<unknown>, code: number, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    const got = (e as { code?: number }).code;
    check(got === code, `${what}: want HTTP ${code}, got ${got} (${(e as Error).message?.slice(0, 200)})`);
    return;
  }
  check(false, `${what}: want HTTP ${code}, but the call succeeded`);
}

const deployment = (name: string): k8s.V1Deployment => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
  spec: {
    replicas: 1, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
});

export const clientNodeCases: Case[] = [
  {
    behavior: 'crud.typed', name: 'configmap-crud',
    async run(ctx) {
      const core = kc(ctx).makeApiClient(k8s.CoreV1Api);
      const created = await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'cn', labels: { s: 'cn' } }, data: { a: '1' } } });
      check(created.metadata?.uid && created.metadata.resourceVersion && created.metadata.creationTimestamp, 'created object lacks uid/resourceVersion/creationTimestamp');
      await expectCode(core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'cn' } } }), 409, 'duplicate create');
      const got = await core.readNamespacedConfigMap({ name: 'cn', namespace: ctx.ns });
      check(got.data?.a === '1', `read: ${JSON.stringify(got.data)}`);
      got.data = { a: '2' };
      const upd = await core.replaceNamespacedConfigMap({ name: 'cn', namespace: ctx.ns, body: got });
      check(upd.metadata?.resourceVersion !== got.metadata?.resourceVersion && upd.data?.a === '2', 'replace');
      await expectCode(core.replaceNamespacedConfigMap({ name: 'cn', namespace: ctx.ns, body: got }), 409, 'replace with a stale resourceVersion');
      const list = await core.listNamespacedConfigMap({ namespace: ctx.ns, labelSelector: 's=cn' });
      check(list.items.length === 1 && list.items[0].metadata?.name === 'cn', `list by label: ${list.items.length}`);
      const status = await core.deleteNamespacedConfigMap({ name: 'cn', namespace: ctx.ns });
      check(status !== undefined, 'delete returns a body');
      await expectCode(core.readNamespacedConfigMap({ name: 'cn', namespace: ctx.ns }), 404, 'read after delete');
      await expectCode(core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'Not_Valid' } } }), 422, 'invalid name');
      await expectCode(core.createNamespacedConfigMap({ namespace: `${ctx.ns}-missing`, body: { metadata: { name: 'x' } } }), 404, 'create in a missing namespace');
    },
  },
  {
    behavior: 'subresource.scale', name: 'deployment-status-scale',
    async run(ctx) {
      const apps = kc(ctx).makeApiClient(k8s.AppsV1Api);
      const d = await apps.createNamespacedDeployment({ namespace: ctx.ns, body: deployment('cnd') });
      check(d.metadata?.generation === 1, `generation ${d.metadata?.generation}`);
      const first = await apps.readNamespacedDeploymentScale({ name: 'cnd', namespace: ctx.ns });
      check(first.kind === 'Scale' && first.apiVersion === 'autoscaling/v1' && first.spec?.replicas === 1, `scale: ${JSON.stringify(first)}`);
      // Read-modify-write with retry on Conflict, as real clients do: a deployment controller may
      // update the status (and so the resourceVersion) between our read and our write.
      for (let attempt = 0; ; attempt++) {
        const scale = await apps.readNamespacedDeploymentScale({ name: 'cnd', namespace: ctx.ns });
        scale.spec = { replicas: 4 };
        try {
          await apps.replaceNamespacedDeploymentScale({ name: 'cnd', namespace: ctx.ns, body: scale });
          break;
        } catch (e) {
          if ((e as { code?: number }).code !== 409 || attempt >= 5) throw e;
        }
      }
      const after = await apps.readNamespacedDeployment({ name: 'cnd', namespace: ctx.ns });
      check(after.spec?.replicas === 4 && after.metadata?.generation === 2, `after scale: replicas=${after.spec?.replicas} generation=${after.metadata?.generation}`);
    },
  },
  {
    behavior: 'read.label-selector', name: 'list-selectors-pagination',
    async run(ctx) {
      const core = kc(ctx).makeApiClient(k8s.CoreV1Api);
      for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: `l${i}`, labels: { par: i % 2 ? 'odd' : 'even' } } } });
      const odd = await core.listNamespacedConfigMap({ namespace: ctx.ns, labelSelector: 'par=odd' });
      check(odd.items.map((i) => i.metadata?.name).join() === 'l1,l3', `par=odd: ${odd.items.map((i) => i.metadata?.name)}`);
      const byName = await core.listNamespacedConfigMap({ namespace: ctx.ns, fieldSelector: 'metadata.name=l4' });
      check(byName.items.length === 1, 'field selector');
      const seen: string[] = [];
      let cont: string | undefined;
      let pages = 0;
      do {
        const page = await core.listNamespacedConfigMap({ namespace: ctx.ns, labelSelector: 'par', limit: 2, _continue: cont });
        seen.push(...page.items.map((i) => i.metadata!.name!));
        cont = page.metadata?._continue || undefined;
        pages++;
      } while (cont && pages < 10);
      check(pages === 3 && seen.join() === 'l0,l1,l2,l3,l4', `pagination: ${pages} pages, ${seen}`);
    },
  },
  {
    behavior: 'watch.events', name: 'watch',
    async run(ctx) {
      const core = kc(ctx).makeApiClient(k8s.CoreV1Api);
      const list = await core.listNamespacedConfigMap({ namespace: ctx.ns });
      const events: Array<[string, string]> = [];
      let doneErr: unknown = 'open';
      const w = new k8s.Watch(kc(ctx));
      const req = await w.watch(`/api/v1/namespaces/${ctx.ns}/configmaps`, { resourceVersion: list.metadata?.resourceVersion },
        (type, obj) => { events.push([type, obj?.metadata?.name]); }, (err) => { doneErr = err; });
      try {
        await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'w1' } } });
        await core.patchNamespacedConfigMap({ name: 'w1', namespace: ctx.ns, body: [{ op: 'add', path: '/data', value: { x: '1' } }] }).catch(async () => {
          // Without PATCH support, fall back to an update so the watch still sees a MODIFIED event.
          const o = await core.readNamespacedConfigMap({ name: 'w1', namespace: ctx.ns });
          o.data = { x: '1' };
          await core.replaceNamespacedConfigMap({ name: 'w1', namespace: ctx.ns, body: o });
        });
        await core.deleteNamespacedConfigMap({ name: 'w1', namespace: ctx.ns });
        await waitFor('ADDED, MODIFIED, DELETED for w1', () => events.filter((e) => e[1] === 'w1').length >= 3, { signal: ctx.signal });
        check(events.filter((e) => e[1] === 'w1').map((e) => e[0]).join() === 'ADDED,MODIFIED,DELETED', `events: ${JSON.stringify(events)}`);
        check(doneErr === 'open', `watch ended early: ${String(doneErr)}`);
      } finally { req.abort(); }
    },
  },
  {
    behavior: 'watch.bookmarks', name: 'watch-bookmarks-initial-events',
    async run(ctx) {
      const core = kc(ctx).makeApiClient(k8s.CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'b0' } } });
      const events: Array<{ type: string; obj: any }> = [];
      const w = new k8s.Watch(kc(ctx));
      const req = await w.watch(`/api/v1/namespaces/${ctx.ns}/configmaps`,
        { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true },
        (type, obj) => { events.push({ type, obj }); }, () => {});
      try {
        const end = await waitFor('the initial-events-end bookmark', () => events.find((e) => e.type === 'BOOKMARK' && e.obj?.metadata?.annotations?.['k8s.io/initial-events-end'] === 'true'), { signal: ctx.signal });
        check(end.obj.kind === 'ConfigMap' && end.obj.apiVersion === 'v1' && /^\d+$/.test(end.obj.metadata.resourceVersion), `bookmark object: ${JSON.stringify(end.obj)}`);
        const initial = events.slice(0, events.indexOf(end));
        const initialNames = initial.map((e) => `${e.type}:${e.obj.metadata.name}`).sort();
        check(initialNames.includes('ADDED:b0') && initial.every((e) => e.type === 'ADDED'), `initial events: ${initialNames}`);
        // Periodic bookmarks (the worker shortens the interval) keep arriving while the namespace is idle.
        const before = events.length;
        await waitFor('a periodic bookmark', () => events.slice(before).some((e) => e.type === 'BOOKMARK'), { signal: ctx.signal, timeoutMs: 10_000 });
      } finally { req.abort(); }
    },
  },
  {
    behavior: 'watch.informer', name: 'informer-list-watch',
    async run(ctx) {
      const config = kc(ctx);
      const core = config.makeApiClient(k8s.CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'pre' } } });
      const inf = k8s.makeInformer(config, `/api/v1/namespaces/${ctx.ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ctx.ns }));
      const seen: string[] = [];
      const errs: unknown[] = [];
      inf.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
      inf.on('update', (o) => seen.push(`update:${o.metadata?.name}`));
      inf.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
      inf.on('error', (e) => errs.push(e));
      await inf.start();
      try {
        check(inf.get('pre', ctx.ns) !== undefined, 'informer cache lacks the pre-existing object after start');
        await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'post' } } });
        const o = await core.readNamespacedConfigMap({ name: 'pre', namespace: ctx.ns });
        o.data = { changed: 'yes' };
        await core.replaceNamespacedConfigMap({ name: 'pre', namespace: ctx.ns, body: o });
        await core.deleteNamespacedConfigMap({ name: 'post', namespace: ctx.ns });
        await waitFor('informer add/update/delete callbacks', () => seen.includes('add:post') && seen.includes('update:pre') && seen.includes('delete:post'), { signal: ctx.signal });
        check(inf.get('post', ctx.ns) === undefined && inf.get('pre', ctx.ns)?.data?.changed === 'yes', 'informer cache contents');
        check(errs.length === 0, `informer errors: ${errs.map(String)}`);
      } finally { await inf.stop(); }
    },
  },
  {
    behavior: 'workloads.informer-deployment-available', name: 'informer-deployment-available',
    async run(ctx) {
      const config = kc(ctx);
      const apps = config.makeApiClient(k8s.AppsV1Api);
      const inf = k8s.makeInformer(config, `/apis/apps/v1/namespaces/${ctx.ns}/deployments`, () => apps.listNamespacedDeployment({ namespace: ctx.ns }));
      const available: number[] = [];
      const errs: unknown[] = [];
      inf.on('update', (d: k8s.V1Deployment) => { if (d.metadata?.name === 'inf') available.push(d.status?.availableReplicas ?? 0); });
      inf.on('error', (e) => errs.push(e));
      await inf.start();
      try {
        const body = deployment('inf');
        body.spec!.replicas = 3;
        await apps.createNamespacedDeployment({ namespace: ctx.ns, body });
        const done = await waitFor('the informer cache to show the Deployment Available', () => {
          const d = inf.get('inf', ctx.ns);
          const cond = d?.status?.conditions?.find((c) => c.type === 'Available');
          return cond?.status === 'True' && d!.status!.availableReplicas === 3 && d!.status!.observedGeneration === d!.metadata!.generation ? d : undefined;
        }, { signal: ctx.signal, timeoutMs: 30_000 });
        check(done.status?.readyReplicas === 3 && done.status.updatedReplicas === 3, `status: ${JSON.stringify(done.status)}`);
        check(available.length >= 2 && available[0] < 3 && available[available.length - 1] === 3, `availableReplicas seen by update callbacks: ${JSON.stringify(available)}`);
        check(available.every((v, i) => i === 0 || v >= available[i - 1]), `availableReplicas went backwards: ${JSON.stringify(available)}`);
        check(errs.length === 0, `informer errors: ${errs.map(String)}`);
      } finally { await inf.stop(); }
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'watch.informer-relist-410', name: 'informer-relist-after-compaction',
    async run(ctx) {
      // The informer's first list comes from a snapshot taken before a compaction, so its watch
      // starts at a compacted resourceVersion: the server must answer 410 Expired in a form the
      // informer understands, after which it re-lists and converges on the current state.
      const config = kc(ctx);
      const core = config.makeApiClient(k8s.CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'old' } } });
      const stale = await core.listNamespacedConfigMap({ namespace: ctx.ns });
      await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'new' } } });
      await core.deleteNamespacedConfigMap({ name: 'old', namespace: ctx.ns });
      await ctx.cluster.compact();
      let lists = 0;
      const listFn = async () => (++lists === 1 ? stale : core.listNamespacedConfigMap({ namespace: ctx.ns }));
      const inf = new k8s.ListWatch(`/api/v1/namespaces/${ctx.ns}/configmaps`, new k8s.Watch(config), listFn, false, undefined, undefined, { delayFn: async () => {} });
      const errs: unknown[] = [];
      inf.on('error', (e) => errs.push(e));
      await inf.start();
      try {
        await waitFor('the informer to re-list after 410', () => lists >= 2 && inf.get('new', ctx.ns) !== undefined && inf.get('old', ctx.ns) === undefined, { signal: ctx.signal, timeoutMs: 15_000 });
        check(errs.length === 0, `informer reported errors instead of re-listing: ${errs.map((e) => (e as Error).message ?? String(e))}`);
        // And it keeps watching afterwards.
        await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'later' } } });
        await waitFor('an add after the relist', () => inf.get('later', ctx.ns) !== undefined, { signal: ctx.signal });
      } finally { await inf.stop(); }
    },
  },
  {
    behavior: 'crud.object-api', name: 'kubernetes-object-api',
    async run(ctx) {
      const api = k8s.KubernetesObjectApi.makeApiClient(kc(ctx));
      const spec = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'koa', namespace: ctx.ns, labels: { app: 'koa' } }, spec: deployment('koa').spec };
      const created: k8s.KubernetesObject = await api.create(spec);
      check(created.metadata?.uid, 'create via KubernetesObjectApi');
      const read = await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'koa', namespace: ctx.ns } });
      check((read as k8s.V1Deployment).spec?.replicas === 1, 'read via KubernetesObjectApi');
      const list = await api.list('v1', 'Namespace');
      check(list.items.some((i) => i.metadata?.name === ctx.ns), 'list namespaces via KubernetesObjectApi');
      const cm = await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'koa-cm', namespace: ctx.ns }, data: { a: '1' } } as k8s.V1ConfigMap);
      (cm as k8s.V1ConfigMap).data = { a: '2' };
      const replaced = await api.replace(cm);
      check((replaced as k8s.V1ConfigMap).data?.a === '2', 'replace via KubernetesObjectApi');
      await api.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'koa-cm', namespace: ctx.ns } });
      await expectCode(api.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'koa-cm', namespace: ctx.ns } }), 404, 'read after delete');
    },
  },
  {
    behavior: 'patch.merge-json', name: 'patch-helpers',
    async run(ctx) {
      const config = kc(ctx);
      const core = config.makeApiClient(k8s.CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: ctx.ns, body: { metadata: { name: 'pt' }, data: { a: '1' } } });
      // client-node's default patch content type is JSON Patch.
      const j = await core.patchNamespacedConfigMap({ name: 'pt', namespace: ctx.ns, body: [{ op: 'replace', path: '/data/a', value: '2' }] });
      check(j.data?.a === '2', `json patch: ${JSON.stringify(j.data)}`);
      const m = await core.patchNamespacedConfigMap({ name: 'pt', namespace: ctx.ns, body: { data: { b: '3' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      check(m.data?.a === '2' && m.data?.b === '3', `merge patch: ${JSON.stringify(m.data)}`);
      // An object body sent as JSON Patch is a client mistake: 4xx, never 500.
      try {
        await core.patchNamespacedConfigMap({ name: 'pt', namespace: ctx.ns, body: { data: { c: '4' } } });
        check(false, 'an object body as JSON Patch must be rejected');
      } catch (e) {
        const code = (e as { code?: number }).code ?? 0;
        check(code >= 400 && code < 500, `object body as JSON Patch: want 4xx, got ${code}`);
      }
    },
  },
  {
    behavior: 'patch.strategic', name: 'patch-strategic-object-api',
    async run(ctx) {
      const config = kc(ctx);
      const apps = config.makeApiClient(k8s.AppsV1Api);
      await apps.createNamespacedDeployment({ namespace: ctx.ns, body: deployment('sp') });
      const p = await apps.patchNamespacedDeployment({ name: 'sp', namespace: ctx.ns, body: { spec: { template: { spec: { containers: [{ name: 'side', image: 'busybox:1.36' }] } } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
      check(p.spec?.template.spec?.containers.map((c) => c.name).sort().join() === 'side,web', 'strategic merge patch merges containers by name');
    },
  },
  {
    behavior: 'apply.server-side', name: 'object-api-server-side-apply',
    async run(ctx) {
      const api = k8s.KubernetesObjectApi.makeApiClient(kc(ctx));
      const spec = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ctx.ns }, data: { a: '1' } };
      const applied: k8s.KubernetesObject = await api.patch(spec, undefined, undefined, 'conformance', true, k8s.PatchStrategy.ServerSideApply);
      check((applied as k8s.V1ConfigMap).data?.a === '1', 'first apply creates');
      check(applied.metadata?.managedFields?.some((m) => m.manager === 'conformance' && m.operation === 'Apply'), 'managedFields records the applier');
    },
  },
  {
    behavior: 'namespace.delete', name: 'namespace-lifecycle', noNamespace: true,
    async run(ctx) {
      const core = kc(ctx).makeApiClient(k8s.CoreV1Api);
      const name = `${ctx.ns}-life`;
      await core.createNamespace({ body: { metadata: { name } } });
      await waitFor('default serviceaccount and kube-root-ca.crt', async () => {
        const sa = await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${name}/serviceaccounts/default`);
        const ca = await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${name}/configmaps/kube-root-ca.crt`);
        return sa.status === 200 && ca.status === 200 && typeof ca.body.data?.['ca.crt'] === 'string';
      }, { signal: ctx.signal });
      await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'inside' } } });
      await core.deleteNamespace({ name });
      await waitFor('namespace removal', async () => {
        try { await core.readNamespace({ name }); return false; } catch (e) { return (e as { code?: number }).code === 404; }
      }, { signal: ctx.signal, timeoutMs: 30_000 });
    },
  },
];
