// The proxy subresources with real clients (kubectl, client-go): `kubectl get --raw .../services/x:80/proxy/...` and
// `.../pods/x:8080/proxy/...` reach an emulated server of the pod on the simulated network, and
// `kubectl proxy` passes the same paths through; a Service with no endpoints gets upstream's 503.
// The server is registered on the pod's network here (the cluster runs in this worker), standing in
// for the container runtime's programs.
import type { Case, CaseContext } from '../lib.ts';
import { check, execFile, rest, StreamingProcess, waitFor } from '../lib.ts';
import { kubectl, kubectlTool, ok } from './kubectl.ts';
import { forPod, serveHttp } from '../../src/netsim/index.ts';
import { goTool } from './external.ts';

const objects = (ns: string) => [
  ['pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: ns, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', ports: [{ name: 'http', containerPort: 8080 }] }] } }],
  ['services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }],
  ['services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: ns }, spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] } }],
] as const;

/** The pod "web" running an emulated server on 8080, Services "web" (80 → http) and "empty" (no endpoints). */
async function setup(ctx: CaseContext): Promise<AbortController> {
  for (const [resource, body] of objects(ctx.ns)) {
    const r = await rest(ctx.cluster, 'POST', `/api/v1/namespaces/${ctx.ns}/${resource}`, body);
    check(r.status === 201, `create ${resource}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  const pod = await waitFor('pod web running', async () => { const r = await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${ctx.ns}/pods/web`); return r.body?.status?.phase === 'Running' && r.body.status.podIP ? r.body : undefined; });
  const stop = new AbortController();
  ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
  serveHttp(forPod(pod), 8080, (req, res) => { res.end(`hello from ${pod.metadata.name}: ${req.method} ${req.url}`); }, { signal: stop.signal });
  await waitFor('endpoints of web', async () => ((await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${ctx.ns}/endpoints/web`)).body?.subsets?.[0]?.addresses?.length ? true : undefined));
  return stop;
}

/** client-go's ProxyGet (scenario "proxy" of conformance/go) against the same set-up. */
export const clientGoProxyCase: Case = {
  behavior: 'proxy.client-go', name: 'proxy-get',
  async run(ctx) {
    const stop = await setup(ctx);
    try {
      const r = await execFile(goTool.bin, [ctx.cluster.kubeconfigPath, 'proxy', ctx.ns], { timeoutMs: 60_000, signal: ctx.signal });
      check(r.code === 0, `proxy: exit=${r.code} ${(r.stderr.match(/FAIL: .*/g) ?? []).join('; ') || r.stderr.slice(-600)}`);
    } finally { stop.abort(); }
  },
  timeoutMs: 60_000,
};

export const proxyCases: Case[] = [
  {
    behavior: 'proxy.get-raw', name: 'proxy-get-raw',
    async run(ctx) {
      const stop = await setup(ctx);
      try {
        const svc = await ok(ctx, ['get', '--raw', `/api/v1/namespaces/${ctx.ns}/services/web:80/proxy/a/b?c=d`]);
        // kubectl adds its --request-timeout as ?timeout=, which the proxy passes on as upstream does.
        check(svc === 'hello from web: GET /a/b?c=d&timeout=30s', `service proxy: ${JSON.stringify(svc)}`);
        const named = await ok(ctx, ['get', '--raw', `/api/v1/namespaces/${ctx.ns}/services/web:http/proxy/`]);
        check(named === 'hello from web: GET /?timeout=30s', `named port: ${JSON.stringify(named)}`);
        const pod = await ok(ctx, ['get', '--raw', `/api/v1/namespaces/${ctx.ns}/pods/web:8080/proxy/x`]);
        check(pod === 'hello from web: GET /x?timeout=30s', `pod proxy: ${JSON.stringify(pod)}`);
        const empty = await kubectl(ctx, ['get', '--raw', `/api/v1/namespaces/${ctx.ns}/services/empty:80/proxy/`]);
        check(empty.code !== 0 && empty.stderr.includes('Error from server (ServiceUnavailable): no endpoints available for service "empty"'), `no endpoints: ${empty.stderr}`);
        const refused = await kubectl(ctx, ['get', '--raw', `/api/v1/namespaces/${ctx.ns}/pods/web:9999/proxy/`]);
        check(refused.code !== 0 && /error trying to reach service: dial tcp [\d.]+:9999: connect: connection refused/.test(refused.stderr), `refused: ${refused.stderr}`);
      } finally { stop.abort(); }
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'proxy.kubectl-proxy', name: 'kubectl-proxy',
    async run(ctx) {
      const stop = await setup(ctx);
      const t = kubectlTool();
      const p = new StreamingProcess(t.bin, ['--kubeconfig', ctx.cluster.kubeconfigPath, '--cache-dir', t.cacheDir, 'proxy', '--port=0']);
      try {
        await p.waitStdout('kubectl proxy to listen', (o) => /Starting to serve on 127\.0\.0\.1:\d+/.test(o));
        const port = /127\.0\.0\.1:(\d+)/.exec(p.stdout)![1];
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/${ctx.ns}/services/web:80/proxy/through?x=1`);
        const body = await res.text();
        check(res.status === 200 && body === 'hello from web: GET /through?x=1', `kubectl proxy: ${res.status} ${JSON.stringify(body)}`);
        const empty = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/${ctx.ns}/services/empty/proxy/`);
        const status = await empty.json() as any;
        check(empty.status === 503 && status.reason === 'ServiceUnavailable', `no endpoints through kubectl proxy: ${empty.status} ${JSON.stringify(status)}`);
      } finally { p.kill(); stop.abort(); }
    },
    timeoutMs: 60_000,
  },
];
