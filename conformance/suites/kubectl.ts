// kubectl scenarios: each runs real kubectl binaries against the suite's cluster and checks
// exit codes, output and the resulting objects.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile, rest, StreamingProcess, waitFor } from '../lib.ts';

export interface KubectlTool { bin: string; cacheDir: string }

let tool: KubectlTool = { bin: 'kubectl', cacheDir: '' };
export function useKubectl(t: KubectlTool): void { tool = t; }
export function kubectlTool(): KubectlTool { return tool; }

function baseArgs(ctx: CaseContext, kubeconfig?: string): string[] {
  return ['--kubeconfig', kubeconfig ?? ctx.cluster.kubeconfigPath, '--cache-dir', tool.cacheDir, '--request-timeout=30s'];
}

export async function kubectl(ctx: CaseContext, args: string[], opts: { input?: string; kubeconfig?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  return execFile(tool.bin, [...baseArgs(ctx, opts.kubeconfig), ...args], { input: opts.input, timeoutMs: opts.timeoutMs ?? 40_000, signal: ctx.signal, env: opts.env });
}

function show(r: ExecResult): string {
  return `exit=${r.code}${r.signal ? ` signal=${r.signal}` : ''} stdout=${JSON.stringify(r.stdout.slice(0, 600))} stderr=${JSON.stringify(r.stderr.slice(0, 600))}`;
}

/** Run kubectl and require exit 0. */
export async function ok(ctx: CaseContext, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await kubectl(ctx, args, opts);
  check(r.code === 0, `kubectl ${args.join(' ')}: ${show(r)}`);
  return r.stdout;
}

async function getJson(ctx: CaseContext, args: string[]): Promise<any> {
  return JSON.parse(await ok(ctx, ['get', ...args, '-o', 'json']));
}

function file(ctx: CaseContext, name: string, text: string): string {
  const p = join(ctx.tmp, name);
  writeFileSync(p, text);
  return p;
}

const cmYaml = (name: string, ns: string, labels: Record<string, string> = {}, data: Record<string, string> = { greeting: 'hello' }) => [
  'apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, `  namespace: ${ns}`,
  ...(Object.keys(labels).length ? ['  labels:', ...Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`)] : []),
  'data:', ...Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`), '',
].join('\n');

const deploymentYaml = (name: string, ns: string, replicas = 1) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

async function createCMs(ctx: CaseContext, specs: Array<[string, Record<string, string>]>): Promise<void> {
  for (const [name, labels] of specs) {
    const r = await rest(ctx.cluster, 'POST', `/api/v1/namespaces/${ctx.ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });
    check(r.status === 201, `setup: create configmap ${name}: ${r.status}`);
  }
}

const names = (out: string) => out.split('\n').map((l) => l.trim()).filter(Boolean).sort();

export const kubectlCases: Case[] = [
  {
    behavior: 'version.report', name: 'version', core: true, noNamespace: true,
    async run(ctx) {
      const v = JSON.parse(await ok(ctx, ['version', '-o', 'json']));
      check(v.serverVersion?.gitVersion === 'v1.32.4', `serverVersion.gitVersion=${v.serverVersion?.gitVersion}`);
      check(v.serverVersion?.major === '1' && v.serverVersion?.minor === '32', `serverVersion major/minor=${v.serverVersion?.major}/${v.serverVersion?.minor}`);
    },
  },
  {
    behavior: 'discovery.resources', name: 'api-resources', core: true, noNamespace: true,
    async run(ctx) {
      const out = await ok(ctx, ['api-resources', '-o', 'wide']);
      const rows = out.split('\n').map((l) => l.trim().split(/\s+/));
      const row = (name: string) => rows.find((r) => r[0] === name);
      for (const [res, short, gv, kind] of [['pods', 'po', 'v1', 'Pod'], ['services', 'svc', 'v1', 'Service'], ['deployments', 'deploy', 'apps/v1', 'Deployment'],
        ['configmaps', 'cm', 'v1', 'ConfigMap'], ['namespaces', 'ns', 'v1', 'Namespace'], ['cronjobs', 'cj', 'batch/v1', 'CronJob'],
        ['ingresses', 'ing', 'networking.k8s.io/v1', 'Ingress'], ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'HorizontalPodAutoscaler']]) {
        const r = row(res);
        check(r, `api-resources lacks ${res}`);
        check(r.includes(short) && r.includes(gv) && r.includes(kind), `api-resources row for ${res}: ${r.join(' ')}`);
      }
      // Categories: pods, services and deployments are in "all"; configmaps are not.
      check(row('pods')!.join(' ').includes('all'), `pods row lacks category all: ${row('pods')!.join(' ')}`);
      check(row('deployments')!.join(' ').includes('all'), 'deployments row lacks category all');
      check(!/\ball\b/.test(row('configmaps')!.slice(5).join(' ')), 'configmaps must not be in category all');
      const ns = await ok(ctx, ['api-resources', '--namespaced=false', '-o', 'name']);
      check(names(ns).includes('namespaces') && !names(ns).includes('pods'), '--namespaced=false filter');
      const apps = await ok(ctx, ['api-resources', '--api-group=apps', '-o', 'name']);
      check(names(apps).includes('deployments.apps') && names(apps).includes('statefulsets.apps'), `--api-group=apps: ${apps}`);
    },
  },
  {
    behavior: 'discovery.shortnames', name: 'get-short-names', core: true,
    async run(ctx) {
      await createCMs(ctx, [['sn', {}]]);
      const out = await ok(ctx, ['get', 'deploy,svc,cm,po', '-n', ctx.ns, '-o', 'name']);
      check(names(out).includes('configmap/sn'), `get deploy,svc,cm,po: ${out}`);
    },
  },
  {
    behavior: 'namespace.defaults', name: 'get-ns', core: true, noNamespace: true,
    async run(ctx) {
      const out = names(await ok(ctx, ['get', 'ns', '-o', 'name']));
      for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) check(out.includes(`namespace/${n}`), `missing namespace/${n} in ${out.join(',')}`);
      const svc = await ok(ctx, ['get', 'svc', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.ports[0].port}']);
      check(svc.trim() === '443', `kubernetes service port: ${svc}`);
    },
  },
  {
    behavior: 'namespace.status-metadata', name: 'ns-status-patch',
    async run(ctx) {
      const body = { metadata: { annotations: { 'skiff-status-patched': ctx.ns } }, spec: { finalizers: [] }, status: { conditions: [{ type: 'StatusPatch', status: 'True', reason: 'E2E', message: 'patched' }] } };
      await ok(ctx, ['patch', 'ns', ctx.ns, '--subresource=status', '--type=merge', '-p', JSON.stringify(body)]);
      const ns = await getJson(ctx, ['ns', ctx.ns]);
      check(ns.metadata?.annotations?.['skiff-status-patched'] === ctx.ns, `annotation kept by the status write: ${JSON.stringify(ns.metadata?.annotations)}`);
      check(ns.status?.conditions?.some((c: any) => c.type === 'StatusPatch' && c.reason === 'E2E'), `condition: ${JSON.stringify(ns.status)}`);
      check(JSON.stringify(ns.spec?.finalizers) === '["kubernetes"]', `spec not changed through /status: ${JSON.stringify(ns.spec)}`);
      const bad = await kubectl(ctx, ['patch', 'ns', ctx.ns, '--subresource=status', '--type=merge', '-p', '{"metadata":{"annotations":{"a":5}}}']);
      check(bad.code !== 0 && /annotations|cannot unmarshal|Invalid/i.test(bad.stderr), `a wrongly typed annotation is refused: ${bad.stderr}`);
    },
  },
  {
    behavior: 'crud.create-from-file', name: 'create-f-no-validate', core: true,
    async run(ctx) {
      const p = file(ctx, 'objs.yaml', `${cmYaml('cf1', ctx.ns, { app: 'x' })}---\napiVersion: v1\nkind: Secret\nmetadata: {name: sf1, namespace: ${ctx.ns}}\nstringData: {password: s3cret}\n---\n${deploymentYaml('df1', ctx.ns)}`);
      const out = await ok(ctx, ['create', '-f', p, '--validate=false']);
      for (const want of ['configmap/cf1 created', 'secret/sf1 created', 'deployment.apps/df1 created']) check(out.includes(want), `create output lacks "${want}": ${out}`);
      const cm = await getJson(ctx, ['cm', 'cf1', '-n', ctx.ns]);
      check(cm.data?.greeting === 'hello' && cm.metadata?.labels?.app === 'x', `configmap content ${JSON.stringify(cm.data)}`);
      const sec = await getJson(ctx, ['secret', 'sf1', '-n', ctx.ns]);
      check(sec.metadata?.name === 'sf1', 'secret stored');
      const again = await kubectl(ctx, ['create', '-f', p, '--validate=false']);
      check(again.code === 1 && /AlreadyExists|already exists/.test(again.stderr), `second create must fail with AlreadyExists: ${show(again)}`);
    },
  },
  {
    behavior: 'openapi.client-validation', name: 'create-f-validate', core: true,
    async run(ctx) {
      const p = file(ctx, 'cm.yaml', cmYaml('cv1', ctx.ns));
      const out = await ok(ctx, ['create', '-f', p]);
      check(out.includes('configmap/cv1 created'), out);
      const bad = file(ctx, 'bad.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cv2, namespace: ${ctx.ns}}\nbogusField: 1\n`);
      const r = await kubectl(ctx, ['create', '-f', bad]);
      check(r.code !== 0 && /bogusField/.test(r.stderr), `unknown field must be rejected naming it: ${show(r)}`);
    },
  },
  {
    behavior: 'fieldvalidation.unknown-fields', name: 'apply-typo-strict',
    async run(ctx) {
      const p = file(ctx, 'd.yaml', deploymentYaml('typo', ctx.ns, 3));
      await ok(ctx, ['apply', '-f', p]);
      // kubectl sends the strategic merge patch with fieldValidation=Strict: the typo is refused, nothing changes.
      const typo = file(ctx, 'typo.yaml', deploymentYaml('typo', ctx.ns, 3).replace('  replicas: 3', '  replicass: 2'));
      const r = await kubectl(ctx, ['apply', '-f', typo]);
      check(r.code !== 0 && r.stderr.includes('unknown field "spec.replicass"'), `apply with a typo must fail naming the field: ${show(r)}`);
      let d = await getJson(ctx, ['deploy', 'typo', '-n', ctx.ns]);
      check(d.spec.replicas === 3 && d.spec.replicass === undefined, `stored spec after refused apply: ${JSON.stringify(d.spec).slice(0, 200)}`);
      // kubectl patch leaves fieldValidation to the server's default (Warn): every patch type drops the
      // field with a warning naming it; it is never stored.
      for (const type of ['merge', 'strategic', 'json']) {
        const patch = type === 'json' ? '[{"op":"add","path":"/spec/replicass","value":2}]' : '{"spec":{"replicass":2}}';
        const r2 = await kubectl(ctx, ['patch', 'deploy', 'typo', '-n', ctx.ns, '--type', type, '-p', patch]);
        check(r2.code === 0 && r2.stderr.includes('Warning: unknown field "spec.replicass"'), `patch --type ${type}: ${show(r2)}`);
      }
      d = await getJson(ctx, ['deploy', 'typo', '-n', ctx.ns]);
      check(d.spec.replicas === 3 && d.spec.replicass === undefined, `stored spec after patches: ${JSON.stringify(d.spec).slice(0, 200)}`);
    },
  },
  {
    behavior: 'read.output-formats', name: 'get-output-formats', core: true,
    async run(ctx) {
      await createCMs(ctx, [['of', { tier: 'web' }]]);
      const y = await ok(ctx, ['get', 'cm', 'of', '-n', ctx.ns, '-o', 'yaml']);
      check(/^apiVersion: v1$/m.test(y) && /^kind: ConfigMap$/m.test(y) && /^ {2}name: of$/m.test(y) && /resourceVersion: "\d+"/.test(y), `-o yaml: ${y}`);
      const j = await getJson(ctx, ['cm', 'of', '-n', ctx.ns]);
      check(j.kind === 'ConfigMap' && j.metadata.uid && j.metadata.creationTimestamp, `-o json: ${JSON.stringify(j).slice(0, 200)}`);
      const jp = await ok(ctx, ['get', 'cm', 'of', '-n', ctx.ns, '-o', 'jsonpath={.metadata.labels.tier}/{.data.k}']);
      check(jp === 'web/of', `-o jsonpath: ${jp}`);
      const n = await ok(ctx, ['get', 'cm', '-n', ctx.ns, '-o', 'name']);
      check(names(n).includes('configmap/of'), `-o name: ${n}`);
      const list = await getJson(ctx, ['cm', '-n', ctx.ns]);
      check(list.kind === 'List' && Array.isArray(list.items) && list.items.some((i: any) => i.metadata.name === 'of'), 'list -o json');
      const cc = await ok(ctx, ['get', 'cm', 'of', '-n', ctx.ns, '-o', 'custom-columns=N:.metadata.name,T:.metadata.labels.tier', '--no-headers']);
      check(cc.trim().split(/\s+/).join(' ') === 'of web', `custom-columns: ${cc}`);
    },
  },
  {
    behavior: 'read.label-selector', name: 'get-l', core: true,
    async run(ctx) {
      await createCMs(ctx, [['a1', { app: 'a', env: 'prod' }], ['b1', { app: 'b' }], ['n1', { other: 'x' }]]);
      const q = async (sel: string) => names(await ok(ctx, ['get', 'cm', '-n', ctx.ns, '-l', sel, '-o', 'name'])).filter((x) => x !== 'configmap/kube-root-ca.crt');
      check(JSON.stringify(await q('app=a')) === '["configmap/a1"]', 'app=a');
      check(JSON.stringify(await q('app in (a,b)')) === '["configmap/a1","configmap/b1"]', 'app in (a,b)');
      check(JSON.stringify(await q('app,app!=a')) === '["configmap/b1"]', 'app,app!=a');
      check(JSON.stringify(await q('!app,other')) === '["configmap/n1"]', '!app,other');
      check(JSON.stringify(await q('env notin (prod),app')) === '["configmap/b1"]', 'env notin (prod),app');
      const bad = await kubectl(ctx, ['get', 'cm', '-n', ctx.ns, '-l', 'a b c']);
      check(bad.code !== 0, `an unparseable selector must fail: ${show(bad)}`);
    },
  },
  {
    behavior: 'read.field-selector', name: 'get-field-selector', core: true,
    async run(ctx) {
      await createCMs(ctx, [['f1', {}], ['f2', {}]]);
      const out = names(await ok(ctx, ['get', 'cm', '-n', ctx.ns, '--field-selector', 'metadata.name=f2', '-o', 'name']));
      check(JSON.stringify(out) === '["configmap/f2"]', `metadata.name=f2: ${out}`);
      const not = names(await ok(ctx, ['get', 'cm', '-n', ctx.ns, '--field-selector', 'metadata.name!=f2,metadata.name!=kube-root-ca.crt', '-o', 'name']));
      check(JSON.stringify(not) === '["configmap/f1"]', `!= : ${not}`);
      const bad = await kubectl(ctx, ['get', 'cm', '-n', ctx.ns, '--field-selector', 'spec.bogus=1']);
      check(bad.code !== 0 && /field label not supported|not supported/i.test(bad.stderr), `unsupported field must be rejected: ${show(bad)}`);
    },
  },
  {
    behavior: 'read.all-namespaces', name: 'get-A', core: true,
    async run(ctx) {
      const mark = ctx.ns;
      await createCMs(ctx, [['an', { mark }]]);
      const r = await rest(ctx.cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { generateName: 'an-', labels: { mark } } });
      check(r.status === 201, 'setup: configmap in default');
      const out = await ok(ctx, ['get', 'cm', '-A', '-l', `mark=${mark}`, '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']);
      const got = names(out);
      check(got.length === 2 && got.includes(`${ctx.ns}/an`) && got.some((x) => x.startsWith('default/an-')), `-A: ${got}`);
      const table = await ok(ctx, ['get', 'cm', '-A', '-l', `mark=${mark}`]);
      check(/^NAMESPACE\s+NAME/.test(table) && table.includes(ctx.ns), `-A table: ${table}`);
      await rest(ctx.cluster, 'DELETE', `/api/v1/namespaces/default/configmaps/${r.body.metadata.name}`);
    },
  },
  {
    behavior: 'read.pagination', name: 'get-chunk-size', core: true,
    async run(ctx) {
      await createCMs(ctx, Array.from({ length: 7 }, (_, i) => [`p${i}`, { page: 'y' }] as [string, Record<string, string>]));
      const r = await kubectl(ctx, ['get', 'cm', '-n', ctx.ns, '-l', 'page=y', '--chunk-size=2', '-o', 'name', '-v=6']);
      check(r.code === 0, show(r));
      check(JSON.stringify(names(r.stdout)) === JSON.stringify(Array.from({ length: 7 }, (_, i) => `configmap/p${i}`)), `chunked list: ${r.stdout}`);
      // Request logs differ between versions ("GET https://…" vs verb="GET" url="…"); match both.
      const pages = r.stderr.split('\n').filter((l) => /GET.*configmaps\?.*limit=2/.test(l) && !/Request Headers/.test(l));
      check(pages.length === 4 && pages.slice(1).every((l) => l.includes('continue=')), `expected 4 pages (limit=2 + continue), saw ${pages.length}`);
    },
  },
  {
    behavior: 'read.server-side-table', name: 'get-table-columns', core: true,
    async run(ctx) {
      const p = file(ctx, 'd.yaml', deploymentYaml('tbl', ctx.ns, 2));
      await ok(ctx, ['create', '-f', p, '--validate=false']);
      await createCMs(ctx, [['tc', {}]]);
      const cm = await ok(ctx, ['get', 'cm', 'tc', '-n', ctx.ns]);
      check(/^NAME\s+DATA\s+AGE\s*$/m.test(cm) && /^tc\s+1\s+\S+/m.test(cm), `configmap table: ${cm}`);
      const d = await ok(ctx, ['get', 'deploy', 'tbl', '-n', ctx.ns, '-o', 'wide']);
      check(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/m.test(d) && /nginx:1\.27/.test(d) && /app=tbl/.test(d), `deployment wide table: ${d}`);
      const ns = await ok(ctx, ['get', 'ns', ctx.ns]);
      check(/^NAME\s+STATUS\s+AGE/m.test(ns) && new RegExp(`^${ctx.ns}\\s+Active\\s`, 'm').test(ns), `namespace table: ${ns}`);
    },
  },
  {
    behavior: 'read.get-all', name: 'get-all', core: true,
    async run(ctx) {
      const p = file(ctx, 'all.yaml', `${deploymentYaml('ga', ctx.ns)}---\napiVersion: v1\nkind: Service\nmetadata: {name: ga, namespace: ${ctx.ns}}\nspec:\n  selector: {app: ga}\n  ports: [{port: 80}]\n`);
      await ok(ctx, ['create', '-f', p, '--validate=false']);
      await createCMs(ctx, [['not-in-all', {}]]);
      const out = names(await ok(ctx, ['get', 'all', '-n', ctx.ns, '-o', 'name']));
      check(out.includes('service/ga') && out.includes('deployment.apps/ga'), `get all: ${out}`);
      check(!out.some((x) => x.startsWith('configmap/')), `get all must not list configmaps: ${out}`);
    },
  },
  {
    behavior: 'cli.describe', name: 'describe', core: true,
    async run(ctx) {
      await createCMs(ctx, [['dsc', { app: 'd' }]]);
      const out = await ok(ctx, ['describe', 'cm', 'dsc', '-n', ctx.ns]);
      check(/^Name:\s+dsc$/m.test(out) && new RegExp(`^Namespace:\\s+${ctx.ns}$`, 'm').test(out) && /^Labels:\s+app=d$/m.test(out) && /^Data$/m.test(out), `describe cm: ${out}`);
      const nsd = await ok(ctx, ['describe', 'ns', ctx.ns]);
      check(new RegExp(`^Name:\\s+${ctx.ns}$`, 'm').test(nsd) && /^Status:\s+Active$/m.test(nsd), `describe ns: ${nsd}`);
    },
  },
  {
    behavior: 'cli.label-annotate', name: 'label-annotate', core: true,
    async run(ctx) {
      await createCMs(ctx, [['la', {}]]);
      check((await ok(ctx, ['label', 'cm', 'la', '-n', ctx.ns, 'color=blue'])).includes('configmap/la labeled'), 'label output');
      // kubectl 1.27 prints "annotate" rather than "annotated".
      const ann = await ok(ctx, ['annotate', 'cm', 'la', '-n', ctx.ns, 'note=hi']);
      check(/configmap\/la annotated?\b/.test(ann), `annotate output: ${ann}`);
      const o = await getJson(ctx, ['cm', 'la', '-n', ctx.ns]);
      check(o.metadata.labels?.color === 'blue' && o.metadata.annotations?.note === 'hi', `after label/annotate: ${JSON.stringify(o.metadata)}`);
      const clash = await kubectl(ctx, ['label', 'cm', 'la', '-n', ctx.ns, 'color=red']);
      check(clash.code !== 0 && /already has a value|--overwrite/.test(clash.stderr), `relabel without --overwrite must fail: ${show(clash)}`);
      await ok(ctx, ['label', 'cm', 'la', '-n', ctx.ns, 'color-']);
      const after = await getJson(ctx, ['cm', 'la', '-n', ctx.ns]);
      check(!after.metadata.labels?.color, 'label removal');
    },
  },
  {
    behavior: 'patch.merge-json', name: 'patch-merge-json', core: true,
    async run(ctx) {
      await createCMs(ctx, [['pm', {}]]);
      const m = await ok(ctx, ['patch', 'cm', 'pm', '-n', ctx.ns, '--type', 'merge', '-p', '{"data":{"m":"1"}}']);
      check(m.includes('configmap/pm patched'), m);
      const j = await ok(ctx, ['patch', 'cm', 'pm', '-n', ctx.ns, '--type', 'json', '-p', '[{"op":"add","path":"/data/j","value":"2"},{"op":"remove","path":"/data/k"}]']);
      check(j.includes('configmap/pm patched'), j);
      const o = await getJson(ctx, ['cm', 'pm', '-n', ctx.ns]);
      check(JSON.stringify(o.data) === '{"j":"2","m":"1"}' || JSON.stringify(o.data) === '{"m":"1","j":"2"}', `data after patches: ${JSON.stringify(o.data)}`);
      const same = await ok(ctx, ['patch', 'cm', 'pm', '-n', ctx.ns, '--type', 'merge', '-p', '{"data":{"m":"1"}}']);
      check(same.includes('(no change)'), `a no-op patch must report "(no change)": ${same}`);
      const bad = await kubectl(ctx, ['patch', 'cm', 'pm', '-n', ctx.ns, '--type', 'json', '-p', '[{"op":"test","path":"/data/m","value":"nope"}]']);
      check(bad.code !== 0, `failed json-patch test op must fail: ${show(bad)}`);
    },
  },
  {
    behavior: 'patch.strategic', name: 'patch-strategic', core: true,
    async run(ctx) {
      await ok(ctx, ['create', '-f', file(ctx, 'd.yaml', deploymentYaml('sp', ctx.ns)), '--validate=false']);
      await ok(ctx, ['patch', 'deploy', 'sp', '-n', ctx.ns, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}}}}']);
      const d = await getJson(ctx, ['deploy', 'sp', '-n', ctx.ns]);
      const cs = d.spec.template.spec.containers.map((c: any) => c.name).sort();
      check(JSON.stringify(cs) === '["side","web"]', `strategic merge must merge containers by name: ${cs}`);
    },
  },
  {
    behavior: 'crud.delete', name: 'delete-wait', core: true,
    async run(ctx) {
      await createCMs(ctx, [['del1', { d: 'y' }], ['del2', { d: 'y' }], ['keep', {}]]);
      const out = await ok(ctx, ['delete', 'cm', 'del1', '-n', ctx.ns, '--wait=true']);
      check(out.includes('configmap "del1" deleted'), `delete output: ${out}`);
      const gone = await kubectl(ctx, ['get', 'cm', 'del1', '-n', ctx.ns]);
      check(gone.code === 1 && /NotFound|not found/.test(gone.stderr), `get after delete: ${show(gone)}`);
      const sel = await ok(ctx, ['delete', 'cm', '-n', ctx.ns, '-l', 'd=y']);
      check(sel.includes('configmap "del2" deleted'), `delete -l: ${sel}`);
      const missing = await kubectl(ctx, ['delete', 'cm', 'nope', '-n', ctx.ns]);
      check(missing.code === 1 && /NotFound|not found/.test(missing.stderr), `delete missing: ${show(missing)}`);
      const ign = await kubectl(ctx, ['delete', 'cm', 'nope', '-n', ctx.ns, '--ignore-not-found']);
      check(ign.code === 0, `--ignore-not-found: ${show(ign)}`);
      const left = names(await ok(ctx, ['get', 'cm', '-n', ctx.ns, '-o', 'name']));
      check(left.includes('configmap/keep') && !left.includes('configmap/del2'), `left: ${left}`);
    },
  },
  {
    behavior: 'gc.cascade', name: 'delete-cascade', core: true,
    async run(ctx) {
      // An owner with two dependents: --cascade=orphan keeps the dependent (ownerReference removed),
      // --cascade=background removes the dependent via the garbage collector.
      const mk = async (name: string, owner?: any) => {
        const r = await rest(ctx.cluster, 'POST', `/api/v1/namespaces/${ctx.ns}/configmaps`, { metadata: { name, ownerReferences: owner ? [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid }] : undefined } });
        check(r.status === 201, `setup ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        return r.body;
      };
      const o1 = await mk('owner1');
      await mk('dep1', o1);
      await ok(ctx, ['delete', 'cm', 'owner1', '-n', ctx.ns, '--cascade=orphan', '--wait=false']);
      const dep1 = await waitFor('dep1 orphaned', async () => {
        const o = (await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${ctx.ns}/configmaps/dep1`)).body;
        return o?.metadata && !(o.metadata.ownerReferences?.length) ? o : undefined;
      }, { signal: ctx.signal, timeoutMs: 10_000 });
      check(dep1.metadata.name === 'dep1', 'orphaned dependent survives');
      const o2 = await mk('owner2');
      await mk('dep2', o2);
      await ok(ctx, ['delete', 'cm', 'owner2', '-n', ctx.ns, '--cascade=background', '--wait=false']);
      await waitFor('dep2 garbage-collected', async () => (await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${ctx.ns}/configmaps/dep2`)).status === 404, { signal: ctx.signal, timeoutMs: 10_000 });
    },
  },
  {
    behavior: 'namespace.delete', name: 'delete-ns', core: true, noNamespace: true,
    async run(ctx) {
      const ns = `${ctx.ns}-x`;
      await ok(ctx, ['create', '-f', file(ctx, 'ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`), '--validate=false']);
      await waitFor('default serviceaccount', async () => (await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200, { signal: ctx.signal });
      await ok(ctx, ['create', '-f', file(ctx, 'cm.yaml', cmYaml('inside', ns)), '--validate=false']);
      const out = await ok(ctx, ['delete', 'ns', ns, '--wait=true', '--timeout=30s'], { timeoutMs: 40_000 });
      check(out.includes(`namespace "${ns}" deleted`), `delete ns output: ${out}`);
      const r = await kubectl(ctx, ['get', 'ns', ns]);
      check(r.code === 1 && /NotFound|not found/.test(r.stderr), `namespace must be gone after delete --wait: ${show(r)}`);
    },
  },
  {
    behavior: 'watch.kubectl-get-w', name: 'get-w', core: true,
    async run(ctx) {
      await createCMs(ctx, [['w0', {}]]);
      const p = new StreamingProcess(tool.bin, [...baseArgs(ctx), 'get', 'cm', '-n', ctx.ns, '-w', '-o', 'name']);
      try {
        await p.waitStdout('initial listing', (o) => o.includes('configmap/w0'));
        await createCMs(ctx, [['w1', {}]]);
        await p.waitStdout('the watch event for w1', (o) => o.includes('configmap/w1'));
        const r = await rest(ctx.cluster, 'DELETE', `/api/v1/namespaces/${ctx.ns}/configmaps/w0`);
        check(r.status === 200, 'delete w0');
        await p.waitStdout('the delete event for w0', (o) => o.split('configmap/w0').length >= 3);
      } finally { p.kill(); }
    },
  },
  {
    behavior: 'auth.unauthorized', name: 'bad-token-401', core: true, noNamespace: true,
    async run(ctx) {
      const bad = readFileSync(ctx.cluster.kubeconfigPath, 'utf8').replace(/token: .*/, 'token: not-the-token');
      const p = file(ctx, 'bad-kubeconfig', bad);
      const r = await kubectl(ctx, ['get', 'ns'], { kubeconfig: p });
      check(r.code === 1 && /Unauthorized|must be logged in/.test(r.stderr), `bad token: ${show(r)}`);
    },
  },
  {
    behavior: 'auth.can-i', name: 'auth-can-i', core: true, noNamespace: true,
    async run(ctx) {
      const r = await kubectl(ctx, ['auth', 'can-i', 'create', 'pods', '-n', 'default']);
      check(r.code === 0 && r.stdout.trim() === 'yes', `auth can-i: ${show(r)}`);
      const list = await ok(ctx, ['auth', 'can-i', '--list', '-n', 'default']);
      check(/\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/.test(list) || list.includes('*.*'), `auth can-i --list: ${list}`);
    },
  },
  {
    behavior: 'crud.create-typed-commands', name: 'create-configmap-secret', core: true,
    async run(ctx) {
      const out = await ok(ctx, ['create', 'configmap', 'lit', '-n', ctx.ns, '--from-literal=a=1', '--from-literal=b=2']);
      check(out.includes('configmap/lit created'), out);
      const s = await ok(ctx, ['create', 'secret', 'generic', 'sec', '-n', ctx.ns, '--from-literal=pw=x']);
      check(s.includes('secret/sec created'), s);
      const cm = await getJson(ctx, ['cm', 'lit', '-n', ctx.ns]);
      check(cm.data.a === '1' && cm.data.b === '2', JSON.stringify(cm.data));
      const dry = await ok(ctx, ['create', 'configmap', 'dry', '-n', ctx.ns, '--from-literal=a=1', '--dry-run=server', '-o', 'name']);
      check(dry.trim() === 'configmap/dry', `dry-run output: ${dry}`);
      const r = await kubectl(ctx, ['get', 'cm', 'dry', '-n', ctx.ns]);
      check(r.code === 1, 'server dry-run must not persist');
    },
  },
  {
    behavior: 'protobuf.kubectl-create', name: 'create-deployment-namespace', core: true, noNamespace: true,
    async run(ctx) {
      const ns = `${ctx.ns}-pb`;
      const n = await ok(ctx, ['create', 'namespace', ns]);
      check(n.includes(`namespace/${ns} created`), n);
      const d = await ok(ctx, ['create', 'deployment', 'web', '-n', ns, '--image=nginx:1.27', '--replicas=2']);
      check(d.includes('deployment.apps/web created'), d);
      const o = await getJson(ctx, ['deploy', 'web', '-n', ns]);
      check(o.spec.replicas === 2 && o.spec.template.spec.containers[0].image === 'nginx:1.27', `created deployment: ${JSON.stringify(o.spec).slice(0, 300)}`);
    },
  },
  {
    behavior: 'apply.client-side', name: 'apply-twice', core: true,
    async run(ctx) {
      const p = file(ctx, 'a.yaml', cmYaml('ap', ctx.ns, { v: '1' }));
      const first = await ok(ctx, ['apply', '-f', p]);
      check(first.includes('configmap/ap created'), first);
      const second = await ok(ctx, ['apply', '-f', p]);
      check(second.includes('configmap/ap unchanged'), `re-apply of the same file must be unchanged: ${second}`);
      writeFileSync(p, cmYaml('ap', ctx.ns, { v: '2' }, { greeting: 'bye' }));
      const third = await ok(ctx, ['apply', '-f', p]);
      check(third.includes('configmap/ap configured'), third);
      const o = await getJson(ctx, ['cm', 'ap', '-n', ctx.ns]);
      check(o.metadata.labels.v === '2' && o.data.greeting === 'bye' && o.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], `after apply: ${JSON.stringify(o.metadata)}`);
    },
  },
  {
    behavior: 'apply.server-side', name: 'apply-server-side', core: true,
    async run(ctx) {
      const p = file(ctx, 'a.yaml', cmYaml('ssa', ctx.ns));
      const first = await ok(ctx, ['apply', '--server-side', '-f', p]);
      check(first.includes('configmap/ssa serverside-applied'), first);
      const o = await getJson(ctx, ['cm', 'ssa', '-n', ctx.ns, '--show-managed-fields']);
      check(o.metadata.managedFields?.some((m: any) => m.manager === 'kubectl' && m.operation === 'Apply'), `managedFields: ${JSON.stringify(o.metadata.managedFields)}`);
    },
  },
  {
    behavior: 'apply.removals-prune', name: 'apply-removals-prune', core: true,
    async run(ctx) {
      const two = `apiVersion: apps/v1
kind: Deployment
metadata: {name: rm, namespace: ${ctx.ns}, labels: {set: prune-me}}
spec:
  replicas: 1
  selector: {matchLabels: {app: rm}}
  template:
    metadata: {labels: {app: rm}}
    spec:
      containers:
      - {name: a, image: nginx:1.27, env: [{name: KEEP, value: "1"}, {name: DROP, value: "2"}]}
      - {name: b, image: busybox:1.36}
`;
      const dir = join(ctx.tmp, 'prune');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'deploy.yaml'), two);
      writeFileSync(join(dir, 'cm.yaml'), cmYaml('pruned', ctx.ns, { set: 'prune-me' }));
      await ok(ctx, ['apply', '-f', dir]);
      // Remove a container, an env var, and one file of the set; apply with --prune.
      writeFileSync(join(dir, 'deploy.yaml'), two.replace(/, \{name: DROP, value: "2"\}/, '').replace(/\n      - \{name: b, image: busybox:1.36\}/, ''));
      rmSync(join(dir, 'cm.yaml'));
      const out = await ok(ctx, ['apply', '-f', dir, '--prune', '-l', 'set=prune-me', '-n', ctx.ns]);
      check(/configmap\/pruned pruned/.test(out), `apply --prune output: ${out}`);
      const d = await getJson(ctx, ['deploy', 'rm', '-n', ctx.ns]);
      const cs = d.spec.template.spec.containers;
      check(cs.length === 1 && cs[0].name === 'a', `containers after removal: ${JSON.stringify(cs.map((c: any) => c.name))}`);
      check(JSON.stringify(cs[0].env) === JSON.stringify([{ name: 'KEEP', value: '1' }]), `env after removal: ${JSON.stringify(cs[0].env)}`);
      const gone = await kubectl(ctx, ['get', 'cm', 'pruned', '-n', ctx.ns]);
      check(gone.code !== 0 && /NotFound|not found/.test(gone.stderr), `pruned configmap still there: ${show(gone)}`);
    },
  },
  {
    behavior: 'apply.server-side-conflict', name: 'apply-server-side-conflict', core: true,
    async run(ctx) {
      const p = file(ctx, 'c.yaml', cmYaml('own', ctx.ns, {}, { owner: 'first' }));
      await ok(ctx, ['apply', '--server-side', '-f', p]);
      writeFileSync(p, cmYaml('own', ctx.ns, {}, { owner: 'second' }));
      const clash = await kubectl(ctx, ['apply', '--server-side', '--field-manager=other', '-f', p]);
      check(clash.code !== 0 && /conflict/i.test(clash.stderr) && /\.data\.owner/.test(clash.stderr) && /"kubectl"/.test(clash.stderr), `expected a conflict naming .data.owner and manager "kubectl": ${show(clash)}`);
      check((await getJson(ctx, ['cm', 'own', '-n', ctx.ns])).data.owner === 'first', 'a refused apply must not change the object');
      await ok(ctx, ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', p]);
      const o = await getJson(ctx, ['cm', 'own', '-n', ctx.ns, '--show-managed-fields']);
      check(o.data.owner === 'second', `after --force-conflicts: ${JSON.stringify(o.data)}`);
      const owners = (o.metadata.managedFields ?? []).filter((m: any) => JSON.stringify(m.fieldsV1 ?? {}).includes('f:owner')).map((m: any) => m.manager);
      check(JSON.stringify(owners) === JSON.stringify(['other']), `owner of data.owner after force: ${JSON.stringify(owners)}`);
    },
  },
  {
    behavior: 'apply.diff', name: 'diff', core: true,
    async run(ctx) {
      const p = file(ctx, 'd.yaml', cmYaml('df', ctx.ns, {}, { v: 'one' }));
      await ok(ctx, ['apply', '-f', p]);
      const same = await kubectl(ctx, ['diff', '-f', p]);
      check(same.code === 0 && same.stdout.trim() === '', `diff of an applied file must be empty (exit 0): ${show(same)}`);
      writeFileSync(p, cmYaml('df', ctx.ns, {}, { v: 'two' }));
      const changed = await kubectl(ctx, ['diff', '-f', p]);
      check(changed.code === 1 && /-\s+v: one/.test(changed.stdout) && /\+\s+v: two/.test(changed.stdout), `diff must show only the change (exit 1): ${show(changed)}`);
      check(!/resourceVersion|managedFields|generation/.test(changed.stdout.split('\n').filter((l) => /^[-+] /.test(l)).join('\n')), `diff shows server-owned fields: ${changed.stdout}`);
      check((await getJson(ctx, ['cm', 'df', '-n', ctx.ns])).data.v === 'one', 'diff (a dry run) must not change the object');
    },
  },
  {
    behavior: 'cli.edit', name: 'edit', core: true,
    async run(ctx) {
      await createCMs(ctx, [['ed', {}]]);
      const editor = file(ctx, 'editor.sh', '#!/bin/sh\nsed -i "s/^  k: ed$/  k: edited/" "$1"\n');
      chmodSync(editor, 0o755);
      const out = await ok(ctx, ['edit', 'cm', 'ed', '-n', ctx.ns], { env: { ...process.env, KUBE_EDITOR: editor, EDITOR: editor } });
      check(out.includes('configmap/ed edited'), out);
      check((await getJson(ctx, ['cm', 'ed', '-n', ctx.ns])).data.k === 'edited', 'edit did not change the data');
    },
  },
  {
    behavior: 'cli.set-image', name: 'set-image', core: true,
    async run(ctx) {
      await ok(ctx, ['create', '-f', file(ctx, 'd.yaml', deploymentYaml('si', ctx.ns, 1)), '--validate=false']);
      await ok(ctx, ['rollout', 'status', 'deployment/si', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const d0 = await getJson(ctx, ['deploy', 'si', '-n', ctx.ns]);
      const c = d0.spec.template.spec.containers[0].name;
      const out = await ok(ctx, ['set', 'image', 'deployment/si', `${c}=nginx:1.28`, '-n', ctx.ns]);
      check(out.includes('image updated'), out);
      await ok(ctx, ['rollout', 'status', 'deployment/si', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const rs = await getJson(ctx, ['rs', '-n', ctx.ns, '-l', 'app=si']);
      const images = rs.items.map((r: any) => `${r.spec.template.spec.containers[0].image}:${r.spec.replicas}`).sort();
      check(images.length === 2 && images.some((i: string) => i.startsWith('nginx:1.28:1')) && images.some((i: string) => i.endsWith(':0')), `ReplicaSets after set image: ${JSON.stringify(images)}`);
    },
  },
  {
    behavior: 'protobuf.kubectl-create-job', name: 'create-job', core: true,
    async run(ctx) {
      const out = await ok(ctx, ['create', 'job', 'jb', '-n', ctx.ns, '--image=busybox:1.36', '--', 'true']);
      check(out.includes('job.batch/jb created'), out);
      const j = await getJson(ctx, ['job', 'jb', '-n', ctx.ns]);
      check(j.spec.template.spec.restartPolicy === 'Never' && j.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid'] === j.metadata.uid, `job: ${JSON.stringify(j.spec).slice(0, 300)}`);
    },
  },
  {
    behavior: 'workloads.rollout-status', name: 'rollout-status', core: true,
    async run(ctx) {
      await ok(ctx, ['create', '-f', file(ctx, 'd.yaml', deploymentYaml('ro', ctx.ns, 2)), '--validate=false']);
      const out = await ok(ctx, ['rollout', 'status', 'deployment/ro', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check(out.includes('successfully rolled out'), out);
      const rs = await getJson(ctx, ['rs', '-n', ctx.ns, '-l', 'app=ro']);
      check(rs.items.length === 1 && rs.items[0].status.readyReplicas === 2, `replicaset: ${JSON.stringify(rs.items.map((i: any) => i.status))}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'services.endpoints-ready-ips', name: 'expose-endpoints', core: true,
    async run(ctx) {
      await ok(ctx, ['create', 'deployment', 'ep', '-n', ctx.ns, '--image=nginx:1.27', '--replicas=3', '--port=80']);
      await ok(ctx, ['rollout', 'status', 'deployment/ep', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const ex = await ok(ctx, ['expose', 'deployment', 'ep', '-n', ctx.ns, '--port=8080', '--target-port=80']);
      check(ex.includes('service/ep exposed'), ex);
      const pods = await getJson(ctx, ['pods', '-n', ctx.ns, '-l', 'app=ep']);
      const want = pods.items.filter((p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).map((p: any) => p.status.podIP).sort().join(' ');
      check(pods.items.length === 3 && want.split(' ').length === 3, `pods: ${JSON.stringify(pods.items.map((p: any) => p.status?.podIP))}`);
      // The controller writes asynchronously: wait for the Endpoints to show the ready pods.
      let got = '';
      await waitFor('endpoints list the ready pod IPs', async () => {
        const r = await kubectl(ctx, ['get', 'endpoints', 'ep', '-n', ctx.ns, '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
        got = r.code === 0 ? r.stdout.trim().split(/\s+/).filter(Boolean).sort().join(' ') : '';
        return got === want;
      }, { timeoutMs: 10_000, intervalMs: 100 }).catch(() => undefined);
      check(got === want, `endpoints ${JSON.stringify(got)} != ready pod IPs ${JSON.stringify(want)}`);
      const ports = await ok(ctx, ['get', 'endpoints', 'ep', '-n', ctx.ns, '-o', 'jsonpath={.subsets[0].ports[0].port}']);
      check(ports.trim() === '80', `endpoint port: ${ports}`);
      const slices = await getJson(ctx, ['endpointslices', '-n', ctx.ns, '-l', 'kubernetes.io/service-name=ep']);
      const sliceIPs = slices.items.flatMap((s: any) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready).map((e: any) => e.addresses[0])).sort().join(' ');
      check(sliceIPs === want, `endpointslice ready addresses ${JSON.stringify(sliceIPs)} != ${JSON.stringify(want)}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'workloads.run-ready', name: 'run-wait-ready', core: true,
    async run(ctx) {
      const r = await ok(ctx, ['run', 'nx', '-n', ctx.ns, '--image=nginx:1.27']);
      check(r.includes('pod/nx created'), r);
      const w = await ok(ctx, ['wait', '--for=condition=Ready', 'pod/nx', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check(w.includes('pod/nx condition met'), w);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'workloads.logs-exec', name: 'logs-exec', core: true,
    async run(ctx) {
      await ok(ctx, ['run', 'lx', '-n', ctx.ns, '--image=busybox:1.36', '--', 'sh', '-c', 'echo hello from lx; sleep 3600']);
      await ok(ctx, ['wait', '--for=condition=Ready', 'pod/lx', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const ex = await ok(ctx, ['exec', 'lx', '-n', ctx.ns, '--', 'echo', 'exec-works']);
      check(ex.trim() === 'exec-works', `exec output: ${JSON.stringify(ex)}`);
      const bad = await kubectl(ctx, ['exec', 'lx', '-n', ctx.ns, '--', 'sh', '-c', 'exit 3']);
      check(bad.code === 3 || /exit code 3/.test(bad.stderr), `exec exit code: ${show(bad)}`);
      const logs = await kubectl(ctx, ['logs', 'lx', '-n', ctx.ns]);
      check(logs.code === 0, `logs: ${show(logs)}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'workloads.rollout-history-undo', name: 'rollout-undo', core: true,
    async run(ctx) {
      // create deployment (a protobuf body from kubectl 1.32+) → revision 1; set image → revision 2;
      // rollout undo brings back revision 1's template on its own ReplicaSet (now revision 3).
      await ok(ctx, ['create', 'deployment', 'un', '-n', ctx.ns, '--image=nginx:1.27', '--replicas=3']);
      await ok(ctx, ['rollout', 'status', 'deployment/un', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const rs1 = (await getJson(ctx, ['rs', '-n', ctx.ns, '-l', 'app=un'])).items;
      check(rs1.length === 1 && rs1[0].metadata.annotations?.['deployment.kubernetes.io/revision'] === '1', `first ReplicaSet: ${JSON.stringify(rs1.map((r: any) => r.metadata.annotations))}`);
      await ok(ctx, ['set', 'image', 'deployment/un', 'nginx=nginx:1.28', '-n', ctx.ns]);
      await ok(ctx, ['rollout', 'status', 'deployment/un', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const hist = await ok(ctx, ['rollout', 'history', 'deployment/un', '-n', ctx.ns]);
      check(/REVISION\s+CHANGE-CAUSE/.test(hist) && /^1\s/m.test(hist) && /^2\s/m.test(hist), `rollout history: ${hist}`);
      const rev2 = await ok(ctx, ['rollout', 'history', 'deployment/un', '-n', ctx.ns, '--revision=2']);
      check(rev2.includes('nginx:1.28'), `rollout history --revision=2: ${rev2}`);
      const undo = await ok(ctx, ['rollout', 'undo', 'deployment/un', '-n', ctx.ns]);
      check(undo.includes('deployment.apps/un rolled back'), undo);
      await ok(ctx, ['rollout', 'status', 'deployment/un', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const d = await getJson(ctx, ['deploy', 'un', '-n', ctx.ns]);
      check(d.spec.template.spec.containers[0].image === 'nginx:1.27', `template after undo: ${d.spec.template.spec.containers[0].image}`);
      const rs = (await getJson(ctx, ['rs', '-n', ctx.ns, '-l', 'app=un'])).items;
      const first = rs.find((r: any) => r.metadata.uid === rs1[0].metadata.uid);
      check(rs.length === 2 && first?.spec.replicas === 3 && first.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3'
        && rs.every((r: any) => r === first || r.spec.replicas === 0),
        `ReplicaSets after undo: ${JSON.stringify(rs.map((r: any) => [r.spec.template.spec.containers[0].image, r.spec.replicas, r.metadata.annotations?.['deployment.kubernetes.io/revision']]))}`);
      const pods = (await getJson(ctx, ['pods', '-n', ctx.ns, '-l', 'app=un'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
      check(pods.length === 3 && pods.every((p: any) => p.spec.containers[0].image === 'nginx:1.27'), `pods after undo: ${JSON.stringify(pods.map((p: any) => p.spec.containers[0].image))}`);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'workloads.rollout-pause-resume-restart', name: 'rollout-pause-restart', core: true,
    async run(ctx) {
      await ok(ctx, ['create', 'deployment', 'pr', '-n', ctx.ns, '--image=nginx:1.27', '--replicas=2']);
      await ok(ctx, ['rollout', 'status', 'deployment/pr', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check((await ok(ctx, ['rollout', 'pause', 'deployment/pr', '-n', ctx.ns])).includes('deployment.apps/pr paused'), 'pause output');
      await ok(ctx, ['set', 'image', 'deployment/pr', 'nginx=nginx:1.28', '-n', ctx.ns]);
      // Paused: the controller observes the new generation but creates no ReplicaSet for it.
      await waitFor('the paused deployment observed', async () => {
        const d = await getJson(ctx, ['deploy', 'pr', '-n', ctx.ns]);
        return d.status?.observedGeneration === d.metadata.generation && d.status.conditions?.some((c: any) => c.type === 'Progressing' && c.reason === 'DeploymentPaused');
      }, { signal: ctx.signal, timeoutMs: 10_000 });
      check((await getJson(ctx, ['rs', '-n', ctx.ns, '-l', 'app=pr'])).items.length === 1, 'a paused deployment created a ReplicaSet');
      check((await ok(ctx, ['rollout', 'resume', 'deployment/pr', '-n', ctx.ns])).includes('deployment.apps/pr resumed'), 'resume output');
      await ok(ctx, ['rollout', 'status', 'deployment/pr', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const afterResume = (await getJson(ctx, ['rs', '-n', ctx.ns, '-l', 'app=pr'])).items;
      check(afterResume.length === 2 && afterResume.some((r: any) => r.spec.template.spec.containers[0].image === 'nginx:1.28' && r.status.readyReplicas === 2), `after resume: ${afterResume.length} ReplicaSets`);
      check((await ok(ctx, ['rollout', 'restart', 'deployment/pr', '-n', ctx.ns])).includes('deployment.apps/pr restarted'), 'restart output');
      await ok(ctx, ['rollout', 'status', 'deployment/pr', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const rs = (await getJson(ctx, ['rs', '-n', ctx.ns, '-l', 'app=pr'])).items;
      const live = rs.filter((r: any) => r.spec.replicas > 0);
      check(rs.length === 3 && live.length === 1 && live[0].spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], `after restart: ${JSON.stringify(rs.map((r: any) => [r.spec.replicas, r.spec.template.metadata.annotations]))}`);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'gc.deployment-delete', name: 'delete-deployment', core: true,
    async run(ctx) {
      // Background (kubectl's default): the Deployment goes at once, the collector removes its
      // ReplicaSet and that ReplicaSet's pods.
      await ok(ctx, ['create', 'deployment', 'bg', '-n', ctx.ns, '--image=nginx:1.27', '--replicas=2']);
      await ok(ctx, ['rollout', 'status', 'deployment/bg', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check((await ok(ctx, ['delete', 'deployment', 'bg', '-n', ctx.ns])).includes('deployment.apps "bg" deleted'), 'delete output');
      await waitFor('ReplicaSets and pods of bg gone', async () => (await ok(ctx, ['get', 'rs,pods', '-n', ctx.ns, '-l', 'app=bg', '-o', 'name'])).trim() === '', { signal: ctx.signal, timeoutMs: 30_000 });
      // Foreground: kubectl --wait returns only once the owner is gone, which happens only after
      // its dependents (ReplicaSet, then pods) are gone.
      await ok(ctx, ['create', 'deployment', 'fg', '-n', ctx.ns, '--image=nginx:1.27', '--replicas=2']);
      await ok(ctx, ['rollout', 'status', 'deployment/fg', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await ok(ctx, ['delete', 'deployment', 'fg', '-n', ctx.ns, '--cascade=foreground', '--wait=true', '--timeout=40s'], { timeoutMs: 50_000 });
      const left = (await ok(ctx, ['get', 'deploy,rs,pods', '-n', ctx.ns, '-l', 'app=fg', '-o', 'name'])).trim();
      check(left === '', `left after foreground delete returned: ${left}`);
    },
    timeoutMs: 120_000,
  },
  {
    behavior: 'gc.foreground', name: 'foreground-blocks', core: true,
    async run(ctx) {
      // A dependent that blocks its owner's deletion and is held by a finalizer keeps a
      // foreground-deleted owner in place (deletionTimestamp + foregroundDeletion finalizer);
      // releasing the dependent lets the owner go.
      const owner = (await rest(ctx.cluster, 'POST', `/api/v1/namespaces/${ctx.ns}/configmaps`, { metadata: { name: 'fg-owner' } })).body;
      const dep = await rest(ctx.cluster, 'POST', `/api/v1/namespaces/${ctx.ns}/configmaps`, { metadata: { name: 'fg-dep', finalizers: ['example.com/hold'],
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid: owner.metadata.uid, blockOwnerDeletion: true }] } });
      check(dep.status === 201, `dependent: ${dep.status}`);
      await ok(ctx, ['delete', 'cm', 'fg-owner', '-n', ctx.ns, '--cascade=foreground', '--wait=false']);
      const held = await waitFor('the dependent marked for deletion', async () => {
        const d = (await rest(ctx.cluster, 'GET', `/api/v1/namespaces/${ctx.ns}/configmaps/fg-dep`)).body;
        return d?.metadata?.deletionTimestamp ? d : undefined;
      }, { signal: ctx.signal, timeoutMs: 10_000 });
      check(held.metadata.finalizers.includes('example.com/hold'), 'dependent lost its finalizer');
      const o = await getJson(ctx, ['cm', 'fg-owner', '-n', ctx.ns]);
      check(o.metadata.deletionTimestamp && o.metadata.finalizers?.includes('foregroundDeletion'), `owner during foreground deletion: ${JSON.stringify(o.metadata)}`);
      const waitRun = kubectl(ctx, ['wait', '--for=delete', 'cm/fg-owner', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await ok(ctx, ['patch', 'cm', 'fg-dep', '-n', ctx.ns, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      const w = await waitRun;
      check(w.code === 0, `kubectl wait --for=delete: ${show(w)}`);
      const gone = await kubectl(ctx, ['get', 'cm', 'fg-owner', 'fg-dep', '-n', ctx.ns]);
      check(gone.code === 1 && !/fg-(owner|dep)\s/.test(gone.stdout), `owner/dependent after release: ${show(gone)}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'observability.metrics', name: 'metrics-raw', core: true,
    async run(ctx) {
      await createCMs(ctx, [['mx', {}]]);
      const text = await ok(ctx, ['get', '--raw', '/metrics']);
      const line = text.split('\n').find((l) => l.startsWith('apiserver_request_total{') && l.includes('verb="POST"') && l.includes('resource="configmaps"') && l.includes('code="201"'));
      check(line !== undefined && Number(line.split(' ').pop()) >= 1, `no apiserver_request_total for created configmaps in: ${text.slice(0, 400)}`);
      check(/^apiserver_storage_objects\{resource="configmaps"\} [1-9]/m.test(text), 'apiserver_storage_objects for configmaps');
    },
  },
  {
    behavior: 'workloads.logs-options', name: 'logs-options', core: true,
    async run(ctx) {
      // Two containers, one with literal output set by annotation.
      const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: lo\n  namespace: ${ctx.ns}\n  annotations:\n    skiff.dev/logs.app: "first\\nsecond\\nthird\\n"\nspec:\n  containers:\n  - {name: app, image: busybox:1.36}\n  - {name: side, image: busybox:1.36}\n`;
      await ok(ctx, ['create', '-f', file(ctx, 'lo.yaml', pod), '--validate=false']);
      await ok(ctx, ['wait', '--for=condition=Ready', 'pod/lo', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const all = await ok(ctx, ['logs', 'lo', '-n', ctx.ns, '-c', 'app']);
      check(all === 'first\nsecond\nthird\n', `logs -c app: ${JSON.stringify(all)}`);
      const tail = await ok(ctx, ['logs', 'lo', '-n', ctx.ns, '-c', 'app', '--tail=1']);
      check(tail === 'third\n', `--tail=1: ${JSON.stringify(tail)}`);
      const ts = await ok(ctx, ['logs', 'lo', '-n', ctx.ns, '-c', 'app', '--timestamps']);
      check(ts.trim().split('\n').every((l) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z (first|second|third)$/.test(l)), `--timestamps: ${JSON.stringify(ts)}`);
      const since = await ok(ctx, ['logs', 'lo', '-n', ctx.ns, '-c', 'app', '--since=1h']);
      check(since === all, `--since=1h: ${JSON.stringify(since)}`);
      const side = await ok(ctx, ['logs', 'lo', '-n', ctx.ns, '-c', 'side']);
      check(side.length > 0 && !side.includes('first'), `logs -c side: ${JSON.stringify(side)}`);
      const noC = await kubectl(ctx, ['logs', 'lo', '-n', ctx.ns]);
      check(noC.code !== 0 || noC.stdout === all, `logs without -c on a two-container pod: ${show(noC)}`);
      const bad = await kubectl(ctx, ['logs', 'lo', '-n', ctx.ns, '-c', 'nope']);
      check(bad.code === 1 && /container nope is not valid for pod lo/.test(bad.stderr), `logs -c nope: ${show(bad)}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'workloads.job-complete', name: 'job-wait-complete', core: true,
    async run(ctx) {
      // Two completions, two at a time, each pod running 1 s of simulated time.
      const y = `apiVersion: batch/v1\nkind: Job\nmetadata: {name: jc, namespace: ${ctx.ns}}\nspec:\n  completions: 2\n  parallelism: 2\n  template:\n    metadata: {annotations: {skiff.dev/run-seconds: "1"}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: w, image: busybox:1.36, command: [sh, -c, 'echo done']}]\n`;
      await ok(ctx, ['create', '-f', file(ctx, 'jc.yaml', y), '--validate=false']);
      const w = await ok(ctx, ['wait', '--for=condition=complete', 'job/jc', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check(w.includes('job.batch/jc condition met'), w);
      const j = await getJson(ctx, ['job', 'jc', '-n', ctx.ns]);
      check(j.status.succeeded === 2 && j.status.completionTime && j.status.conditions.some((c: any) => c.type === 'SuccessCriteriaMet'), `job status: ${JSON.stringify(j.status)}`);
      const pods = (await getJson(ctx, ['pods', '-n', ctx.ns, '-l', 'batch.kubernetes.io/job-name=jc'])).items;
      check(pods.length === 2 && pods.every((p: any) => p.status.phase === 'Succeeded' && !(p.metadata.finalizers ?? []).length), `job pods: ${JSON.stringify(pods.map((p: any) => [p.status.phase, p.metadata.finalizers]))}`);
      // Events are written asynchronously (batched by the recorder): wait for them.
      let desc = '';
      await waitFor('describe job to list the events', async () => {
        desc = await ok(ctx, ['describe', 'job', 'jc', '-n', ctx.ns]);
        return /SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: jc-/.test(desc) && /Completed\s+\S+\s+job-controller\s+Job completed/.test(desc);
      }, { signal: ctx.signal, timeoutMs: 10_000, intervalMs: 300 }).catch(() => undefined);
      check(/Created pod: jc-/.test(desc) && /Job completed/.test(desc), `describe job events: ${desc.slice(-600)}`);
      // A failing Job: backoffLimit 0, exit code 2 → Failed with BackoffLimitExceeded.
      const f = `apiVersion: batch/v1\nkind: Job\nmetadata: {name: jf, namespace: ${ctx.ns}}\nspec:\n  backoffLimit: 0\n  template:\n    metadata: {annotations: {skiff.dev/run-seconds: "1", skiff.dev/exit-code: "2"}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: w, image: busybox:1.36}]\n`;
      await ok(ctx, ['create', '-f', file(ctx, 'jf.yaml', f), '--validate=false']);
      await ok(ctx, ['wait', '--for=condition=failed', 'job/jf', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const reason = await ok(ctx, ['get', 'job', 'jf', '-n', ctx.ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}']);
      check(reason === 'BackoffLimitExceeded', `failed reason: ${reason}`);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'workloads.cronjob-runs', name: 'cronjob-runs', core: true,
    async run(ctx) {
      // kubectl create cronjob sends a protobuf body (1.32+); "@every 5s" keeps the wait short.
      const out = await ok(ctx, ['create', 'cronjob', 'ev', '-n', ctx.ns, '--image=busybox:1.36', '--schedule=@every 5s', '--', 'echo', 'hi']);
      check(out.includes('cronjob.batch/ev created'), out);
      const job = await waitFor('a Job created by the CronJob', async () => {
        const items = (await getJson(ctx, ['jobs', '-n', ctx.ns])).items.filter((j: any) => j.metadata.ownerReferences?.[0]?.kind === 'CronJob');
        return items[0];
      }, { signal: ctx.signal, timeoutMs: 20_000, intervalMs: 500 });
      check(/^ev-\d+$/.test(job.metadata.name) && job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], `job: ${JSON.stringify(job.metadata)}`);
      await ok(ctx, ['wait', '--for=condition=complete', `job/${job.metadata.name}`, '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await waitFor('the CronJob status to record the run', async () => {
        const cj = await getJson(ctx, ['cronjob', 'ev', '-n', ctx.ns]);
        return cj.status?.lastScheduleTime && cj.status?.lastSuccessfulTime;
      }, { signal: ctx.signal, timeoutMs: 20_000, intervalMs: 500 });
      // A manual run from the template, as kubectl builds it client-side.
      const manual = await ok(ctx, ['create', 'job', 'ev-manual', '--from=cronjob/ev', '-n', ctx.ns]);
      check(manual.includes('job.batch/ev-manual created'), manual);
      await ok(ctx, ['wait', '--for=condition=complete', 'job/ev-manual', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await ok(ctx, ['patch', 'cronjob', 'ev', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'workloads.daemonset-rollout', name: 'daemonset-rollout', core: true,
    async run(ctx) {
      const y = `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: dm, namespace: ${ctx.ns}}\nspec:\n  selector: {matchLabels: {app: dm}}\n  template:\n    metadata: {labels: {app: dm}}\n    spec:\n      containers: [{name: agent, image: busybox:1.36, command: [sleep, "3600"]}]\n`;
      await ok(ctx, ['apply', '-f', file(ctx, 'dm.yaml', y)]);
      const st = await ok(ctx, ['rollout', 'status', 'daemonset/dm', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check(st.includes('successfully rolled out'), st);
      const nodes = (await getJson(ctx, ['nodes'])).items.length;
      const d = await getJson(ctx, ['ds', 'dm', '-n', ctx.ns]);
      check(d.status.desiredNumberScheduled === nodes && d.status.numberReady === nodes, `status: ${JSON.stringify(d.status)} for ${nodes} nodes`);
      await ok(ctx, ['set', 'image', 'daemonset/dm', 'agent=busybox:1.37', '-n', ctx.ns]);
      await ok(ctx, ['rollout', 'status', 'daemonset/dm', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const pods = (await getJson(ctx, ['pods', '-n', ctx.ns, '-l', 'app=dm'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
      check(pods.length === nodes && pods.every((p: any) => p.spec.containers[0].image === 'busybox:1.37' && p.spec.nodeName), `pods after update: ${JSON.stringify(pods.map((p: any) => [p.spec.nodeName, p.spec.containers[0].image]))}`);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'workloads.statefulset-rollout', name: 'statefulset-rollout', core: true,
    async run(ctx) {
      const y = `apiVersion: v1\nkind: Service\nmetadata: {name: sw, namespace: ${ctx.ns}}\nspec: {clusterIP: None, selector: {app: sw}, ports: [{port: 80}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: sw, namespace: ${ctx.ns}}\nspec:\n  serviceName: sw\n  replicas: 2\n  selector: {matchLabels: {app: sw}}\n  template:\n    metadata: {labels: {app: sw}}\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n  volumeClaimTemplates:\n  - metadata: {name: www}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n`;
      await ok(ctx, ['apply', '-f', file(ctx, 'sw.yaml', y)]);
      const st = await ok(ctx, ['rollout', 'status', 'statefulset/sw', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check(/roll out complete|rolling update complete|partitioned roll out complete/.test(st), st);
      const names = (await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-l', 'app=sw', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/).sort();
      check(names.join(' ') === 'sw-0 sw-1', `pod names: ${names}`);
      const pvcs = (await ok(ctx, ['get', 'pvc', '-n', ctx.ns, '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/).sort();
      check(pvcs.join(' ') === 'www-sw-0 www-sw-1', `claims: ${pvcs}`);
      await ok(ctx, ['set', 'image', 'statefulset/sw', 'web=nginx:1.28', '-n', ctx.ns]);
      await ok(ctx, ['rollout', 'status', 'statefulset/sw', '-n', ctx.ns, '--timeout=40s'], { timeoutMs: 50_000 });
      const images = (await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-l', 'app=sw', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).trim().split(/\s+/);
      check(images.length === 2 && images.every((i) => i === 'nginx:1.28'), `images after update: ${images}`);
      await ok(ctx, ['scale', 'statefulset/sw', '--replicas=1', '-n', ctx.ns]);
      await waitFor('sw-1 removed', async () => (await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-l', 'app=sw', '-o', 'name'])).trim() === 'pod/sw-0', { signal: ctx.signal, timeoutMs: 20_000, intervalMs: 300 });
    },
    timeoutMs: 120_000,
  },
  {
    behavior: 'subresource.scale', name: 'scale', core: true,
    async run(ctx) {
      await ok(ctx, ['create', '-f', file(ctx, 'd.yaml', deploymentYaml('sc', ctx.ns)), '--validate=false']);
      const out = await ok(ctx, ['scale', 'deployment/sc', '-n', ctx.ns, '--replicas=3']);
      check(out.includes('deployment.apps/sc scaled'), out);
      const o = await getJson(ctx, ['deploy', 'sc', '-n', ctx.ns]);
      check(o.spec.replicas === 3, `replicas after scale: ${o.spec.replicas}`);
    },
  },
  {
    behavior: 'strategy.defaults', name: 'defaults-on-create', core: true,
    async run(ctx) {
      const p = file(ctx, 'objs.yaml', `apiVersion: v1\nkind: Secret\nmetadata: {name: sd, namespace: ${ctx.ns}}\nstringData: {password: s3cret}\n---\n${deploymentYaml('dd', ctx.ns)}---\napiVersion: v1\nkind: Pod\nmetadata: {name: pd, namespace: ${ctx.ns}}\nspec:\n  containers: [{name: c, image: nginx}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: sv, namespace: ${ctx.ns}}\nspec:\n  selector: {app: dd}\n  ports: [{port: 80}]\n`);
      await ok(ctx, ['create', '-f', p, '--validate=false']);
      const phase = await ok(ctx, ['get', 'ns', ctx.ns, '-o', 'jsonpath={.status.phase}']);
      check(phase === 'Active', `namespace status.phase: ${JSON.stringify(phase)}`);
      const sec = await getJson(ctx, ['secret', 'sd', '-n', ctx.ns]);
      check(sec.data?.password === Buffer.from('s3cret').toString('base64') && sec.type === 'Opaque' && !sec.stringData, `secret: stringData folded into data, type Opaque: ${JSON.stringify({ data: sec.data, type: sec.type })}`);
      const d = (await getJson(ctx, ['deploy', 'dd', '-n', ctx.ns])).spec;
      check(d.strategy?.type === 'RollingUpdate' && d.strategy.rollingUpdate?.maxSurge === '25%' && d.revisionHistoryLimit === 10 && d.progressDeadlineSeconds === 600,
        `deployment defaults: ${JSON.stringify({ strategy: d.strategy, rhl: d.revisionHistoryLimit, pds: d.progressDeadlineSeconds })}`);
      const pod = (await getJson(ctx, ['pod', 'pd', '-n', ctx.ns])).spec;
      check(pod.restartPolicy === 'Always' && pod.dnsPolicy === 'ClusterFirst' && pod.terminationGracePeriodSeconds === 30 && pod.schedulerName === 'default-scheduler'
        && pod.containers[0].imagePullPolicy === 'Always' && pod.serviceAccountName === 'default',
        `pod defaults: ${JSON.stringify({ rp: pod.restartPolicy, dns: pod.dnsPolicy, tgps: pod.terminationGracePeriodSeconds, ipp: pod.containers[0].imagePullPolicy, sa: pod.serviceAccountName })}`);
      const svc = (await getJson(ctx, ['svc', 'sv', '-n', ctx.ns])).spec;
      check(svc.type === 'ClusterIP' && /^\d+\.\d+\.\d+\.\d+$/.test(svc.clusterIP) && svc.ports[0].targetPort === 80 && svc.ports[0].protocol === 'TCP',
        `service defaults: ${JSON.stringify({ type: svc.type, ip: svc.clusterIP, ports: svc.ports })}`);
    },
  },
  {
    behavior: 'crud.replace', name: 'replace', core: true,
    async run(ctx) {
      await createCMs(ctx, [['rp', {}]]);
      const p = file(ctx, 'r.yaml', cmYaml('rp', ctx.ns, {}, { k: 'replaced' }));
      const out = await ok(ctx, ['replace', '-f', p, '--validate=false']);
      check(out.includes('configmap/rp replaced'), out);
      const o = await getJson(ctx, ['cm', 'rp', '-n', ctx.ns]);
      check(o.data.k === 'replaced', JSON.stringify(o.data));
    },
  },
  {
    behavior: 'openapi.explain', name: 'explain', core: true, noNamespace: true,
    async run(ctx) {
      const out = await ok(ctx, ['explain', 'deployment.spec.replicas']);
      check(/KIND:\s+Deployment/.test(out) && /replicas/.test(out) && /integer/.test(out), out);
    },
  },
];

// Shared with suites of their own (conformance/suites/lifecycle.ts).
export { show, file };
