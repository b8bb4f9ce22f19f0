// On a Node.js older than Skiff supports, `skiff`, `npm start` and `npm test` say so in one line and exit 2
// (instead of a stack trace about the `.ts` extension). The check itself is plain old JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { atLeast, COMPILED_MIN, SOURCES_MIN } from '../../bin/node-version.js';

const ROOT = join(import.meta.dirname, '..', '..');

test('version comparison', () => {
  for (const [found, min, ok] of [
    ['22.18.0', '22.18.0', true], ['v22.18.1', '22.18.0', true], ['22.17.9', '22.18.0', false], ['24.0.0', '22.18.0', true],
    ['20.20.2', '22.12.0', false], ['22.12', '22.12.0', true], ['23.0.0', '22.99.99', true], ['garbage', '22.0.0', false],
  ] as const) assert.equal(atLeast(found, min), ok, `${found} >= ${min}`);
  assert.ok(atLeast(process.versions.node, SOURCES_MIN), 'this test runs on a supported Node');
  assert.ok(atLeast(SOURCES_MIN, COMPILED_MIN), 'the compiled package needs no newer Node than the sources');
});

/** An older Node on this machine (the system's), if there is one. */
function oldNode(): string | undefined {
  for (const p of ['/usr/bin/node', '/usr/local/bin/node']) {
    const v = spawnSync(p, ['--version'], { encoding: 'utf8' });
    if (v.status === 0 && !atLeast(v.stdout.trim(), SOURCES_MIN)) return p;
  }
  return undefined;
}

test('an old Node gets one line naming the version needed and the one found, and exit 2', (t) => {
  const node = oldNode();
  if (!node) return t.skip('no Node.js older than the minimum on this machine');
  const found = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
  const want = `skiff: running the TypeScript sources needs Node.js >= ${SOURCES_MIN}, found ${found}\n`;
  for (const args of [[join(ROOT, 'bin', 'skiff.js'), '--version'], [join(ROOT, 'bin', 'skiff.js'), 'serve'], [join(ROOT, 'bin', 'node-version.js')], [join(ROOT, 'bin', 'kube-apiserver.js'), '--help']]) {
    const r: SpawnSyncReturns<string> = spawnSync(node, args as string[], { encoding: 'utf8', cwd: ROOT });
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr, want, args.join(' '));
  }
  // npm start and npm test run `node` from PATH: put the old one first.
  const dir = node.slice(0, node.lastIndexOf('/'));
  for (const script of ['start', 'test']) {
    const r = spawnSync('npm', [script], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    if (r.error) return t.skip('npm is not on PATH');
    assert.notEqual(r.status, 0, `npm ${script}`);
    assert.ok(r.stderr.includes(want.trim()), `npm ${script}: ${r.stderr}`);
    assert.ok(!/ERR_UNKNOWN_FILE_EXTENSION|at .*\.ts:/.test(r.stderr), `npm ${script} printed a stack trace: ${r.stderr}`);
  }
});
