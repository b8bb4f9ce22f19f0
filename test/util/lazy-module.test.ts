// util/lazy-module: a module loaded on first use, synchronously (get) or ahead of time (load), once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lazyModule } from '../../src/util/lazy-module.ts';

test('get() loads the module synchronously on first use, and load() answers the same instance', async () => {
  const m = lazyModule(new URL('../../src/util/own.ts', import.meta.url), () => import('../../src/util/own.ts'));
  const sync = m.get();
  assert.equal(typeof sync.setOwn, 'function');
  assert.equal(m.get(), sync);
  assert.equal(await m.load(), sync);
  assert.equal(sync, await import('../../src/util/own.ts'), 'one module instance, shared with import()');
});

test('load() first, then get() answers what load() imported', async () => {
  const m = lazyModule(new URL('../../src/util/deep-equal.ts', import.meta.url), () => import('../../src/util/deep-equal.ts'));
  const loaded = await m.load();
  assert.equal(m.get(), loaded);
});

test('a module that does not exist fails on use, not at definition', async () => {
  const m = lazyModule(new URL('./no-such-module.ts', import.meta.url), () => import(new URL('./no-such-module.ts', import.meta.url).href));
  assert.throws(() => m.get(), /Cannot find module/);
  await assert.rejects(m.load());
});
