// Resolving the bundle's imports of its own chunks without Node's general resolver. The bundle's
// chunks import one another by "./chunk-XXXX.mjs" (~70 imports among the ~33 files a `serve` loads
// before ready); for each, Node's resolver turns the URL into a path, stats the file and follows
// symbolic links component by component (a checkout's node_modules may be one), ~8 ms of a start.
// Such a specifier from a file of the bundle can only name a file of the same directory, which a
// synchronous resolve hook (module.registerHooks, Node >= 22.15) answers directly, with the
// directory's real path (as Node's resolver gives: require() of a chunk, which goes through the
// CommonJS resolver, must find the same module instance). Everything else goes to Node's resolver.
// Plain JavaScript: it runs before any TypeScript loads (see launch.js).
import { pathToFileURL } from 'node:url';

const { realpathSync } = process.getBuiltinModule('node:fs');
const CHUNK = /^\.\/[\w.-]+\.mjs$/;

/** Resolve "./x.mjs" imports made by files of `dir` (an absolute path) to `dir`'s files; returns the real directory's URL, or undefined when Node has no synchronous hooks. */
export function resolveChunksIn(dir) {
  const { registerHooks } = process.getBuiltinModule('node:module');
  if (!registerHooks) return undefined;
  const base = pathToFileURL(realpathSync(dir)).href + '/';
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (CHUNK.test(specifier) && context.parentURL?.startsWith(base) && !context.parentURL.includes('/', base.length)) {
        return { url: base + specifier.slice(2), format: 'module', shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
  return base;
}
