// Warnings raised deep inside a request (admission of a custom object: ratcheted CEL failures) that
// must reach the response as `Warning: 299 - "…"` headers. The HTTP layer runs a request inside
// `collectWarnings`; code anywhere below it calls `warn`. Outside a request, warnings are dropped.
import { AsyncLocalStorage } from 'node:async_hooks';

interface Sink { seen: Set<string>; emit: (text: string) => void }

const store = new AsyncLocalStorage<Sink>();

/** Runs `fn` with a sink that hands each distinct warning text to `emit`. */
export function collectWarnings<T>(emit: (text: string) => void, fn: () => T): T {
  return store.run({ seen: new Set(), emit }, fn);
}

/** Sends a warning to the current request, once per text. */
export function warn(text: string): void {
  const s = store.getStore();
  if (!s || s.seen.has(text)) return;
  s.seen.add(text);
  s.emit(text);
}
