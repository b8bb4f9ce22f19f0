// Volumes driven by real kubectl, as on kind: the default StorageClass `standard` (local-path,
// WaitForFirstConsumer) provisions a volume once a pod using the claim is scheduled; StatefulSet
// claims get bound; static volumes bind and are released; bad claims are refused.
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';

const pvcYaml = (ctx: CaseContext, name: string, storage: string, extra = '') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: ${ctx.ns}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${storage}}}
${extra}---
`;
const podYaml = (ctx: CaseContext, name: string, claim: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ctx.ns}}
spec:
  containers: [{name: c, image: busybox:1.36, command: [sleep, "3600"], volumeMounts: [{name: data, mountPath: /data}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: ${claim}}}]
---
`;
const jsonOf = async (ctx: CaseContext, args: string[]) => JSON.parse(await ok(ctx, ['get', ...args, '-n', ctx.ns, '-o', 'json']));
const waitBound = (ctx: CaseContext, pvc: string) =>
  ok(ctx, ['wait', '--for=jsonpath={.status.phase}=Bound', `pvc/${pvc}`, '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
const gone = (ctx: CaseContext, args: string[], what: string) => waitFor(what, async () => {
  const r = await kubectl(ctx, ['get', ...args, '-n', ctx.ns]);
  return r.code !== 0 && r.stderr.includes('NotFound') ? true : undefined;
}, { signal: ctx.signal, timeoutMs: 20_000, intervalMs: 300 });

export const volumeCases: Case[] = [
  {
    behavior: 'volumes.first-consumer-provisioning', name: 'pvc-first-consumer', core: true,
    async run(ctx) {
      const sc = await ok(ctx, ['get', 'storageclass']);
      check(/^standard \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/m.test(sc), `kubectl get sc: ${sc}`);
      await ok(ctx, ['apply', '-f', '-'], { input: pvcYaml(ctx, 'data', '1Gi') });
      const pending = await jsonOf(ctx, ['pvc', 'data']);
      check(pending.status.phase === 'Pending' && pending.spec.storageClassName === 'standard', `new claim: ${JSON.stringify({ spec: pending.spec, status: pending.status })}`);
      await waitFor('WaitForFirstConsumer event', async () => {
        const d = await ok(ctx, ['describe', 'pvc', 'data', '-n', ctx.ns]);
        return d.includes('WaitForFirstConsumer') && d.includes('waiting for first consumer to be created before binding') ? d : undefined;
      }, { signal: ctx.signal });
      await ok(ctx, ['apply', '-f', '-'], { input: podYaml(ctx, 'app', 'data') });
      await waitBound(ctx, 'data');
      const pvc = await jsonOf(ctx, ['pvc', 'data']);
      const pod = await jsonOf(ctx, ['pod', 'app']);
      const pvName = `pvc-${pvc.metadata.uid}`;
      check(pvc.spec.volumeName === pvName, `volumeName ${pvc.spec.volumeName}, want ${pvName}`);
      check(pvc.metadata.annotations['volume.kubernetes.io/selected-node'] === pod.spec.nodeName, `selected-node ${pvc.metadata.annotations['volume.kubernetes.io/selected-node']} vs pod node ${pod.spec.nodeName}`);
      const row = (await ok(ctx, ['get', 'pv', pvName, '--no-headers'])).trim().split(/\s+/);
      check(row[0] === pvName && row[1] === '1Gi' && row[2] === 'RWO' && row[3] === 'Delete' && row[4] === 'Bound' && row[5] === `${ctx.ns}/data` && row[6] === 'standard', `kubectl get pv: ${row.join(' ')}`);
      await ok(ctx, ['wait', '--for=condition=Ready', 'pod/app', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await ok(ctx, ['delete', 'pod', 'app', '-n', ctx.ns, '--grace-period=0', '--force']);
      await ok(ctx, ['delete', 'pvc', 'data', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await gone(ctx, ['pv', pvName], `pv ${pvName} deleted with its claim`);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'volumes.statefulset-claims-bound', name: 'statefulset-claims-bound',
    async run(ctx) {
      const y = `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: ${ctx.ns}}\nspec:\n  serviceName: db\n  replicas: 2\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: postgres:16}]\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}\n`;
      await ok(ctx, ['apply', '-f', '-'], { input: y });
      await ok(ctx, ['rollout', 'status', 'statefulset/db', '-n', ctx.ns, '--timeout=40s'], { timeoutMs: 50_000 });
      for (const c of ['data-db-0', 'data-db-1']) await waitBound(ctx, c);
      const out = await ok(ctx, ['get', 'pvc', '-n', ctx.ns, '--no-headers']);
      const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/)).sort((a, b) => a[0].localeCompare(b[0]));
      check(rows.length === 2 && rows.every((r, i) => r[0] === `data-db-${i}` && r[1] === 'Bound' && r[2].startsWith('pvc-') && r[3] === '2Gi' && r[5] === 'standard'), `kubectl get pvc: ${out}`);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'volumes.static-binding-retain', name: 'static-binding-retain',
    async run(ctx) {
      const cls = `sc-${ctx.ns}`.slice(0, 60);
      const pv = (name: string, size: string) => `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: ${name}}\nspec:\n  storageClassName: ${cls}\n  capacity: {storage: ${size}}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /mnt/${name}}\n---\n`;
      const big = `${ctx.ns}-big`.slice(0, 60), small = `${ctx.ns}-small`.slice(0, 60);
      try {
        await ok(ctx, ['apply', '-f', '-'], { input: `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: ${cls}}\nprovisioner: kubernetes.io/no-provisioner\n---\n${pv(big, '10Gi')}${pv(small, '2Gi')}` });
        await ok(ctx, ['apply', '-f', '-'], { input: pvcYaml(ctx, 'claim', '1Gi', `  storageClassName: ${cls}\n`) });
        await waitBound(ctx, 'claim');
        check((await jsonOf(ctx, ['pvc', 'claim'])).spec.volumeName === small, 'the smallest fitting volume is chosen');
        const bigPhase = (await ok(ctx, ['get', 'pv', big, '-o', 'jsonpath={.status.phase}'])).trim();
        check(bigPhase === 'Available', `unused volume phase ${bigPhase}`);
        await ok(ctx, ['delete', 'pvc', 'claim', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
        await ok(ctx, ['wait', '--for=jsonpath={.status.phase}=Released', `pv/${small}`, '--timeout=30s'], { timeoutMs: 40_000 });
        const row = (await ok(ctx, ['get', 'pv', small, '--no-headers'])).trim().split(/\s+/);
        check(row[3] === 'Retain' && row[4] === 'Released' && row[5] === `${ctx.ns}/claim`, `kubectl get pv: ${row.join(' ')}`);
      } finally {
        await kubectl(ctx, ['delete', 'pv', big, small, '--wait=false']);
        await kubectl(ctx, ['delete', 'storageclass', cls, '--wait=false']);
      }
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'volumes.claim-validation', name: 'pvc-validation',
    async run(ctx) {
      const neg = await kubectl(ctx, ['apply', '-f', '-'], { input: pvcYaml(ctx, 'neg', '-1Gi') });
      check(neg.code !== 0 && neg.stderr.includes('is invalid') && neg.stderr.includes('spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero'), `negative size: ${neg.stderr}`);
      await ok(ctx, ['apply', '-f', '-'], { input: pvcYaml(ctx, 'fixed', '1Gi') });
      const mut = await kubectl(ctx, ['patch', 'pvc', 'fixed', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"accessModes":["ReadWriteMany"]}}']);
      check(mut.code !== 0 && mut.stderr.includes('spec: Forbidden: spec is immutable after creation'), `immutable spec: ${mut.stderr}`);
      const grow = await kubectl(ctx, ['patch', 'pvc', 'fixed', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
      check(grow.code !== 0 && grow.stderr.includes('spec is immutable after creation except resources.requests'), `unbound claim resize: ${grow.stderr}`);
      const size = (await ok(ctx, ['get', 'pvc', 'fixed', '-n', ctx.ns, '-o', 'jsonpath={.spec.resources.requests.storage}'])).trim();
      check(size === '1Gi', `stored size ${size}`);
    },
  },
  {
    behavior: 'volumes.missing-claim-unschedulable', name: 'missing-claim-unschedulable',
    async run(ctx) {
      await ok(ctx, ['apply', '-f', '-'], { input: podYaml(ctx, 'orphan', 'nope') });
      await waitFor('FailedScheduling for the missing claim', async () => {
        const d = await ok(ctx, ['describe', 'pod', 'orphan', '-n', ctx.ns]);
        return d.includes('FailedScheduling') && d.includes('persistentvolumeclaim "nope" not found') ? d : undefined;
      }, { signal: ctx.signal });
      await ok(ctx, ['apply', '-f', '-'], { input: pvcYaml(ctx, 'nope', '1Gi') });
      await ok(ctx, ['wait', '--for=condition=PodScheduled', 'pod/orphan', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await waitBound(ctx, 'nope');
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'volumes.generic-ephemeral', name: 'generic-ephemeral',
    async run(ctx) {
      const y = `apiVersion: v1\nkind: Pod\nmetadata: {name: eph, namespace: ${ctx.ns}}\nspec:\n  containers: [{name: c, image: busybox:1.36, command: [sleep, "3600"], volumeMounts: [{name: scratch, mountPath: /scratch}]}]\n  volumes:\n  - name: scratch\n    ephemeral:\n      volumeClaimTemplate:\n        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 512Mi}}}\n`;
      await ok(ctx, ['apply', '-f', '-'], { input: y });
      await waitFor('claim eph-scratch', async () => (await kubectl(ctx, ['get', 'pvc', 'eph-scratch', '-n', ctx.ns])).code === 0 || undefined, { signal: ctx.signal });
      await waitBound(ctx, 'eph-scratch');
      await ok(ctx, ['wait', '--for=condition=Ready', 'pod/eph', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const pvc = await jsonOf(ctx, ['pvc', 'eph-scratch']);
      const pod = await jsonOf(ctx, ['pod', 'eph']);
      check(pvc.metadata.ownerReferences?.[0]?.uid === pod.metadata.uid && pvc.metadata.ownerReferences[0].controller === true, `owner: ${JSON.stringify(pvc.metadata.ownerReferences)}`);
      await ok(ctx, ['delete', 'pod', 'eph', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await gone(ctx, ['pvc', 'eph-scratch'], 'the claim is deleted with its pod');
      await gone(ctx, ['pv', pvc.spec.volumeName], 'and its volume');
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'volumes.claim-expansion', name: 'pvc-expansion',
    async run(ctx) {
      const grow = `grow-${ctx.ns}`.slice(0, 60), fixed = `fixed-${ctx.ns}`.slice(0, 60);
      const sc = (name: string, expand: boolean) => `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: ${name}}\nprovisioner: rancher.io/local-path\nvolumeBindingMode: Immediate\nallowVolumeExpansion: ${expand}\n---\n`;
      try {
        await ok(ctx, ['apply', '-f', '-'], { input: sc(grow, true) + sc(fixed, false) + pvcYaml(ctx, 'a', '1Gi', `  storageClassName: ${grow}\n`) + pvcYaml(ctx, 'b', '1Gi', `  storageClassName: ${fixed}\n`) });
        await waitBound(ctx, 'a');
        await waitBound(ctx, 'b');
        const refused = await kubectl(ctx, ['patch', 'pvc', 'b', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
        check(refused.code !== 0 && refused.stderr.includes('persistentvolumeclaims "b" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize'), `resize without allowVolumeExpansion: ${refused.stderr}`);
        await ok(ctx, ['patch', 'pvc', 'a', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}']);
        await ok(ctx, ['wait', '--for=jsonpath={.status.capacity.storage}=3Gi', 'pvc/a', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
        const pv = (await jsonOf(ctx, ['pvc', 'a'])).spec.volumeName;
        const cap = (await ok(ctx, ['get', 'pv', pv, '-o', 'jsonpath={.spec.capacity.storage}'])).trim();
        check(cap === '3Gi', `volume capacity ${cap}`);
        const shrink = await kubectl(ctx, ['patch', 'pvc', 'a', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}']);
        check(shrink.code !== 0 && shrink.stderr.includes('field can not be less than previous value'), `shrink: ${shrink.stderr}`);
      } finally {
        await kubectl(ctx, ['delete', 'pvc', 'a', 'b', '-n', ctx.ns, '--wait=false']);
        await kubectl(ctx, ['delete', 'storageclass', grow, fixed, '--wait=false']);
      }
    },
    timeoutMs: 90_000,
  },
];
