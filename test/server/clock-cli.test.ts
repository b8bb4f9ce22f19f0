// `skiff clock advance` from the command line: a negative duration reaches the server's own check
// instead of being taken for a flag by the argument parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server.ts';
import { RealClock } from '../../src/clock.ts';
import { clockRequest } from '../../src/cli-clock.ts';
import { parseDuration } from '../../src/api/clock-route.ts';

function skiff(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('negative durations and seconds are arguments, sent to the server as they are', () => {
  assert.equal(parseDuration('-5s'), -5000);
  assert.equal(parseDuration('+1m'), 60_000);
  assert.equal(parseDuration('--5s'), undefined);
  assert.deepEqual(clockRequest(['advance', '-5s']), { method: 'POST', path: '/skiff/v1/clock/advance', body: { duration: '-5s' } });
  assert.deepEqual(clockRequest(['advance', '-5']), { method: 'POST', path: '/skiff/v1/clock/advance', body: { seconds: -5 } });
});

test('skiff clock advance -5s / -5 get the server\'s "only moves forward" error; the clock stays put', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-clock-cli-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const clock = new RealClock(1);
  const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: kubeconfig, controllers: false, clock });
  try {
    const before = clock.now();
    for (const arg of ['-5s', '-5', '-1h30m']) {
      const r = await skiff(['clock', 'advance', arg, '--kubeconfig', kubeconfig]);
      assert.equal(r.code, 2, `${arg}: ${r.stderr}`);
      assert.match(r.stderr, /^skiff: the clock only moves forward: the advance must not be negative\n$/, arg);
    }
    assert.ok(clock.now() - before < 3_600_000, 'no advance happened');
    const ok = await skiff(['clock', 'advance', '2h', '--kubeconfig', kubeconfig]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^now: \S+ {2}scale: 1\n$/);
    assert.ok(clock.now() - before >= 7_200_000);
    // A negative value for a flag reaches that flag's own check too.
    const port = await skiff(['serve', '--port', '-1', '--in-memory']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be an integer from 0 to 65535, got "-1"/);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
