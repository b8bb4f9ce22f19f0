// Starts one of Skiff's entry modules. In a checkout (src/ present) it runs the TypeScript sources
// directly (Node >= 22.18 strips types); the published package carries no sources but the compiled
// JavaScript in dist/ (Node strips types only outside node_modules), built by `npm pack`.
// Plain JavaScript, so that the Node version is checked before any TypeScript loads (an old Node
// prints one line, not a stack trace about the `.ts` extension) and so that Node's compile cache (which
// keeps the stripped TypeScript and V8 code between runs) is on before the first .ts file loads: with
// a .ts entry, Node must load its TypeScript stripper (amaro, ~100 ms) just for the entry file.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { COMPILED_MIN, SOURCES_MIN, requireNode } from './node-version.js';

/** `name`: the module under src/ without extension, e.g. 'cli-main'. */
export async function launch(name) {
  const sources = new URL('../src/' + name + '.ts', import.meta.url);
  const fromSources = existsSync(sources);
  requireNode(fromSources ? SOURCES_MIN : COMPILED_MIN, fromSources ? 'running the TypeScript sources' : 'Skiff');
  module.enableCompileCache?.();
  await import(fromSources ? sources.href : new URL('../dist/' + name + '.js', import.meta.url).href);
}
