// Admission webhook overhead: sequential ConfigMap creates over keep-alive HTTP against an in-process
// Skiff, without webhooks and then through one mutating and one validating webhook served over TLS on
// 127.0.0.1 (own CA). Reports p50/p99 of each and the p50 overhead (target ≤ 2 ms).
import http from 'node:http';
import { startServer } from '../src/server.ts';
import { allow, patch, startWebhookServer } from '../test/webhooks/server.ts';

const N = 1500, WARM = 200;

function post(agent: http.Agent, url: URL, token: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function series(agent: http.Agent, url: URL, token: string, ns: string, prefix: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < WARM + N; i++) {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i}` }, data: { a: '1' } });
    const t = performance.now();
    const status = await post(agent, url, token, `/api/v1/namespaces/${ns}/configmaps`, body);
    if (status !== 201) throw new Error(`create answered ${status}`);
    if (i >= WARM) out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

export async function run(): Promise<Record<string, number | string>> {
  const [server, wh] = await Promise.all([startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false }), startWebhookServer()]);
  const url = new URL(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await post(agent, url, server.token, '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'bench' } }));
    const plain = await series(agent, url, server.token, 'bench', 'plain');
    wh.handle('/m', (b) => patch(b, [{ op: 'add', path: '/data/m', value: 'x' }]));
    wh.handle('/v', (b) => allow(b));
    const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
    const hook = (name: string, path: string) => ({ name, clientConfig: { url: wh.url(path), caBundle: wh.caBundle }, rules, sideEffects: 'None', admissionReviewVersions: ['v1'] });
    await post(agent, url, server.token, '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', JSON.stringify({ metadata: { name: 'm' }, webhooks: [hook('m.bench.dev', '/m')] }));
    await post(agent, url, server.token, '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', JSON.stringify({ metadata: { name: 'v' }, webhooks: [hook('v.bench.dev', '/v')] }));
    const hooked = await series(agent, url, server.token, 'bench', 'hooked');
    const r2 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      'create p50 without webhooks (ms)': r2(pct(plain, 0.5)),
      'create p99 without webhooks (ms)': r2(pct(plain, 0.99)),
      'create p50 via 1 mutating + 1 validating webhook (ms)': r2(pct(hooked, 0.5)),
      'create p99 via 1 mutating + 1 validating webhook (ms)': r2(pct(hooked, 0.99)),
      'p50 overhead of the two webhooks (ms; target ≤ 2)': r2(pct(hooked, 0.5) - pct(plain, 0.5)),
    };
  } finally {
    agent.destroy();
    await wh.close();
    await server.stop();
    (await import('../src/webhook/https.ts')).closeAgents();
  }
}
