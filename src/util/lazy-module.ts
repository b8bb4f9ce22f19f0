// A module imported on first use rather than at start-up (the README's "code the first request does
// not need loads on first use"). `get()` is synchronous for the synchronous code paths that need it:
// the first call loads the module with require() (Node loads an ES module graph synchronously when it
// has no top-level await); `load()` imports it ahead of time with import(), so an async caller (the
// CRD controller establishing a CRD) can keep that cost off the request path. Both share Node's module
// cache: the module is evaluated once.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const COMPILED = import.meta.url.endsWith('.js');

export interface LazyModule<T> {
  get(): T;
  load(): Promise<T>;
}

/** `url` is the module's URL (`new URL('./x.ts', import.meta.url)`); `dynamic` imports the same module. */
export function lazyModule<T>(url: URL, dynamic: () => Promise<T>): LazyModule<T> {
  // In the compiled package (dist/, see scripts/build.ts) this file is lazy-module.js and the module
  // named `x.ts` in the sources is `x.js` beside it.
  if (COMPILED) url = new URL(url.href.replace(/\.ts$/, '.js'));
  let mod: T | undefined;
  return {
    get() {
      return (mod ??= createRequire(url)(fileURLToPath(url)) as T);
    },
    async load() {
      return (mod ??= await dynamic());
    },
  };
}
