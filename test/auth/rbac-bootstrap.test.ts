// The bootstrap policy's reconciliation at start (as kube-apiserver's auto-reconcile): missing
// objects come back, missing rules and subjects are added, nothing is removed, and an object
// annotated rbac.authorization.kubernetes.io/autoupdate=false is left as its owner made it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapObjects, reconcileObject, AUTOUPDATE } from '../../src/auth/rbac/bootstrap.ts';
import { startServer } from '../../src/server.ts';
import { findResource } from '../../src/registry/resources.ts';

const role = (rules: object[], annotations: Record<string, string> = {}) => ({ metadata: { name: 'r', annotations, labels: { mine: 'x' } }, rules });

test('reconcileObject: rules added, extra ones kept, labels merged (existing wins), autoupdate=false untouched', () => {
  const want = { metadata: { name: 'r', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', mine: 'y' }, annotations: { [AUTOUPDATE]: 'true' } }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] };
  const out = reconcileObject(role([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['delete'], apiGroups: [''], resources: ['nodes'] }]), want);
  assert.ok(out && out !== 'recreate');
  assert.deepEqual(out.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['delete'], apiGroups: [''], resources: ['nodes'] }, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
  assert.deepEqual(out.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults', mine: 'x' });
  assert.equal(reconcileObject(role([], { [AUTOUPDATE]: 'false' }), want), undefined);
  const same = reconcileObject({ metadata: { name: 'r', labels: want.metadata.labels, annotations: want.metadata.annotations }, rules: want.rules }, want);
  assert.equal(same, undefined, 'nothing to do');
});

test('reconcileObject on bindings: missing subjects added; another roleRef means recreate', () => {
  const want = { metadata: { name: 'b', annotations: { [AUTOUPDATE]: 'true' } }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'g' }] };
  const out = reconcileObject({ metadata: { name: 'b' }, roleRef: want.roleRef, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' }] }, want);
  assert.ok(out && out !== 'recreate');
  assert.deepEqual(out.subjects.map((s: any) => s.name), ['u', 'g']);
  assert.equal(reconcileObject({ metadata: { name: 'b' }, roleRef: { ...want.roleRef, name: 'edit' }, subjects: [] }, want), 'recreate');
});

test('reconcileObject: rules held verbatim but a label or annotation missing still gains it; rules covered by broader ones need nothing', () => {
  const rules = [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }];
  const want = { metadata: { name: 'r', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { [AUTOUPDATE]: 'true' } }, rules };
  const noLabel = reconcileObject({ metadata: { name: 'r', annotations: { [AUTOUPDATE]: 'true' } }, rules }, want);
  assert.ok(noLabel && noLabel !== 'recreate');
  assert.deepEqual(noLabel.metadata.labels, want.metadata.labels);
  const noAnnotation = reconcileObject({ metadata: { name: 'r', labels: want.metadata.labels }, rules }, want);
  assert.ok(noAnnotation && noAnnotation !== 'recreate');
  assert.deepEqual(noAnnotation.metadata.annotations, want.metadata.annotations);
  const broader = { metadata: { name: 'r', labels: want.metadata.labels, annotations: want.metadata.annotations }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] };
  assert.equal(reconcileObject(broader, want), undefined);
  const sel = { ...want, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } };
  const noSel = reconcileObject({ metadata: broader.metadata, rules }, sel);
  assert.ok(noSel && noSel !== 'recreate');
  assert.deepEqual(noSel.aggregationRule, sel.aggregationRule);
  const binding = { metadata: want.metadata, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'g' }] };
  assert.equal(reconcileObject({ ...binding, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' }, ...binding.subjects] }, binding), undefined);
});

test('the policy data: upstream\'s roles and bindings, every binding naming a role of the policy or a controller role', () => {
  const objects = new Map(bootstrapObjects());
  const roles = new Set(objects.get('clusterroles')!.map((o) => o.metadata.name));
  for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:public-info-viewer', 'system:basic-user', 'system:node', 'system:kube-scheduler', 'system:controller:replicaset-controller']) assert.ok(roles.has(name), name);
  for (const b of objects.get('clusterrolebindings')!) assert.ok(roles.has(b.roleRef.name), `${b.metadata.name} → ${b.roleRef.name}`);
  const publicInfo = objects.get('clusterrolebindings')!.find((b) => b.metadata.name === 'system:public-info-viewer')!;
  assert.deepEqual(publicInfo.subjects.map((s: any) => s.name), ['system:authenticated', 'system:unauthenticated']);
});

test('at every start: a deleted bootstrap role is recreated, a trimmed one regains its rules, an autoupdate=false one is kept as edited', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-rbac-boot-'));
  const opts = { port: 0, dataDir: dir, insecureHttp: true, kubeconfigPath: false as const, controllers: false };
  const cr = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
  try {
    let s = await startServer(opts);
    await s.store.delete(cr, undefined, 'system:discovery');
    await s.store.guaranteedUpdate(cr, undefined, 'system:basic-user', (o) => { o.rules = []; return o; });
    await s.store.guaranteedUpdate(cr, undefined, 'system:heapster', (o) => { o.rules = []; o.metadata.annotations = { ...o.metadata.annotations, [AUTOUPDATE]: 'false' }; return o; });
    await s.stop();
    s = await startServer(opts);
    try {
      assert.ok((await s.store.get(cr, undefined, 'system:discovery')).rules.length > 0);
      assert.ok((await s.store.get(cr, undefined, 'system:basic-user')).rules.length >= 3);
      assert.deepEqual((await s.store.get(cr, undefined, 'system:heapster')).rules, []);
    } finally { await s.stop(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
