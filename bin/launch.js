// Starts one of Skiff's entry modules. In a checkout (src/ present) it runs the TypeScript sources
// directly (Node >= 22.18 strips types); the published package carries no sources but the compiled
// JavaScript in dist/ (Node strips types only outside node_modules), built by `npm pack`.
// Plain JavaScript, so that the Node version is checked before any TypeScript loads (an old Node
// prints one line, not a stack trace about the `.ts` extension) and so that Node's compile cache (which
// keeps the stripped TypeScript and V8 code between runs) is on before the first .ts file loads: with
// a .ts entry, Node must load its TypeScript stripper (amaro, ~100 ms) just for the entry file.
// The `skiff` command itself runs from a bundle when there is one for the current sources or in the
// package (bin/bundle.js, scripts/bundle.ts): ~15 files to resolve and link instead of ~330.
import module from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMPILED_MIN, SOURCES_MIN, requireNode } from './node-version.js';

// node:fs as its CommonJS object: an ES module import of it reads every export, and its `promises`
// and `ReadStream` getters load fs/promises, readline and the file streams (~2 ms). A Node without
// getBuiltinModule is too old for Skiff and only gets as far as requireNode's message.
const { existsSync } = process.getBuiltinModule?.('node:fs') ?? await import('node:fs');

/** `name`: the module under src/ without extension, e.g. 'cli-main'. */
export async function launch(name) {
  const sources = new URL('../src/' + name + '.ts', import.meta.url);
  const fromSources = existsSync(sources);
  requireNode(fromSources ? SOURCES_MIN : COMPILED_MIN, fromSources ? 'running the TypeScript sources' : 'Skiff');
  if (name !== 'cli-main') {
    enableCompileCache();
    await import(fromSources ? sources.href : new URL('../dist/' + name + '.js', import.meta.url).href);
  } else if (fromSources) {
    const { currentBundle, rebuild } = await import('./bundle.js');
    const b = currentBundle();
    if (b?.entry) await importBundle(b.entry);
    else {
      enableCompileCache();
      await import(sources.href);
      // After the command is done (for `serve`, once it is ready): the next start has the bundle.
      if (b) rebuild();
    }
  } else {
    const bundled = new URL('../dist/bundle/cli-main.mjs', import.meta.url);
    if (existsSync(bundled) && process.env.SKIFF_BUNDLE !== '0') await importBundle(fileURLToPath(bundled));
    else {
      enableCompileCache();
      await import(new URL('../dist/cli-main.js', import.meta.url).href);
    }
  }
}

/**
 * Node's compile cache: the V8 code of each file loaded, kept between runs. A bundle's goes beside its
 * chunks (`dir`/.node-compile-cache) where that can be written: Node never removes entries, and each
 * bundle a checkout builds (one per edit of the sources) is a new set of files, whose entries
 * accumulated in the shared default directory (<tmpdir>/node-compile-cache: ~600 MB after a day of
 * work); beside the bundle, they go when bin/bundle.js prunes it. Otherwise (the sources, other
 * commands, a read-only install) the default directory.
 */
function enableCompileCache(dir) {
  if (!module.enableCompileCache) return;
  if (dir && module.enableCompileCache(join(dir, '.node-compile-cache')).status !== module.constants.compileCacheStatus.FAILED) return;
  module.enableCompileCache();
}

/** The bundle's entry (a path), its imports of its own chunks resolved by bundle-resolve.js. */
async function importBundle(entry) {
  enableCompileCache(dirname(entry));
  const { resolveChunksIn } = await import('./bundle-resolve.js');
  const base = resolveChunksIn(dirname(entry));
  await import(base ? base + basename(entry) : pathToFileURL(entry).href);
}
