// Conformance runner: drives fresh Skiff servers with real clients (kubectl at several
// versions, @kubernetes/client-node, the official Python client, client-go, a controller-runtime operator)
// and reports each behaviour of conformance/behaviors.yaml as passed, failed or pending.
//
//   node conformance/run.ts [--client kubectl|client-node|python|client-go|controller-runtime]... [--kubectl-all-versions]
//                           [--only <behaviour-id-substring>] [--jobs N] [--verbose] [--no-report]
//
// Every suite runs in its own worker process (`--worker <suite>`) with its own in-process
// cluster from startCluster(); workers run in parallel (--jobs, default 3), and every case gets
// its own namespace. The last line printed is exactly "N passed, N failed, N pending".
// Exit status: 1 if any implemented behaviour failed (or the catalogue is inconsistent), else 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Case, CaseResult, ClientName, ClusterHandle } from './lib.ts';
import { CLIENTS, createNamespace, errText, execFile, slug } from './lib.ts';
import { extractSection, spliceSection } from './upstream/report.ts';

const HERE = import.meta.dirname;
const ROOT = dirname(HERE);

// ---------------------------------------------------------------------------------------------
// Catalogue

interface Behavior {
  id: string;
  area: string;
  must: string;
  tests: Array<Record<string, string>>;
  status: 'implemented' | 'pending';
  reason?: string;
}

function loadCatalogue(): Behavior[] {
  const doc = parseYaml(readFileSync(join(HERE, 'behaviors.yaml'), 'utf8')) as { behaviors: Behavior[] };
  const seen = new Set<string>();
  for (const b of doc.behaviors) {
    if (!b.id || !b.must || !b.status) throw new Error(`behaviors.yaml: entry ${JSON.stringify(b).slice(0, 80)} lacks id/must/status`);
    if (seen.has(b.id)) throw new Error(`behaviors.yaml: duplicate id ${b.id}`);
    if (b.status !== 'implemented' && b.status !== 'pending') throw new Error(`behaviors.yaml: ${b.id}: status must be implemented|pending`);
    if (b.status === 'pending' && !b.reason) throw new Error(`behaviors.yaml: ${b.id}: pending needs a reason`);
    seen.add(b.id);
  }
  return doc.behaviors;
}

// ---------------------------------------------------------------------------------------------
// Suites

interface SuiteDef {
  id: string;
  client: ClientName;
  /** Column label in the report, e.g. "kubectl 1.27". */
  label: string;
  /** Filled by prepare(): set when the suite cannot run. */
  skip?: string;
  env?: Record<string, string>;
}

const KUBECTL_MINORS = [27, 28, 29, 30, 31, 32, 33, 34, 35, 36];

function findKubectl(): { path?: string; dir?: string; versions: number[] } {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'kubectl');
    if (d && existsSync(p)) {
      const real = realpathSync(p);
      const dir = dirname(real);
      const versions = KUBECTL_MINORS.filter((m) => existsSync(join(dir, `kubectl.1.${m}`)));
      return { path: p, dir, versions };
    }
  }
  return { versions: [] };
}

async function loadCases(suite: SuiteDef): Promise<Case[]> {
  if (suite.id === 'nodes') return (await import('./suites/nodes.ts')).nodesCases;
  switch (suite.client) {
    case 'kubectl': {
      if (suite.id === 'streams') return (await import('./suites/streams.ts')).streamCases;
      if (suite.id === 'cp') return (await import('./suites/cp.ts')).cpCases;
      const { kubectlCases } = await import('./suites/kubectl.ts');
      const { lifecycleCases } = await import('./suites/lifecycle.ts');
      const all = [...kubectlCases, ...(await import('./suites/metrics.ts')).metricsCases, ...(await import('./suites/scheduling.ts')).schedulingCases, ...(await import('./suites/scheduling-relabel.ts')).schedulingRelabelCases, ...(await import('./suites/events.ts')).eventCases, ...(await import('./suites/validation.ts')).validationCases, ...(await import('./suites/served-groups.ts')).servedGroupCases, ...(await import('./suites/tokens.ts')).tokenCases, ...(await import('./suites/rbac.ts')).rbacCases, ...(await import('./suites/revisions.ts')).revisionCases, ...(await import('./suites/preemption.ts')).preemptionCases, ...(await import('./suites/volumes.ts')).volumeCases, ...(await import('./suites/crds.ts')).crdCases, ...(await import('./suites/proxy.ts')).proxyCases, ...(await import('./suites/admission-policy.ts')).admissionPolicyCases, ...(await import('./suites/policy.ts')).policyCases, ...(await import('./suites/webhooks.ts')).webhookCases, ...(await import('./suites/containers.ts')).containerCases, ...(await import('./suites/flowcontrol.ts')).flowcontrolCases];
      return suite.id === 'kubectl' ? [...all, ...lifecycleCases] : all.filter((c) => c.core);
    }
    case 'client-node': return [...(await import('./suites/client-node.ts')).clientNodeCases, ...(await import('./suites/tokens-client-node.ts')).tokenClientNodeCases, ...(await import('./suites/crds-client-node.ts')).crdClientNodeCases];
    case 'python': return (await import('./suites/external.ts')).pythonCases;
    case 'client-go': { const e = await import('./suites/external.ts'); return [...e.clientGoCases, ...(await e.moreClientGoCases()), ...(await import('./suites/webhooks.ts')).conversionClientGoCases]; }
    case 'controller-runtime': return (await import('./suites/controller-runtime.ts')).controllerRuntimeCases;
  }
}

// ---------------------------------------------------------------------------------------------
// Worker: one suite, one cluster.

async function worker(suiteJson: string, outFile: string): Promise<void> {
  const suite = JSON.parse(suiteJson) as SuiteDef & { only?: string; caseJobs: number };
  process.on('unhandledRejection', (e) => { process.stderr.write(`[${suite.id}] unhandled rejection: ${errText(e)}\n`); });
  const t0 = Date.now();
  const { startCluster } = await import('../src/index.ts');
  try {
    // Periodic bookmarks every 250 ms instead of a minute, so bookmark tests need not wait long.
    const w = await import('../src/api/watch.ts');
    w.watchSettings.bookmarkIntervalMs = 250;
  } catch { /* older server layout: the bookmark test will simply wait longer */ }
  const cluster = await startCluster(suite.id === 'nodes' ? (await import('./suites/nodes.ts')).NODES_CLUSTER : {});
  const startMs = Date.now() - t0;
  const handle: ClusterHandle = {
    url: cluster.url, kubeconfig: cluster.kubeconfig, kubeconfigPath: cluster.kubeconfigPath, token: cluster.token, caPem: cluster.caPem,
    compact: () => cluster.server.backend.compact(cluster.server.backend.currentRevision()),
  };
  const tmpRoot = mkdtempSync(join(tmpdir(), `skiff-conf-${suite.id}-`));
  if (suite.client === 'kubectl') {
    const { useKubectl } = await import('./suites/kubectl.ts');
    const cacheDir = join(tmpRoot, 'kube-cache');
    mkdirSync(cacheDir);
    useKubectl({ bin: suite.env!.KUBECTL_BIN, cacheDir });
  } else if (suite.client === 'python') {
    (await import('./suites/external.ts')).pythonTool.python = suite.env!.PYTHON;
  }
  let cases = await loadCases(suite);
  if (suite.only) cases = cases.filter((c) => c.behavior.includes(suite.only!) || c.name.includes(suite.only!));
  const results: CaseResult[] = [];
  let next = 0;
  const variantTag = suite.id.replace(/^kubectl-?/, '').replace(/\./g, '') || 'p';
  const runOne = async (c: Case, idx: number): Promise<CaseResult> => {
    const began = Date.now();
    const ns = slug(`${slug(c.name, 28)}-${suite.client === 'kubectl' ? `k${variantTag}` : suite.client.slice(0, 2)}-${idx}`, 60);
    const tmp = join(tmpRoot, `${idx}`);
    mkdirSync(tmp);
    const ac = new AbortController();
    const timeoutMs = c.timeoutMs ?? 45_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!c.noNamespace) await createNamespace(handle, ns);
      await Promise.race([
        c.run({ cluster: handle, ns, tmp, variant: suite.label, signal: ac.signal }),
        new Promise((_, reject) => { timer = setTimeout(() => { ac.abort(); reject(new Error(`case timed out after ${timeoutMs} ms`)); }, timeoutMs); }),
      ]);
      return { behavior: c.behavior, client: suite.client, variant: suite.label, name: c.name, status: 'pass', ms: Date.now() - began };
    } catch (e) {
      return { behavior: c.behavior, client: suite.client, variant: suite.label, name: c.name, status: 'fail', ms: Date.now() - began, error: errText(e) };
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, suite.caseJobs) }, async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runOne(cases[i], i);
    }
  }));
  const totalMs = Date.now() - t0;
  writeFileSync(outFile, JSON.stringify({ results, startMs, totalMs }));
  await Promise.race([cluster.stop(), new Promise((r) => setTimeout(r, 3000).unref())]);
  rmSync(tmpRoot, { recursive: true, force: true });
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Preparation of external clients (once per run).

async function preparePython(): Promise<{ python?: string; skip?: string; ms: number }> {
  const t0 = Date.now();
  const venv = join(HERE, '.venv');
  const py = join(venv, 'bin', 'python');
  const probe = async () => (await execFile(py, ['-c', 'import kubernetes, sys; print(kubernetes.__version__)'], { timeoutMs: 30_000 }));
  if (existsSync(py) && (await probe()).code === 0) return { python: py, ms: Date.now() - t0 };
  const sys = process.env.PYTHON ?? 'python3';
  const mk = await execFile(sys, ['-m', 'venv', venv], { timeoutMs: 120_000 });
  if (mk.code !== 0) return { skip: `python: cannot create a virtualenv with ${sys} (${(mk.stderr || mk.stdout).trim().split('\n').pop()})`, ms: Date.now() - t0 };
  const pip = await execFile(py, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'kubernetes'], { timeoutMs: 600_000 });
  if (pip.code !== 0) return { skip: `python: pip install kubernetes failed (${(pip.stderr || pip.stdout).trim().split('\n').pop()})`, ms: Date.now() - t0 };
  const p = await probe();
  if (p.code !== 0) return { skip: `python: kubernetes not importable after install (${p.stderr.trim().split('\n').pop()})`, ms: Date.now() - t0 };
  return { python: py, ms: Date.now() - t0 };
}

function newestMtime(dir: string): number {
  let m = 0;
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.go') || f === 'go.mod' || f === 'go.sum') m = Math.max(m, statSync(join(dir, f)).mtimeMs);
  }
  return m;
}

/**
 * Builds a Go scenario program (conformance/go: client-go, conformance/go-ctrl: controller-runtime)
 * unless its binary is newer than its sources. Go's module and build caches (GOMODCACHE, GOCACHE)
 * keep later builds short; the two programs share their k8s.io packages in the build cache.
 */
async function prepareGo(client: string, sub: string, binName: string): Promise<{ skip?: string; ms: number; built: boolean }> {
  const t0 = Date.now();
  const dir = join(HERE, sub);
  const bin = join(dir, 'bin', binName);
  if (existsSync(bin) && statSync(bin).mtimeMs >= newestMtime(dir)) return { ms: Date.now() - t0, built: false };
  const goBin = process.env.GO ?? 'go';
  const v = await execFile(goBin, ['version'], { timeoutMs: 20_000 });
  if (v.code !== 0) return { skip: `${client}: no Go toolchain on PATH (set GO=/path/to/go)`, ms: Date.now() - t0, built: false };
  const b = await execFile(goBin, ['build', '-o', bin, '.'], { cwd: dir, timeoutMs: 900_000 });
  if (b.code !== 0) return { skip: `${client}: go build failed: ${b.stderr.trim().split('\n').slice(-3).join(' | ')}`, ms: Date.now() - t0, built: false };
  return { ms: Date.now() - t0, built: true };
}

// ---------------------------------------------------------------------------------------------
// Orchestrator

interface SuiteRun { suite: SuiteDef; results: CaseResult[]; startMs?: number; totalMs: number; error?: string; prepMs?: number }

function runWorker(suite: SuiteDef, extra: { only?: string; caseJobs: number }): Promise<SuiteRun> {
  const t0 = Date.now();
  const out = join(mkdtempSync(join(tmpdir(), 'skiff-conf-out-')), 'result.json');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(HERE, 'run.ts'), '--worker', JSON.stringify({ ...suite, ...extra }), '--out', out], { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (verbose) process.stderr.write(d); });
    // A worker that wedges is killed; its cases are then reported as failed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let parsed: { results: CaseResult[]; startMs: number; totalMs: number } | undefined;
      try { parsed = JSON.parse(readFileSync(out, 'utf8')); } catch { /* worker died */ }
      rmSync(dirname(out), { recursive: true, force: true });
      if (!parsed) {
        resolve({ suite, results: [], totalMs: Date.now() - t0, error: `worker exited ${code} without results: ${stderr.trim().split('\n').slice(-5).join(' | ')}` });
      } else {
        resolve({ suite, results: parsed.results, startMs: parsed.startMs, totalMs: Date.now() - t0 });
      }
    });
  });
}

let verbose = false;

type Verdict = 'PASS' | 'FAIL' | 'PENDING' | 'PENDING-PASSES' | 'SKIP';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') return worker(argv[1], argv[3]);
  const clients: ClientName[] = [];
  let allVersions = false;
  let only: string | undefined;
  let jobs = 3;
  let writeReport = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--client' || a.startsWith('--client=')) {
      for (const c of val().split(',')) {
        if (!CLIENTS.includes(c as ClientName)) { console.error(`unknown client "${c}" (want one of ${CLIENTS.join(', ')})`); process.exit(2); }
        clients.push(c as ClientName);
      }
    } else if (a === '--kubectl-all-versions') allVersions = true;
    else if (a === '--only' || a.startsWith('--only=')) only = val();
    else if (a === '--jobs' || a.startsWith('--jobs=')) jobs = Math.max(1, Number(val()) || 1);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--no-report') writeReport = false;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node conformance/run.ts [--client kubectl|client-node|python|client-go|controller-runtime]... [--kubectl-all-versions] [--only ID] [--jobs N] [--verbose] [--no-report]');
      return;
    } else { console.error(`unknown argument "${a}" (try --help)`); process.exit(2); }
  }
  const selected = clients.length ? clients : CLIENTS;
  const t0 = Date.now();
  const catalogue = loadCatalogue();
  const byId = new Map(catalogue.map((b) => [b.id, b]));

  // Plan suites.
  const suites: SuiteDef[] = [];
  const notes: string[] = [];
  const kubectl = findKubectl();
  if (selected.includes('kubectl')) {
    if (!kubectl.path) {
      suites.push({ id: 'kubectl', client: 'kubectl', label: 'kubectl', skip: 'kubectl: not found on PATH — kubectl scenarios skipped' });
    } else {
      // The kubectl on PATH (a version dispatcher here; Skiff reports 1.32 so it runs 1.32) gets every scenario.
      const v = await execFile(kubectl.path, ['version', '--client', '-o', 'json'], { timeoutMs: 20_000 });
      let label = 'kubectl';
      try { const cv = JSON.parse(v.stdout).clientVersion; label = `kubectl ${cv.major}.${cv.minor.replace(/\D+$/, '')} (PATH)`; } catch { /* keep */ }
      if (/dispatcher/.test(v.stdout)) label = 'kubectl 1.32 (PATH)';
      suites.push({ id: 'kubectl', client: 'kubectl', label, env: { KUBECTL_BIN: kubectl.path } });
      suites.push({ id: 'nodes', client: 'kubectl', label, env: { KUBECTL_BIN: kubectl.path } });
      suites.push({ id: 'streams', client: 'kubectl', label: 'kubectl streams', env: { KUBECTL_BIN: kubectl.path } });
      suites.push({ id: 'cp', client: 'kubectl', label: 'kubectl cp', env: { KUBECTL_BIN: kubectl.path } });
      // Version skew: the core scenarios with each versioned binary beside it (oldest and newest by default).
      const others = kubectl.versions.filter((m) => m !== 32);
      const pick = allVersions ? others : [...new Set([others[0], others[others.length - 1]])].filter((m) => m !== undefined);
      for (const m of pick) suites.push({ id: `kubectl-1.${m}`, client: 'kubectl', label: `kubectl 1.${m}`, env: { KUBECTL_BIN: join(kubectl.dir!, `kubectl.1.${m}`) } });
      if (!allVersions && others.length > pick.length) notes.push(`kubectl version skew: ran ${pick.map((m) => `1.${m}`).join(', ')} and PATH; --kubectl-all-versions adds ${others.filter((m) => !pick.includes(m)).map((m) => `1.${m}`).join(', ')}`);
    }
  }
  if (selected.includes('client-node')) suites.push({ id: 'client-node', client: 'client-node', label: 'client-node' });
  const pySuite: SuiteDef | undefined = selected.includes('python') ? { id: 'python', client: 'python', label: 'python' } : undefined;
  const goSuite: SuiteDef | undefined = selected.includes('client-go') ? { id: 'client-go', client: 'client-go', label: 'client-go' } : undefined;
  const ctrlSuite: SuiteDef | undefined = selected.includes('controller-runtime') ? { id: 'controller-runtime', client: 'controller-runtime', label: 'controller-runtime' } : undefined;

  // Run: suites that need no preparation start at once; python/go start when ready.
  const caseJobs = 3;
  const queue: Array<() => Promise<SuiteRun>> = [];
  const runs: SuiteRun[] = [];
  let active = 0;
  let wake: (() => void) | undefined;
  const started: Promise<void>[] = [];
  const enqueue = (s: SuiteDef) => { queue.push(() => runWorkerLogged(s)); wake?.(); };
  // Order: the long PATH kubectl suite and client-node first, then the skew suites.
  for (const s of suites) enqueue(s);
  let pending = 0;
  if (pySuite) {
    pending++;
    started.push(preparePython().then((p) => {
      if (p.skip) pySuite.skip = p.skip; else pySuite.env = { PYTHON: p.python! };
      pending--; queue.unshift(() => runWorkerLogged(pySuite, p.ms)); wake?.();
    }));
  }
  // The Go programs build one after the other (they share the build cache and the machine's cores).
  let goBuilds: Promise<unknown> = Promise.resolve();
  for (const [suite, sub, binName] of [[goSuite, 'go', 'skiff-conformance'], [ctrlSuite, 'go-ctrl', 'skiff-controller']] as const) {
    if (!suite) continue;
    pending++;
    const built = goBuilds.then(() => prepareGo(suite.client, sub, binName));
    goBuilds = built;
    started.push(built.then((p) => {
      if (p.skip) suite.skip = p.skip;
      if (p.built) console.log(`${suite.client}: go build took ${(p.ms / 1000).toFixed(1)} s`);
      pending--; queue.unshift(async () => runWorkerLogged(suite, p.ms)); wake?.();
    }));
  }
  async function runWorkerLogged(s: SuiteDef, prepMs?: number): Promise<SuiteRun> {
    if (s.skip) { console.log(`SKIP suite ${s.id}: ${s.skip}`); return { suite: s, results: [], totalMs: 0, prepMs }; }
    const r = await runWorker(s, { only, caseJobs });
    r.prepMs = prepMs;
    const n = (st: string) => r.results.filter((x) => x.status === st).length;
    console.log(`suite ${s.label}: ${r.results.length} cases (${n('pass')} pass, ${n('fail')} fail) in ${(r.totalMs / 1000).toFixed(1)} s${r.startMs !== undefined ? `, cluster up in ${r.startMs} ms` : ''}${prepMs !== undefined ? `, prepared in ${(prepMs / 1000).toFixed(1)} s` : ''}${r.error ? ` — ${r.error}` : ''}`);
    return r;
  }
  await new Promise<void>((resolveAll) => {
    const pump = () => {
      while (active < jobs && queue.length) {
        const job = queue.shift()!;
        active++;
        job().then((r) => { runs.push(r); active--; pump(); });
      }
      if (active === 0 && queue.length === 0 && pending === 0) resolveAll();
    };
    wake = pump;
    pump();
  });
  await Promise.all(started);
  const wallMs = Date.now() - t0;

  // Verdicts per behaviour.
  const all = runs.flatMap((r) => r.results);
  const unknown = [...new Set(all.map((r) => r.behavior).filter((b) => !byId.has(b)))];
  const columns = runs.filter((r) => !r.suite.skip).map((r) => r.suite.label);
  const orderedColumns = [...new Set(columns)].sort((a, b) => colKey(a) - colKey(b));
  let passed = 0; let failed = 0; let pendingN = 0; let skipped = 0;
  const flips: string[] = [];
  const lines: string[] = [];
  const verdicts = new Map<string, Verdict>();
  for (const b of catalogue) {
    const rs = all.filter((r) => r.behavior === b.id);
    if (!rs.length) {
      // Only behaviours a selected client should have proved count as skipped (client unavailable).
      const provers = (b.tests ?? []).flatMap((t) => Object.keys(t));
      if (!only && provers.some((c) => selected.includes(c as ClientName))) {
        skipped++; verdicts.set(b.id, 'SKIP');
        lines.push(`SKIP     ${b.id.padEnd(28)} ${b.status}; its clients were skipped (${[...new Set(provers)].join(', ')})`);
      }
      continue;
    }
    const anyFail = rs.some((r) => r.status === 'fail');
    let v: Verdict;
    if (b.status === 'implemented') v = anyFail ? 'FAIL' : 'PASS';
    else v = anyFail ? 'PENDING' : 'PENDING-PASSES';
    verdicts.set(b.id, v);
    if (v === 'PASS') passed++;
    else if (v === 'FAIL') failed++;
    else pendingN++;
    if (v === 'PENDING-PASSES') flips.push(b.id);
    const byCol = new Map<string, string>();
    for (const r of rs) {
      const prev = byCol.get(r.variant);
      byCol.set(r.variant, prev === 'fail' || r.status === 'fail' ? 'fail' : 'pass');
    }
    const cells = [...byCol].sort((a, b2) => colKey(a[0]) - colKey(b2[0])).map(([c, s]) => `${c.replace(' (PATH)', '')}:${s}`).join(' ');
    const tag = v === 'PENDING-PASSES' ? 'PENDING*' : v;
    lines.push(`${tag.padEnd(8)} ${b.id.padEnd(28)} ${cells}`);
    if (v === 'FAIL' || verbose || (v === 'PENDING' && verbose)) {
      for (const r of rs.filter((x) => x.status === 'fail')) lines.push(`           ✗ [${r.variant}] ${r.name}: ${r.error}`);
    }
    if (v === 'PENDING') lines.push(`           pending: ${b.reason}${verbose ? '' : ` (first failure: [${rs.find((x) => x.status === 'fail')!.variant}] ${rs.find((x) => x.status === 'fail')!.error?.slice(0, 160)})`}`);
  }
  // Catalogue consistency: every case names a known behaviour; every listed test exists.
  const problems: string[] = [];
  for (const u of unknown) problems.push(`case(s) refer to behaviour "${u}" which is not in behaviors.yaml`);
  for (const b of catalogue) {
    for (const t of b.tests ?? []) {
      for (const [client, ref] of Object.entries(t)) {
        const name = String(ref).split('#')[1];
        const ran = runs.some((r) => r.suite.client === client && !r.suite.skip);
        if (ran && !only && !all.some((r) => r.client === client && r.name === name && r.behavior === b.id)) problems.push(`${b.id}: test ${client}: ${ref} did not run (renamed or moved?)`);
      }
    }
  }
  for (const l of lines) console.log(l);
  for (const n of notes) console.log(`note: ${n}`);
  for (const r of runs) if (r.error) console.log(`suite ${r.suite.id} broke: ${r.error}`);
  if (flips.length) console.log(`pending behaviours that now pass on every client (flip to implemented in behaviors.yaml): ${flips.join(', ')}`);
  for (const p of problems) console.log(`catalogue: ${p}`);
  const brokenSuites = runs.filter((r) => r.error).length;
  const checks = all.length;
  console.log(`${checks} checks across ${runs.filter((r) => !r.suite.skip).length} suites in ${(wallMs / 1000).toFixed(1)} s wall time${skipped ? `; ${skipped} behaviours not exercised (client skipped or not selected)` : ''}`);
  if (writeReport) writeReportKeepingUpstream(report(catalogue, verdicts, all, orderedColumns, runs, wallMs, selected, allVersions, only));
  console.log(`${passed} passed, ${failed} failed, ${pendingN} pending`);
  process.exitCode = failed > 0 || problems.length > 0 || brokenSuites > 0 ? 1 : 0;
}

function colKey(label: string): number {
  const m = /^kubectl (\d+)\.(\d+)/.exec(label);
  if (m) return Number(m[2]);
  if (label.startsWith('kubectl')) return 32;
  return 100 + CLIENTS.indexOf(label as ClientName);
}

/** REPORT.md is regenerated, except the section that `npm run conformance:upstream -- --record` maintains. */
function writeReportKeepingUpstream(text: string): void {
  const path = join(HERE, 'REPORT.md');
  const upstream = existsSync(path) ? extractSection(readFileSync(path, 'utf8')) : undefined;
  writeFileSync(path, upstream ? spliceSection(text, upstream) : text);
}

function report(catalogue: Behavior[], verdicts: Map<string, Verdict>, all: CaseResult[], columns: string[], runs: SuiteRun[], wallMs: number,
  selected: ClientName[], allVersions: boolean, only?: string): string {
  const out: string[] = [];
  out.push('# Skiff conformance report', '');
  out.push('Generated by `node conformance/run.ts' + (selected.length < CLIENTS.length ? ` --client ${selected.join(',')}` : '') + (allVersions ? ' --kubectl-all-versions' : '') + (only ? ` --only ${only}` : '') + '`. Do not edit by hand; behaviours and their status live in `behaviors.yaml`.', '');
  const count = (v: Verdict) => [...verdicts.values()].filter((x) => x === v).length;
  out.push(`**${count('PASS')} passed, ${count('FAIL')} failed, ${count('PENDING') + count('PENDING-PASSES')} pending** (${all.length} checks, wall time ${(wallMs / 1000).toFixed(1)} s).`, '');
  out.push('Cells: `pass`, `FAIL` (an implemented behaviour broke), `pending` (fails as expected; not implemented yet), `pass*` (marked pending but passes with this client), `—` (not proved by this client), `skip` (client unavailable).', '');
  out.push(`| Behaviour | Status | ${columns.join(' | ')} |`);
  out.push(`|---|---|${columns.map(() => '---').join('|')}|`);
  const skippedLabels = new Set(runs.filter((r) => r.suite.skip).map((r) => r.suite.client));
  for (const b of catalogue) {
    const v = verdicts.get(b.id);
    const status = v === 'PASS' ? 'implemented' : v === 'FAIL' ? '**FAILING**' : v === 'PENDING-PASSES' ? 'pending (passes now — flip)' : v === 'SKIP' ? `${b.status} (not run)` : b.status === 'pending' ? 'pending' : b.status;
    const cells = columns.map((c) => {
      const rs = all.filter((r) => r.behavior === b.id && r.variant === c);
      if (!rs.length) return '—';
      const fail = rs.some((r) => r.status === 'fail');
      if (b.status === 'pending') return fail ? 'pending' : 'pass*';
      return fail ? 'FAIL' : 'pass';
    });
    out.push(`| \`${b.id}\` | ${status} | ${cells.join(' | ')} |`);
  }
  if (skippedLabels.size) out.push('', `Skipped clients: ${runs.filter((r) => r.suite.skip).map((r) => `${r.suite.id} (${r.suite.skip})`).join('; ')}.`);
  out.push('', '## What each behaviour requires', '');
  for (const b of catalogue) {
    const tests = (b.tests ?? []).map((t) => Object.entries(t).map(([c, ref]) => `${c}: \`${ref}\``).join('')).join(', ');
    out.push(`- **\`${b.id}\`** (${b.area}) — ${b.must} _Proved by:_ ${tests}.${b.status === 'pending' ? ` _Pending:_ ${b.reason}` : ''}`);
  }
  const fails = all.filter((r) => r.status === 'fail');
  if (fails.length) {
    out.push('', '## Failures (first line of each)', '');
    for (const f of fails) out.push(`- \`${f.behavior}\` [${f.variant}] ${f.name}: ${(f.error ?? '').replace(/\|/g, '\\|').replace(/`/g, "'").slice(0, 300)}`);
  }
  out.push('', '## Suites', '', '| Suite | Cases | Pass | Fail | Cluster start | Preparation | Suite wall time |', '|---|---|---|---|---|---|---|');
  for (const r of [...runs].sort((a, b) => colKey(a.suite.label) - colKey(b.suite.label))) {
    if (r.suite.skip) { out.push(`| ${r.suite.label} | skipped: ${r.suite.skip} | | | | | |`); continue; }
    const n = (st: string) => r.results.filter((x) => x.status === st).length;
    out.push(`| ${r.suite.label} | ${r.results.length} | ${n('pass')} | ${n('fail')} | ${r.startMs ?? '?'} ms | ${r.prepMs !== undefined ? `${(r.prepMs / 1000).toFixed(1)} s` : '—'} | ${(r.totalMs / 1000).toFixed(1)} s |`);
  }
  out.push('', `Total wall time: ${(wallMs / 1000).toFixed(1)} s on ${process.platform}/${process.arch}, Node ${process.version}.`, '');
  return out.join('\n');
}

main().catch((e) => {
  console.error(`conformance runner crashed: ${e instanceof Error ? e.stack : String(e)}`);
  console.log('0 passed, 1 failed, 0 pending');
  process.exit(1);
});
