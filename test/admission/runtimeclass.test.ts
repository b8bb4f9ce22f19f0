// The RuntimeClass admission plugin and pod sysctl validation through the HTTP API: a missing
// RuntimeClass is refused (403), overhead.podFixed becomes the pod's overhead, a different overhead
// is refused, scheduling merges into the pod; invalid sysctl names are refused (422) with upstream's messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { mergeTolerations } from '../../src/admission/runtimeclass/tolerations.ts';

let srv: RunningServer;
before(async () => { srv = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false }); });
after(async () => { await srv.stop(); });

const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(srv.url + path, { method, headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json: any; try { json = JSON.parse(text); } catch { /* text */ }
  return { status: r.status, text, body: json };
};
const pod = (name: string, spec: Record<string, any> = {}) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const createPod = (p: unknown) => api('POST', '/api/v1/namespaces/default/pods', p);

test('a pod naming a RuntimeClass that does not exist is forbidden', async () => {
  const r = await createPod(pod('norc', { runtimeClassName: 'nope' }));
  assert.equal(r.status, 403, r.text);
  assert.equal(r.body.reason, 'Forbidden');
  assert.equal(r.body.message, 'pods "norc" is forbidden: pod rejected: RuntimeClass "nope" not found');
});

test('overhead.podFixed becomes the pod overhead; a different one is refused; scheduling merges', async () => {
  const rc = await api('POST', '/apis/node.k8s.io/v1/runtimeclasses', {
    metadata: { name: 'fast' }, handler: 'runc', overhead: { podFixed: { cpu: '10m', memory: '1Mi' } },
    scheduling: { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'gpu', operator: 'Exists' }] },
  });
  assert.equal(rc.status, 201, rc.text);
  const ok = await createPod(pod('withrc', { runtimeClassName: 'fast', nodeSelector: { zone: 'a' }, tolerations: [{ key: 'gpu', operator: 'Equal', value: 'x' }] }));
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual(ok.body.spec.overhead, { cpu: '10m', memory: '1Mi' });
  assert.deepEqual(ok.body.spec.nodeSelector, { zone: 'a', disk: 'ssd' });
  assert.deepEqual(ok.body.spec.tolerations.filter((t: any) => t.key === 'gpu'), [{ key: 'gpu', operator: 'Exists' }], 'the wider toleration covers the narrower');
  const same = await createPod(pod('sameoverhead', { runtimeClassName: 'fast', overhead: { cpu: '0.01', memory: '1048576' } }));
  assert.equal(same.status, 201, same.text);
  const other = await createPod(pod('otheroverhead', { runtimeClassName: 'fast', overhead: { cpu: '1' } }));
  assert.equal(other.status, 403);
  assert.equal(other.body.message, 'pods "otheroverhead" is forbidden: pod rejected: Pod\'s Overhead doesn\'t match RuntimeClass\'s defined Overhead');
  const clash = await createPod(pod('clash', { runtimeClassName: 'fast', nodeSelector: { disk: 'hdd' } }));
  assert.equal(clash.status, 403);
  assert.match(clash.body.message, /conflict: runtimeClass\.scheduling\.nodeSelector\[disk\] = ssd; pod\.spec\.nodeSelector\[disk\] = hdd$/);
  const bare = await createPod(pod('bareoverhead', { overhead: { cpu: '1' } }));
  assert.equal(bare.status, 403);
  assert.match(bare.body.message, /Pod Overhead set without corresponding RuntimeClass defined Overhead$/);
});

test('sysctl names: invalid ones are refused with upstream\'s regex message, valid and duplicate as upstream', async () => {
  const r = await createPod(pod('sysctls', { securityContext: { sysctls: [{ name: 'foo-', value: 'bar' }, { name: 'kernel.shmmax', value: '1' }, { name: 'safe-and-unsafe', value: '1' }, { name: 'bar..', value: '42' }] } }));
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.message, /spec\.securityContext\.sysctls\[0\]\.name: Invalid value: "foo-": must have at most 253 characters and match regex \^\(\[a-z0-9\]/);
  assert.match(r.body.message, /Invalid value: "bar\.\."/);
  assert.doesNotMatch(r.body.message, /safe-and-unsafe|kernel\.shmmax/);
  const dup = await createPod(pod('dup', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'kernel.msgmax', value: '2' }, { name: '', value: '1' }] } }));
  assert.equal(dup.status, 422);
  assert.match(dup.body.message, /sysctls\[1\]\.name: Duplicate value: "kernel\.msgmax"/);
  assert.match(dup.body.message, /sysctls\[2\]\.name: Required value/);
  const hostnet = await createPod(pod('hostnet', { hostNetwork: true, securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } }));
  assert.equal(hostnet.status, 422);
  assert.match(hostnet.body.message, /may not be specified when 'hostNetwork' is true/);
  const long = await createPod(pod('long', { securityContext: { sysctls: [{ name: 'a'.repeat(254), value: '1' }] } }));
  assert.equal(long.status, 422);
  const wrongType = await createPod(pod('wrongtype', { securityContext: { sysctls: 'kernel.msgmax=1' } }));
  assert.ok(wrongType.status >= 400 && wrongType.status < 500, wrongType.text);
  const fine = await createPod(pod('fine', { securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'net/ipv4/ip_local_port_range', value: '1024 65535' }] } }));
  assert.equal(fine.status, 201, fine.text);
});

test('mergeTolerations drops covered tolerations and keeps the first of equal ones', () => {
  assert.deepEqual(mergeTolerations([{ key: 'a', operator: 'Equal', value: '1' }], [{ key: 'a', operator: 'Exists' }]), [{ key: 'a', operator: 'Exists' }]);
  assert.deepEqual(mergeTolerations([{ key: 'a', operator: 'Exists' }], [{ key: 'a', operator: 'Exists' }]), [{ key: 'a', operator: 'Exists' }]);
  assert.deepEqual(mergeTolerations([{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], [{ key: 'b', operator: 'Exists' }]).length, 2);
  assert.deepEqual(mergeTolerations([{ operator: 'Exists' }], [{ key: 'x', operator: 'Equal', value: 'y' }]), [{ operator: 'Exists' }]);
});

test('a pod follows its ServiceAccount\'s automountServiceAccountToken unless it says otherwise', async () => {
  const sa = (name: string, automount?: boolean) => api('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) });
  assert.equal((await sa('nomount', false)).status, 201);
  assert.equal((await sa('mount', true)).status, 201);
  const tokenVolume = (p: any) => (p.spec.volumes ?? []).some((v: any) => v.name.startsWith('kube-api-access-'));
  const mounts = (p: any) => (p.spec.containers[0].volumeMounts ?? []).length;
  const a = (await createPod(pod('sa-nomount', { serviceAccountName: 'nomount' }))).body;
  assert.equal(tokenVolume(a), false);
  assert.equal(mounts(a), 0);
  const b = (await createPod(pod('sa-nomount-podtrue', { serviceAccountName: 'nomount', automountServiceAccountToken: true }))).body;
  assert.equal(tokenVolume(b), true, 'the pod\'s own true wins');
  const c = (await createPod(pod('sa-mount-podfalse', { serviceAccountName: 'mount', automountServiceAccountToken: false }))).body;
  assert.equal(tokenVolume(c), false);
  const d = (await createPod(pod('sa-mount', { serviceAccountName: 'mount' }))).body;
  assert.equal(tokenVolume(d), true);
  assert.equal(mounts(d), 1);
  const e = (await createPod(pod('sa-missing', { serviceAccountName: 'nobody-here' })));
  assert.equal(e.status, 201, e.text);
});
