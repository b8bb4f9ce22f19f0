// ValidatingAdmissionPolicy cost: ConfigMap creates/s over HTTPS (32 keep-alive connections, server in
// its own process) without policies, and with 10 policies bound to ConfigMaps (each a validation
// reading object.data and a label, one with a messageExpression), alternated three times so drift on a
// shared machine hits both sides. Target (issue #15): policies cost ≤ 15% of create throughput.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { startSkiff } from './serve.ts';
import { FakeClock } from '../src/clock.ts';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { Store } from '../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../src/registry/kinds-adapter.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { findResource } from '../src/registry/resources.ts';
import { registerAdmissionPlugins } from '../src/admission/plugins.ts';

function request(agent: https.Agent, url: URL, token: string, ca: string, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, path, method, agent, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const policy = (i: number) => JSON.stringify({
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: `cm-policy-${i}` },
  spec: {
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }] },
    validations: [
      { expression: `!has(object.data) || size(object.data) <= ${20 + i}`, messageExpression: "'too many keys: ' + string(size(object.data))" },
      { expression: `!has(object.metadata.labels) || !('forbidden-${i}' in object.metadata.labels)` },
    ],
  },
});
const binding = (i: number) => JSON.stringify({
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: `cm-binding-${i}` },
  spec: { policyName: `cm-policy-${i}`, validationActions: ['Deny'] },
});

/** CPU time (user + system, ms) the server process has used so far (Linux /proc). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The same comparison in process, through the store (no HTTP): CPU time per create from
 * process.cpuUsage(), which other load on the machine disturbs far less than wall-clock rates.
 */
async function inProcess(): Promise<Record<string, number | string>> {
  const clock = new FakeClock();
  const store = new Store({ backend: new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() }), clock, strategyFor, validateMeta, validateMetaUpdate });
  await registerAdmissionPlugins({ store, clock });
  await bootstrap(store);
  const cms = findResource('', 'v1', 'configmaps')!;
  const vaps = findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies')!;
  const vapbs = findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings')!;
  let seq = 0;
  async function cpuPerCreate(n: number): Promise<number> {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await store.create(cms, 'default', { metadata: { name: `cm-${seq++}`, labels: { app: 'bench' } }, data: { key: 'x'.repeat(200) } } as never);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  }
  for (let i = 0; i < 10; i++) await store.create(vaps, undefined, JSON.parse(policy(i)));
  await cpuPerCreate(2000);
  const without: number[] = [], withPolicies: number[] = [];
  for (let round = 0; round < 3; round++) {
    without.push(await cpuPerCreate(3000));
    for (let i = 0; i < 10; i++) await store.create(vapbs, undefined, JSON.parse(binding(i)));
    await new Promise((r) => setTimeout(r, 100));
    if (round === 0) await cpuPerCreate(1000);
    withPolicies.push(await cpuPerCreate(3000));
    for (let i = 0; i < 10; i++) await store.delete(vapbs, undefined, `cm-binding-${i}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await store.backend.close();
  const a = median(without), b = median(withPolicies);
  return {
    'in process (store.create): CPU per create without / with 10 policies (µs, median of 3)': `${Math.round(a)} / ${Math.round(b)}`,
    'in process: added CPU per create for 10 policies (µs)': Math.round(b - a),
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const local = await inProcess();
  const server = await startSkiff();
  const { url, token, ca } = server;
  const pid = server.child.pid!;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  let seq = 0;
  const payload = () => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${seq++}`, labels: { app: 'bench' } }, data: { key: 'x'.repeat(200) } });
  const create = () => request(agent, url, token, ca, 'POST', '/api/v1/namespaces/default/configmaps', payload());
  async function measure(n: number): Promise<{ rate: number; cpuUs: number }> {
    let next = 0;
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next++ < n) {
        const s = await create();
        if (s !== 201) throw new Error(`create returned ${s}`);
      }
    }));
    return { rate: n / ((performance.now() - t0) / 1000), cpuUs: (1000 * (cpuMs(pid) - c0)) / n };
  }
  async function bindAll(on: boolean): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const s = on
        ? await request(agent, url, token, ca, 'POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', binding(i))
        : await request(agent, url, token, ca, 'DELETE', `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/cm-binding-${i}`);
      if (s !== (on ? 201 : 200)) throw new Error(`binding ${on ? 'create' : 'delete'} returned ${s}`);
    }
    // Let the plugin's watch caches catch up before measuring.
    await new Promise((r) => setTimeout(r, 300));
  }
  try {
    for (let i = 0; i < 10; i++) {
      const s = await request(agent, url, token, ca, 'POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', policy(i));
      if (s !== 201) throw new Error(`policy create returned ${s}`);
    }
    const N = 4000;
    await measure(600); // warm-up without bindings
    const without: { rate: number; cpuUs: number }[] = [], withPolicies: { rate: number; cpuUs: number }[] = [];
    for (let round = 0; round < 3; round++) {
      without.push(await measure(N));
      await bindAll(true);
      if (round === 0) await measure(600); // warm-up of the policy path (CEL loads, policies compile)
      withPolicies.push(await measure(N));
      await bindAll(false);
    }
    // Throughput swings with what else runs on the machine; the server's own CPU time per create is
    // the steadier figure, and the throughput cost it implies for a CPU-bound server is 1 - a/b.
    const a = median(without.map((x) => x.rate)), b = median(withPolicies.map((x) => x.rate));
    const cpuA = median(without.map((x) => x.cpuUs)), cpuB = median(withPolicies.map((x) => x.cpuUs));
    return {
      ...local,
      'ConfigMap creates/s without policies (median of 3)': Math.round(a),
      'ConfigMap creates/s with 10 bound ValidatingAdmissionPolicies (median of 3)': Math.round(b),
      'throughput cost of 10 policies, measured (%)': +(100 * (1 - b / a)).toFixed(1),
      'server CPU per create without / with policies (µs, median of 3)': `${Math.round(cpuA)} / ${Math.round(cpuB)}`,
      'throughput cost of 10 policies from server CPU (%, target ≤ 15)': +(100 * (1 - cpuA / cpuB)).toFixed(1),
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}
