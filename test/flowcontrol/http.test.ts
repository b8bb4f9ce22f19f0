// API Priority and Fairness over HTTP: the flowcontrol objects served and validated, the bootstrap
// configuration (and its repair), Dangling conditions, classification headers, and overload — a flood
// from one user refused with 429 while other users and system:masters go on. Requests are held open
// by the filter's onAdmitted hook (a gate), so nothing depends on timing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';

const FC = '/apis/flowcontrol.apiserver.k8s.io/v1';
let s: RunningServer;
const clock = new FakeClock(Date.UTC(2026, 0, 1), 5);

before(async () => {
  // Limits 1 + 1: the server's 2 seats shared by nominal shares, so a level of 1 share gets 1 seat.
  s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false, clock, maxRequestsInFlight: 1, maxMutatingRequestsInFlight: 1 });
});
after(async () => { await s.stop(); });

async function call(method: string, path: string, body?: unknown, opts: { user?: string; groups?: string[]; type?: string; raw?: string } = {}) {
  const headers: Record<string, string> = { Authorization: `Bearer ${s.token}`, 'Content-Type': opts.type ?? 'application/json' };
  if (opts.user) headers['Impersonate-User'] = opts.user;
  const init: RequestInit = { method, headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)) };
  if (opts.groups) (init.headers as Headers | Record<string, string>) = Object.entries(headers).map(([k, v]) => [k, v]).concat(opts.groups.map((g) => ['Impersonate-Group', g])) as never;
  const res = await fetch(`${s.url}${path}`, init);
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, body: json };
}

/** Wait until `check` holds, letting the server's controllers run (no time is asserted). */
async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never: ${what}`);
}

const uidOf = async (path: string) => (await call('GET', path)).body.metadata.uid as string;
const dangling = (o: any) => o?.status?.conditions?.find((c: any) => c.type === 'Dangling');

function level(name: string, shares: number, queuing?: Record<string, number>) {
  return { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: shares, limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' } } } };
}
function schema(name: string, levelName: string, users: string[], matchingPrecedence = 1000) {
  return { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name },
    spec: { matchingPrecedence, priorityLevelConfiguration: { name: levelName }, distinguisherMethod: { type: 'ByUser' },
      rules: [{ subjects: users.map((u) => ({ kind: 'User', user: { name: u } })),
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] } };
}

test('the mandatory and suggested configuration is served, Dangling=False, with upstream\'s table columns', async () => {
  // The Dangling conditions are written just after start-up (it does not wait for them).
  await until(async () => (await call('GET', `${FC}/flowschemas`)).body.items.every((o: any) => dangling(o)), 'every FlowSchema has its Dangling condition');
  const fs = await call('GET', `${FC}/flowschemas`);
  assert.equal(fs.status, 200);
  assert.deepEqual(fs.body.items.map((o: any) => o.metadata.name).sort(), ['catch-all', 'endpoint-controller', 'exempt', 'global-default', 'kube-controller-manager',
    'kube-scheduler', 'kube-system-service-accounts', 'probes', 'service-accounts', 'system-leader-election', 'system-node-high', 'system-nodes', 'workload-leader-election']);
  for (const o of fs.body.items) {
    assert.equal(o.metadata.annotations['apf.kubernetes.io/autoupdate-spec'], 'true');
    assert.equal(dangling(o)?.status, 'False', o.metadata.name);
    assert.equal(dangling(o)?.reason, 'Found');
  }
  const pl = await call('GET', `${FC}/prioritylevelconfigurations`);
  assert.deepEqual(pl.body.items.map((o: any) => o.metadata.name).sort(), ['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
  const table = await fetch(`${s.url}${FC}/prioritylevelconfigurations/global-default`, { headers: { Authorization: `Bearer ${s.token}`, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  const t = await table.json();
  assert.deepEqual(t.columnDefinitions.map((c: any) => c.name), ['Name', 'Type', 'NominalConcurrencyShares', 'Queues', 'HandSize', 'QueueLengthLimit', 'Age']);
  assert.deepEqual(t.rows[0].cells.slice(0, 6), ['global-default', 'Limited', 20, 128, 6, 50]);
  const fsTable = await (await fetch(`${s.url}${FC}/flowschemas`, { headers: { Authorization: `Bearer ${s.token}`, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json();
  assert.deepEqual(fsTable.rows.slice(0, 3).map((r: any) => r.cells.slice(0, 4)), [['exempt', 'exempt', 1, '<none>'], ['probes', 'exempt', 2, '<none>'], ['system-leader-election', 'leader-election', 100, 'ByUser']]);
  assert.deepEqual(fsTable.rows.at(-1).cells.slice(0, 4), ['catch-all', 'catch-all', 10000, 'ByUser']);
  assert.equal(fsTable.rows[0].cells[5], 'False');
});

test('requests carry the UIDs of the FlowSchema and PriorityLevelConfiguration they matched', async () => {
  const r = await call('GET', '/api/v1/namespaces');
  assert.equal(r.headers.get('x-kubernetes-pf-flowschema-uid'), await uidOf(`${FC}/flowschemas/exempt`));
  assert.equal(r.headers.get('x-kubernetes-pf-prioritylevel-uid'), await uidOf(`${FC}/prioritylevelconfigurations/exempt`));
  const created = await call('POST', `${FC}/prioritylevelconfigurations`, level('noxu-level', 1));
  assert.equal(created.status, 201, created.text);
  const fs = await call('POST', `${FC}/flowschemas`, schema('noxu-fs', 'noxu-level', ['noxu']));
  assert.equal(fs.status, 201, fs.text);
  await until(async () => dangling((await call('GET', `${FC}/flowschemas/noxu-fs`)).body)?.status === 'False', 'noxu-fs Dangling=False');
  const noxu = await call('GET', '/version', undefined, { user: 'noxu' });
  assert.equal(noxu.status, 200);
  assert.equal(noxu.headers.get('x-kubernetes-pf-flowschema-uid'), fs.body.metadata.uid);
  assert.equal(noxu.headers.get('x-kubernetes-pf-prioritylevel-uid'), created.body.metadata.uid);
  const foo = await call('GET', '/version', undefined, { user: 'foo' });
  assert.equal(foo.headers.get('x-kubernetes-pf-flowschema-uid'), await uidOf(`${FC}/flowschemas/global-default`));
  const probe = await call('GET', '/healthz', undefined, { user: 'foo' });
  assert.equal(probe.headers.get('x-kubernetes-pf-flowschema-uid'), await uidOf(`${FC}/flowschemas/probes`));
});

test('a FlowSchema naming a missing level is Dangling and skipped in matching', async () => {
  const fs = await call('POST', `${FC}/flowschemas`, schema('lost-fs', 'no-such-level', ['lost'], 10));
  assert.equal(fs.status, 201, fs.text);
  await until(async () => dangling((await call('GET', `${FC}/flowschemas/lost-fs`)).body)?.status === 'True', 'lost-fs Dangling=True');
  const c = dangling((await call('GET', `${FC}/flowschemas/lost-fs`)).body);
  assert.equal(c.reason, 'NotFound');
  assert.equal(c.message, 'This FlowSchema references the PriorityLevelConfiguration object named "no-such-level" but there is no such object');
  const r = await call('GET', '/version', undefined, { user: 'lost' });
  assert.equal(r.headers.get('x-kubernetes-pf-flowschema-uid'), await uidOf(`${FC}/flowschemas/global-default`));
  assert.equal((await call('POST', `${FC}/prioritylevelconfigurations`, level('no-such-level', 1))).status, 201);
  await until(async () => dangling((await call('GET', `${FC}/flowschemas/lost-fs`)).body)?.status === 'False', 'lost-fs Dangling=False once the level exists');
  assert.equal((await call('GET', '/version', undefined, { user: 'lost' })).headers.get('x-kubernetes-pf-flowschema-uid'), fs.body.metadata.uid);
});

test('bad input: malformed, wrongly typed, oversized, conflicting and invalid objects get Status errors', async () => {
  const malformed = await call('POST', `${FC}/flowschemas`, undefined, { raw: '{"metadata": {"name": "x"' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.kind, 'Status');
  const typed = await call('POST', `${FC}/flowschemas`, { ...schema('typed', 'global-default', ['u']), spec: { ...schema('typed', 'global-default', ['u']).spec, matchingPrecedence: 'high' } });
  assert.equal(typed.status, 400, typed.text);
  assert.equal(typed.body.message, 'FlowSchema in version "v1" cannot be handled as a FlowSchema: json: cannot unmarshal string into Go struct field FlowSchemaSpec.spec.matchingPrecedence of type int32');
  const huge = await call('POST', `${FC}/flowschemas`, undefined, { raw: JSON.stringify({ ...schema('huge', 'global-default', ['u']), metadata: { name: 'huge', annotations: { a: 'x'.repeat(3.5 * 1024 * 1024) } } }) });
  assert.equal(huge.status, 413);
  const invalid = await call('POST', `${FC}/prioritylevelconfigurations`, { ...level('bad-level', -1), spec: { type: 'Limited', limited: { nominalConcurrencyShares: -1, limitResponse: { type: 'Queue', queuing: { queues: 2, handSize: 3 } } } } });
  assert.equal(invalid.status, 422);
  assert.deepEqual(invalid.body.details.causes.map((c: any) => c.field), ['spec.limited.nominalConcurrencyShares', 'spec.limited.limitResponse.queuing.handSize']);
  // Conflicts: the same name twice, a stale resourceVersion, and a mandatory object's spec changed.
  assert.equal((await call('POST', `${FC}/flowschemas`, schema('twice', 'global-default', ['u']))).status, 201);
  const again = await call('POST', `${FC}/flowschemas`, schema('twice', 'global-default', ['u']));
  assert.equal(again.status, 409);
  assert.equal(again.body.reason, 'AlreadyExists');
  const cur = (await call('GET', `${FC}/flowschemas/twice`)).body;
  assert.equal((await call('PUT', `${FC}/flowschemas/twice`, { ...cur, spec: { ...cur.spec, matchingPrecedence: 2000 } })).status, 200);
  const stale = await call('PUT', `${FC}/flowschemas/twice`, { ...cur, spec: { ...cur.spec, matchingPrecedence: 3000 } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  const mand = await call('PATCH', `${FC}/flowschemas/exempt`, { spec: { matchingPrecedence: 2 } }, { type: 'application/merge-patch+json' });
  assert.equal(mand.status, 422);
  assert.deepEqual(mand.body.details.causes.map((c: any) => c.field), ['spec']);
  assert.match(mand.body.message, /spec of 'exempt' must equal the fixed value/);
  const status = await call('PATCH', `${FC}/flowschemas/twice/status`, { status: { conditions: [{ type: 'X', status: 'True' }, { type: 'X', status: 'False' }] } }, { type: 'application/merge-patch+json' });
  assert.equal(status.status, 422);
  assert.equal(status.body.details.causes[0].field, 'status.conditions[1].type');
});

test('deleted or changed bootstrap objects are restored by the ensurer (every minute); changes to opted-out suggested ones stay', async () => {
  assert.equal((await call('DELETE', `${FC}/flowschemas/catch-all`)).status, 200);
  assert.equal((await call('DELETE', `${FC}/prioritylevelconfigurations/exempt`)).status, 200);
  // Meanwhile the mandatory objects are imagined: requests still classify (with no UID, as upstream).
  const r = await call('GET', '/api/v1/namespaces');
  assert.equal(r.status, 200);
  // A suggested level changed by hand, opted out of updates; another changed but still opted in.
  assert.equal((await call('PATCH', `${FC}/prioritylevelconfigurations/workload-low`, { metadata: { annotations: { 'apf.kubernetes.io/autoupdate-spec': 'false' } }, spec: { limited: { nominalConcurrencyShares: 7 } } }, { type: 'application/merge-patch+json' })).status, 200);
  assert.equal((await call('PATCH', `${FC}/prioritylevelconfigurations/node-high`, { spec: { limited: { nominalConcurrencyShares: 7 } } }, { type: 'application/merge-patch+json' })).status, 200);
  clock.advance(60_000);
  await until(async () => (await call('GET', `${FC}/flowschemas/catch-all`)).status === 200 && (await call('GET', `${FC}/prioritylevelconfigurations/exempt`)).status === 200, 'mandatory objects recreated');
  await until(async () => (await call('GET', `${FC}/prioritylevelconfigurations/node-high`)).body.spec.limited.nominalConcurrencyShares === 40, 'node-high restored');
  assert.equal((await call('GET', `${FC}/prioritylevelconfigurations/workload-low`)).body.spec.limited.nominalConcurrencyShares, 7);
  const again = await call('GET', '/api/v1/namespaces');
  assert.equal(again.headers.get('x-kubernetes-pf-prioritylevel-uid'), await uidOf(`${FC}/prioritylevelconfigurations/exempt`));
});

test('overload: a flood from one user gets 429 with Retry-After; other users and system:masters still get through', async () => {
  const crb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'apf-readers' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'flooder' }, { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'other' }] };
  assert.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', crb)).status, 201);
  assert.equal((await call('POST', `${FC}/prioritylevelconfigurations`, level('flood-level', 1))).status, 201);
  assert.equal((await call('POST', `${FC}/flowschemas`, schema('flood-fs', 'flood-level', ['flooder'], 500))).status, 201);
  await until(async () => s.flowControl.config.levels.has('flood-level') && s.flowControl.config.schemas.some((x) => x.name === 'flood-fs'), 'flood-fs in use');
  assert.equal(s.flowControl.config.nominalLimit(s.flowControl.config.levels.get('flood-level')!), 1);
  // Hold the flooder's first request inside the level (it keeps its one seat).
  let open!: () => void, arrived!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const inside = new Promise<void>((r) => { arrived = r; });
  s.flowControl.onAdmitted = (_req, l) => { if (l.name === 'flood-level') { arrived(); return gate; } };
  const held = call('GET', '/api/v1/namespaces/default/configmaps', undefined, { user: 'flooder' });
  await inside;
  const flood = await Promise.all(Array.from({ length: 8 }, () => call('GET', '/api/v1/namespaces/default/configmaps', undefined, { user: 'flooder' })));
  for (const r of flood) {
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.equal(r.text, 'Too many requests, please try again later.\n');
  }
  const other = await call('GET', '/api/v1/namespaces/default/configmaps', undefined, { user: 'other' });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('x-kubernetes-pf-prioritylevel-uid'), await uidOf(`${FC}/prioritylevelconfigurations/global-default`));
  const masters = await call('GET', '/api/v1/namespaces/default/configmaps', undefined, { user: 'ops', groups: ['system:masters'] });
  assert.equal(masters.status, 200);
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps')).status, 200, 'the admin (system:masters)');
  open();
  s.flowControl.onAdmitted = undefined;
  assert.equal((await held).status, 200);
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps', undefined, { user: 'flooder' })).status, 200, 'the seat came back');
  const metrics = (await call('GET', '/metrics')).text;
  assert.match(metrics, /apiserver_flowcontrol_rejected_requests_total\{priority_level="flood-level",reason="concurrency-limit"\} 8/);
  assert.match(metrics, /apiserver_flowcontrol_nominal_limit_seats\{priority_level="flood-level"\} 1/);
});
