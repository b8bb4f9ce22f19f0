// controller-runtime's envtest against Skiff: writes the stand-ins with `skiff envtest-assets`, then runs
// the unchanged envtest suite in conformance/go-envtest (`go test` with KUBEBUILDER_ASSETS). The Go module
// and build caches keep later runs short; without a Go toolchain the test skips, saying so.
// The suite prints ENVTEST-TIMING lines (Start(), each test, Stop()); they are echoed as diagnostics.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

it('an unchanged envtest suite passes against skiff envtest-assets (reconciler, GC, namespace deletion)', { timeout: 900_000 }, (t) => {
  const go = process.env.GO ?? 'go';
  if (spawnSync(go, ['version'], { encoding: 'utf8' }).status !== 0) return t.skip('no Go toolchain on PATH (set GO=/path/to/go)');
  const assets = mkdtempSync(join(tmpdir(), 'skiff-envtest-assets-'));
  try {
    const w = spawnSync(process.execPath, [join(ROOT, 'bin', 'skiff.js'), 'envtest-assets', assets], { encoding: 'utf8' });
    assert.equal(w.status, 0, w.stderr);
    const r = spawnSync(go, ['test', '-count=1', '-v', './...'], {
      cwd: join(ROOT, 'conformance', 'go-envtest'), encoding: 'utf8', timeout: 880_000,
      env: { ...process.env, KUBEBUILDER_ASSETS: assets },
    });
    for (const line of r.stdout.split('\n')) if (line.startsWith('ENVTEST-TIMING')) t.diagnostic(line);
    assert.equal(r.status, 0, `go test failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
    assert.match(r.stdout, /--- PASS: TestGarbageCollectionOfOwnedObjects/);
    assert.match(r.stdout, /--- PASS: TestNamespaceDeletionEmptiesAndRemovesIt/);
  } finally {
    rmSync(assets, { recursive: true, force: true });
  }
});
