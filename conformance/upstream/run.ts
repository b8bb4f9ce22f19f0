// Runs upstream Kubernetes' own e2e suite (e2e.test, built from the Go module proxy by build.sh)
// against a fresh Skiff. Slow (minutes to an hour), so it is not part of `npm test`.
//
//   npm run conformance:upstream -- [--focus REGEX]... [--skip REGEX]... [--procs N] [--timeout 60m]
//                                   [--skiff DIR] [--nodes N] [--report-dir DIR] [--record] [--verbose] [--dry-run]
//                                   [--bin DIR] [--no-netns] [--subset]
//
// --focus/--skip are ginkgo regular expressions over full spec texts (default focus: \[Conformance\]).
// --skiff DIR runs Skiff from another checkout (default: this one); its HEAD commit goes in the report.
// --record writes conformance/upstream/RESULTS.md (every spec) and the upstream section of conformance/REPORT.md.
// --record-from DIR records (as --record) the summary.json of an earlier run's report directory, without running.
// --bin DIR uses e2e.test (or e2e-subset.test) and ginkgo from DIR instead of build.sh's.
// --no-netns runs without the private network namespace (for non-root use; the suite may then reach real addresses).
// --subset runs e2e-subset.test (build.sh --subset: the framework with only the spec packages CI runs, see ci.ts).
//
// Steps: (1) build.sh builds e2e.test and ginkgo once into ~/.cache/skiff-e2e (network needed);
// (2) as root, the rest re-runs itself inside a private network namespace that has only loopback
// (`unshare -n`, then `ip link set lo up`), so neither the suite nor Skiff can reach any other address;
// (3) starts `skiff serve --in-memory --port 0`, runs ginkgo with the suite against its kubeconfig,
// stops Skiff; (4) reads ginkgo's JSON report and writes summary.json next to it, then prints
// every executed spec with its state and, for failures, the failure message.
// Exit status: 0 when no executed spec failed, 1 otherwise, 2 on a usage or set-up error.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, reportSection, resultsMarkdown, spliceSection, summarize } from './report.ts';
import type { Summary } from './report.ts';

const HERE = import.meta.dirname;
const ROOT = dirname(dirname(HERE));
const CACHE = process.env.SKIFF_E2E_CACHE ?? join(homedir(), '.cache', 'skiff-e2e');

interface Options {
  focus: string[];
  skip: string[];
  procs: number;
  timeout: string;
  skiff: string;
  nodes: number;
  reportDir: string;
  verbose: boolean;
  dryRun: boolean;
  record: boolean;
  netns: boolean;
  inner: boolean;
  bin?: string;
  recordFrom?: string;
  /** The suite binary: e2e.test, or e2e-subset.test with --subset. */
  suite: string;
}

function die(msg: string): never {
  process.stderr.write(`conformance:upstream: ${msg}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      focus: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      procs: { type: 'string' },
      timeout: { type: 'string' },
      skiff: { type: 'string' },
      nodes: { type: 'string' },
      'report-dir': { type: 'string' },
      verbose: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      record: { type: 'boolean' },
      'no-netns': { type: 'boolean' },
      inner: { type: 'boolean' },
      bin: { type: 'string' },
      'record-from': { type: 'string' },
      subset: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (v.help) {
    const head = readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//'));
    process.stdout.write(head.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    process.exit(0);
  }
  const int = (name: string, s: string | undefined, dflt: number, max: number): number => {
    if (s === undefined) return dflt;
    if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > max) die(`--${name} must be an integer from 1 to ${max}, got ${JSON.stringify(s)}`);
    return Number(s);
  };
  const timeout = v.timeout ?? '60m';
  if (!/^\d+(h|m|s)$/.test(timeout)) die(`--timeout must look like 90m, 2h or 600s, got ${JSON.stringify(timeout)}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    focus: v.focus?.length ? v.focus : ['\\[Conformance\\]'],
    skip: v.skip ?? [],
    procs: int('procs', v.procs, 1, 64),
    timeout,
    skiff: resolve(v.skiff ?? ROOT),
    nodes: int('nodes', v.nodes, 2, 100),
    reportDir: resolve(v['report-dir'] ?? join(CACHE, 'runs', stamp)),
    verbose: !!v.verbose,
    dryRun: !!v['dry-run'],
    record: !!v.record,
    netns: !v['no-netns'],
    inner: !!v.inner,
    bin: v.bin,
    recordFrom: v['record-from'],
    suite: v.subset ? 'e2e-subset.test' : 'e2e.test',
  };
}

/** Step 1: e2e.test and ginkgo, built once (build.sh prints their directory on its last line). */
function buildSuite(suite: string): string {
  process.stderr.write(`conformance:upstream: checking the ${suite} build (a first build takes ~10 minutes)\n`);
  const args = [join(HERE, 'build.sh'), ...(suite === 'e2e.test' ? [] : ['--subset'])];
  const r = spawnSync('bash', args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) die(`build.sh failed (exit ${r.status})`);
  const dir = r.stdout.trim().split('\n').pop()!;
  if (!existsSync(join(dir, suite)) || !existsSync(join(dir, 'ginkgo'))) die(`build.sh reported ${dir}, which lacks ${suite} or ginkgo`);
  return dir;
}

/** Step 2: re-run this script inside a new network namespace with only loopback up. */
function reexecIsolated(opts: Options, bin: string, argv: string[]): never {
  if (process.getuid?.() !== 0) die('a private network namespace needs root (unshare -n); run as root or pass --no-netns');
  const inner = [process.execPath, ...process.execArgv, new URL(import.meta.url).pathname, ...argv,
    '--inner', '--bin', bin, '--report-dir', opts.reportDir];
  const quoted = inner.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('unshare', ['-n', '--', 'sh', '-c', `ip link set lo up && exec ${quoted}`], { stdio: 'inherit' });
  if (r.error) die(`unshare: ${r.error.message}`);
  process.exit(r.status ?? 1);
}

/** Interfaces other than loopback that are up: there must be none inside the namespace. */
function checkIsolation(): void {
  const r = spawnSync('ip', ['-o', 'link', 'show', 'up'], { encoding: 'utf8' });
  if (r.status !== 0) die(`ip link show: ${r.stderr}`);
  const others = r.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[1]?.trim()).filter((n) => n && n !== 'lo');
  if (others.length) die(`not isolated: interfaces up besides loopback: ${others.join(', ')}`);
  const lo = spawnSync('ip', ['-o', 'addr', 'show', 'lo'], { encoding: 'utf8' });
  if (!/127\.0\.0\.1/.test(lo.stdout)) die('loopback has no 127.0.0.1 inside the namespace');
}

interface RunningSkiff { url: string; kubeconfig: string; commit: string; stop(): Promise<void> }

/** Step 3a: a fresh in-memory Skiff from opts.skiff, logging to skiff.log in the report directory. */
async function startSkiff(opts: Options): Promise<RunningSkiff> {
  const entry = join(opts.skiff, 'bin', 'skiff.js');
  if (!existsSync(entry)) die(`--skiff ${opts.skiff}: no bin/skiff.js there`);
  const commit = spawnSync('git', ['-C', opts.skiff, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const dirty = spawnSync('git', ['-C', opts.skiff, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.trim();
  const dataDir = join(opts.reportDir, 'skiff');
  mkdirSync(dataDir, { recursive: true });
  const log = createWriteStream(join(opts.reportDir, 'skiff.log'));
  const child = spawn(process.execPath, ['--max-semi-space-size=16', entry, 'serve', '--in-memory', '--port', '0',
    '--nodes', String(opts.nodes), '--data-dir', dataDir], { cwd: opts.skiff, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(log);
  let out = '';
  const ready = await new Promise<RegExpMatchArray>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('skiff did not report ready within 60 s (see skiff.log)')), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      log.write(d);
      const m = out.match(/skiff ready at (\S+) in \d+ ms; kubeconfig: (\S+)/);
      if (m) { clearTimeout(timer); res(m); }
    });
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`skiff exited with ${code} before it was ready (see skiff.log)`)); });
  }).catch((e: Error) => die(e.message));
  const stop = () => new Promise<void>((res) => {
    if (child.exitCode !== null) return res();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', () => { clearTimeout(kill); log.end(); res(); });
    child.kill('SIGTERM');
  });
  return { url: ready[1], kubeconfig: ready[2], commit: dirty ? `${commit} (with uncommitted changes)` : commit, stop };
}

function ginkgoArgs(opts: Options, bin: string, kubeconfig: string): string[] {
  const kubectl = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  if (!kubectl) die('kubectl must be on PATH (the suite runs it)');
  return [
    `--procs=${opts.procs}`, `--timeout=${opts.timeout}`, '--no-color', '--keep-going', '--silence-skips',
    ...opts.focus.map((f) => `--focus=${f}`), ...opts.skip.map((s) => `--skip=${s}`),
    ...(opts.dryRun ? ['--dry-run'] : []),
    `--output-dir=${opts.reportDir}`, '--json-report=report.json', '--junit-report=junit.xml',
    join(bin, opts.suite), '--',
    `--kubeconfig=${kubeconfig}`, '--provider=local', `--kubectl-path=${kubectl}`,
    `--report-dir=${join(opts.reportDir, 'e2e')}`, '--system-pods-startup-timeout=30s', '--node-schedulable-timeout=30s',
    '--allowed-not-ready-nodes=0', '--disable-log-dump',
  ];
}

/** Step 3b: ginkgo, with its console output in ginkgo.log (and on the terminal with --verbose). */
function runGinkgo(opts: Options, bin: string, kubeconfig: string): Promise<number> {
  const log = createWriteStream(join(opts.reportDir, 'ginkgo.log'));
  const child = spawn(join(bin, 'ginkgo'), ginkgoArgs(opts, bin, kubeconfig), {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  let done = 0;
  const onData = (d: Buffer) => {
    log.write(d);
    if (opts.verbose) process.stdout.write(d);
    else {
      // ginkgo prints "•" for each finished spec (alone when it passed, before "[FAILED]" and the like otherwise).
      done += (d.toString('utf8').match(/•/g) ?? []).length;
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const tick = opts.verbose ? undefined : setInterval(() => process.stderr.write(`conformance:upstream: running (${done} specs finished)\n`), 60_000);
  return new Promise((res) => {
    child.on('exit', (code) => { if (tick) clearInterval(tick); log.end(); res(code ?? 1); });
  });
}

async function inner(opts: Options): Promise<void> {
  if (!opts.bin) die('--inner needs --bin');
  if (opts.netns) checkIsolation();
  mkdirSync(opts.reportDir, { recursive: true });
  const skiff = await startSkiff(opts);
  process.stderr.write(`conformance:upstream: skiff ${skiff.commit} at ${skiff.url}; reports in ${opts.reportDir}\n`);
  const started = new Date();
  let code: number;
  try {
    code = await runGinkgo(opts, opts.bin, skiff.kubeconfig);
  } finally {
    await skiff.stop();
  }
  const reportPath = join(opts.reportDir, 'report.json');
  if (!existsSync(reportPath)) die(`ginkgo exited with ${code} and wrote no report; see ${join(opts.reportDir, 'ginkgo.log')}`);
  const summary = summarize(JSON.parse(readFileSync(reportPath, 'utf8')), {
    skiffCommit: skiff.commit, focus: opts.focus, skip: opts.skip, procs: opts.procs,
    started: started.toISOString(), finished: new Date().toISOString(),
  });
  writeFileSync(join(opts.reportDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (opts.record && !opts.dryRun) record(summary);
  process.stdout.write(formatSummary(summary) + `\nreports: ${opts.reportDir}/{summary.json,report.json,junit.xml,ginkgo.log,skiff.log}\n`);
  process.exit(summary.counts.failed > 0 ? 1 : 0);
}

/** --record: the per-spec table and the section of conformance/REPORT.md, in the checkout of this script. */
function record(summary: Summary): void {
  writeFileSync(join(HERE, 'RESULTS.md'), resultsMarkdown(summary));
  const reportPath = join(ROOT, 'conformance', 'REPORT.md');
  const current = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '# Skiff conformance report\n';
  writeFileSync(reportPath, spliceSection(current, reportSection(summary, 'upstream/RESULTS.md')));
  process.stderr.write(`conformance:upstream: wrote ${join(HERE, 'RESULTS.md')} and the upstream section of ${reportPath}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts = parseOptions(argv);
  if (opts.inner) return inner(opts);
  if (opts.recordFrom) {
    const file = join(resolve(opts.recordFrom), 'summary.json');
    if (!existsSync(file)) die(`--record-from: no summary.json in ${opts.recordFrom}`);
    // Summarized again from ginkgo's report, so a summary.json from an older runner gets today's fields.
    const old = JSON.parse(readFileSync(file, 'utf8')) as Summary;
    const ginkgoReport = join(resolve(opts.recordFrom), 'report.json');
    record(existsSync(ginkgoReport) ? summarize(JSON.parse(readFileSync(ginkgoReport, 'utf8')), {
      skiffCommit: old.skiffCommit, focus: old.focus, skip: old.skip, procs: old.procs, started: old.started, finished: old.finished,
    }) : old);
    return;
  }
  const bin = opts.bin ? resolve(opts.bin) : buildSuite(opts.suite);
  if (opts.netns) reexecIsolated(opts, bin, argv);
  await inner({ ...opts, bin });
}

await main();
