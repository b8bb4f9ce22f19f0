// The Dockerfile cannot be built here (no base images), so it is kept honest by reading it: every file
// it copies from the build context exists, the package it installs provides the path it runs, it runs
// as a non-root user with a HEALTHCHECK on /readyz, and it tells the user how to get the kubeconfig.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with continuation lines joined and comments dropped. */
const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

test('every COPY from the build context names files that exist', () => {
  const copies = lines.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l));
  assert.ok(copies.length >= 3);
  for (const l of copies) {
    const parts = l.split(/\s+/).slice(1).filter((p) => !p.startsWith('--'));
    for (const src of parts.slice(0, -1)) assert.ok(existsSync(join(ROOT, src)), `Dockerfile copies ${src}, which does not exist`);
  }
});

test('the build stage builds what package.json says, and the image runs the installed bin', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.match(pkg.scripts.prepack, /build/);
  assert.match(pkg.scripts.build, /scripts\/build\.ts/);
  for (const f of pkg.files) if (f !== 'dist/') assert.ok(lines.some((l) => l.startsWith('COPY') && l.includes(f.replace(/\/$/, ''))), `the build stage lacks ${f}`);
  const entry = lines.find((l) => l.startsWith('ENTRYPOINT'))!;
  const bin = new RegExp(`/usr/local/lib/node_modules/${pkg.name}/(\\S+?\\.js)`).exec(entry);
  assert.ok(bin, 'ENTRYPOINT runs the globally installed package');
  assert.equal(bin[1], pkg.bin.skiff, 'and the file is the package\'s skiff bin');
  assert.ok(existsSync(join(ROOT, bin[1])));
  assert.match(entry, /skiff kubeconfig/, 'serve says how to get the kubeconfig');
  assert.match(text, /npm install --global --omit=dev/);
});

test('non-root, a HEALTHCHECK on /readyz, the port and the data volume', () => {
  const user = lines.filter((l) => l.startsWith('USER ')).at(-1);
  assert.ok(user && !/\broot\b|\b0\b/.test(user), `runs as ${user}`);
  assert.ok(lines.some((l) => l.startsWith('HEALTHCHECK') && l.includes('/readyz') && l.includes('6443')));
  assert.ok(lines.includes('EXPOSE 6443'));
  assert.ok(lines.some((l) => l.startsWith('VOLUME') && l.includes('/data')));
  assert.ok(lines.some((l) => l.includes('SKIFF_DATA_DIR=/data')));
});

test('the build stage copies every script scripts/build.ts imports (npm pack runs it there)', () => {
  const build = readFileSync(join(ROOT, 'scripts', 'build.ts'), 'utf8');
  const imports = [...build.matchAll(/from '\.\/([^']+)'/g)].map((m) => `scripts/${m[1]}`);
  assert.ok(imports.includes('scripts/bundle.ts'), `build.ts imports ${imports.join(', ')}`);
  const copied = lines.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
  for (const f of imports) assert.ok(copied.includes(f) || copied.includes('scripts') || copied.includes('scripts/'), `the build stage lacks ${f}`);
});
