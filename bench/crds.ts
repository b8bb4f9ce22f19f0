// Custom-resource benchmark over HTTP (in-memory server, plain HTTP, no controllers):
//  - 50 CRDs posted one after another (as `kubectl apply -f dir/` does), until every one is Established
//    and its resources answer a list;
//  - one large CRD (three versions, ~300 fields) until served, and its first OpenAPI v3 document;
//  - custom objects created by 32 concurrent clients (no schema engine yet: metadata checks only).
//   node bench/crds.ts [--quick]
import { request } from 'node:http';
import { startServer } from '../src/server.ts';
import { largeCRD } from '../test/crd/large-crd.ts';

function call(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, agent: keepAlive, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => { const t = Buffer.concat(chunks).toString(); resolve({ status: res.statusCode!, body: t ? JSON.parse(t) : undefined }); });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const { Agent } = await import('node:http');
const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

function crd(i: number) {
  const plural = `things${i}`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.bench.example.com` },
    spec: {
      group: 'bench.example.com', scope: 'Namespaced', names: { plural, singular: `thing${i}`, kind: `Thing${i}`, shortNames: [`th${i}`] },
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] }],
    },
  };
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  const server = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false });
  const { url, token } = server;
  const out: Record<string, string | number> = {};
  try {
    const n = 50;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await call(url, token, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd(i));
      if (r.status !== 201) throw new Error(`CRD ${i}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    const posted = performance.now() - t0;
    for (;;) {
      const list = await call(url, token, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
      const established = list.body.items.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True')).length;
      if (established === n) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    for (let i = 0; i < n; i++) {
      const r = await call(url, token, 'GET', `/apis/bench.example.com/v1/things${i}`);
      if (r.status !== 200) throw new Error(`things${i} not served: ${r.status}`);
    }
    out['50 CRDs posted (ms)'] = Math.round(posted);
    out['50 CRDs posted, all Established and served (ms)'] = Math.round(performance.now() - t0);

    // One large CRD (3 versions, ~300 spec fields): established, then its first OpenAPI v3 document.
    const t2 = performance.now();
    const big = await call(url, token, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', largeCRD('big.bench.example.com'));
    if (big.status !== 201) throw new Error(`large CRD: ${big.status}`);
    while ((await call(url, token, 'GET', '/apis/big.bench.example.com/v1/bigclusters')).status !== 200) await new Promise((r) => setTimeout(r, 2));
    out['large CRD (3 versions, ~300 fields) posted until served (ms)'] = Math.round(performance.now() - t2);
    const t3 = performance.now();
    const doc = await call(url, token, 'GET', '/openapi/v3/apis/big.bench.example.com/v1');
    if (doc.status !== 200) throw new Error(`large CRD OpenAPI: ${doc.status}`);
    out['its first /openapi/v3 document (ms)'] = Math.round(performance.now() - t3);

    const objects = quick ? 2000 : 10_000;
    let next = 0;
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < objects) {
        const i = next++;
        const r = await call(url, token, 'POST', '/apis/bench.example.com/v1/namespaces/default/things0', { apiVersion: 'bench.example.com/v1', kind: 'Thing0', metadata: { name: `t-${i}` }, spec: { size: i, color: 'red' } });
        if (r.status !== 201) throw new Error(`object ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }));
    const s = (performance.now() - t1) / 1000;
    out[`${objects} custom objects created, 32 clients (objects/s, no schema engine yet)`] = Math.round(objects / s);
  } finally {
    keepAlive.destroy();
    await server.stop();
  }
  return out;
}

if (import.meta.main) for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(72)} ${v}`);
