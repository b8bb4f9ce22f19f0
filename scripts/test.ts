// `npm test`: typecheck, unit and integration tests (node:test), then the conformance suites
// driven by real clients, then a fast subset of upstream's own e2e conformance specs
// (conformance/upstream/ci.ts; its Go build starts at once in the background, niced, so it overlaps
// the other stages; SKIFF_SKIP_UPSTREAM_E2E=1 skips it). Ends with the conformance runner's summary line.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (f.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

function run(what: string, cmd: string, args: string[]): number {
  process.stdout.write(`\n== ${what}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  process.stdout.write(`== ${what}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return r.status ?? 1;
}

const startedAt = Date.now();
let failed = 0;
const upstreamE2E = !process.env.SKIFF_SKIP_CONFORMANCE && !process.env.SKIFF_SKIP_UPSTREAM_E2E;
// The upstream subset's build (Go, minutes on a fresh machine) runs while the other stages do.
const buildLog = join(mkdtempSync(join(tmpdir(), 'skiff-e2e-build-')), 'build.log');
const build = upstreamE2E ? (() => {
  const fd = openSync(buildLog, 'w');
  const child = spawn(process.execPath, [join('conformance', 'upstream', 'ci.ts'), '--build-only'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return new Promise<number>((res) => { child.on('exit', (code) => res(code ?? 1)); child.on('error', () => res(2)); });
})() : undefined;
failed += run('typecheck', process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']) ? 1 : 0;
const files = testFiles('test');
// Dots on the terminal; a TAP copy gives the counts for the summary line.
let unitSummary = '';
const tap = join(mkdtempSync(join(tmpdir(), 'skiff-test-')), 'unit.tap');
failed += run(`unit and integration tests (${files.length} files)`, process.execPath, ['--test', '--test-concurrency=2',
  '--test-reporter=dot', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]) ? 1 : 0;
if (existsSync(tap)) {
  const text = readFileSync(tap, 'utf8');
  const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  unitSummary = `unit and integration: ${count('pass')} passed, ${count('fail')} failed, ${count('todo')} todo, ${count('skipped')} skipped`;
  process.stdout.write(unitSummary + '\n');
}
if (!process.env.SKIFF_SKIP_CONFORMANCE) {
  // The package as users install it (npm pack → fresh project), and controller-runtime's envtest on Skiff.
  failed += run('package and envtest (conformance/package.test.ts, conformance/envtest.test.ts)', process.execPath,
    ['--test', '--test-concurrency=1', join('conformance', 'package.test.ts'), join('conformance', 'envtest.test.ts')]) ? 1 : 0;
}
// The web view's browser test measures frame times at 1,000 nodes (printed, never asserted).
const uiFigures = join('test-artifacts', 'ui', 'figures.txt');
if (existsSync(uiFigures) && statSync(uiFigures).mtimeMs > startedAt) process.stdout.write(`\n== web view figures (test/ui/web-view.test.ts)\n${readFileSync(uiFigures, 'utf8')}`);
if (existsSync(join('conformance', 'run.ts')) && !process.env.SKIFF_SKIP_CONFORMANCE) {
  failed += run('conformance (real clients)', process.execPath, [join('conformance', 'run.ts')]) ? 1 : 0;
}
if (build) {
  process.stdout.write('\n== upstream e2e subset: waiting for its build (conformance/upstream/build.sh --subset)\n');
  const t0 = Date.now();
  const code = await build;
  process.stdout.write(readFileSync(buildLog, 'utf8').split('\n').filter((l) => l.startsWith('build.sh:')).join('\n') + '\n');
  if (code !== 0) {
    process.stdout.write(`${readFileSync(buildLog, 'utf8').slice(-3000)}\n== upstream e2e subset: FAILED (its build exited ${code}; log ${buildLog}) after ${((Date.now() - t0) / 1000).toFixed(1)} s more\n`);
    failed++;
  } else {
    failed += run('upstream e2e subset (conformance/upstream/ci.ts)', process.execPath, [join('conformance', 'upstream', 'ci.ts')]) ? 1 : 0;
  }
}
if (unitSummary) process.stdout.write(`\n${unitSummary} (the conformance runner's summary is above)`);
process.stdout.write(failed ? `\nnpm test: ${failed} stage(s) failed\n` : '\nnpm test: all stages passed\n');
process.exit(failed ? 1 : 0);
