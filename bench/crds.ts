// Custom-resource benchmark over HTTP (in-memory server, plain HTTP, no controllers):
//  - 50 CRDs posted one after another (as `kubectl apply -f dir/` does), until every one is Established
//    and its resources answer a list;
//  - one large CRD (three versions, ~300 fields) until served, and its first OpenAPI v3 document;
//  - 10,000 custom objects created by 32 concurrent clients, each decoded through its CRD's schema
//    (pruning, defaults, OpenAPI validation) and checked by three CEL rules.
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
        schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', required: ['size'],
            'x-kubernetes-validations': [
              { rule: 'self.minSize <= self.size', message: 'size must be at least minSize' },
              { rule: "self.color != 'black' || self.size < 10", messageExpression: '"black things are small, not " + string(self.size)' },
            ],
            properties: {
              size: { type: 'integer', minimum: 0, maximum: 1_000_000 }, minSize: { type: 'integer', default: 0 },
              color: { type: 'string', enum: ['red', 'green', 'blue', 'black'], default: 'red' },
              labels: { type: 'object', maxProperties: 16, additionalProperties: { type: 'string', maxLength: 63 } },
              ports: { type: 'array', maxItems: 8, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
                items: { type: 'object', required: ['name', 'port'], properties: { name: { type: 'string', maxLength: 15 }, port: { type: 'integer', minimum: 1, maximum: 65535 } },
                  'x-kubernetes-validations': [{ rule: 'self.port != 22', message: 'port 22 is not allowed' }] } },
            } },
          status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
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
        const r = await call(url, token, 'POST', '/apis/bench.example.com/v1/namespaces/default/things0', { apiVersion: 'bench.example.com/v1', kind: 'Thing0', metadata: { name: `t-${i}` }, spec: { size: i, color: i % 2 ? 'green' : 'blue', labels: { app: 'bench', tier: `t${i % 7}` }, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } });
        if (r.status !== 201) throw new Error(`object ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }));
    const s = (performance.now() - t1) / 1000;
    out[`${objects} custom objects created, 32 clients (objects/s, schema + 3 CEL rules)`] = Math.round(objects / s);
  } finally {
    keepAlive.destroy();
    await server.stop();
  }
  return out;
}

if (import.meta.main) for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(72)} ${v}`);
