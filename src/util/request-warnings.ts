// Warnings raised deep inside a request (admission of a custom object: ratcheted CEL failures) that
// must reach the response as `Warning: 299 - "…"` headers. The HTTP layer runs a request inside
// `collectWarnings`; code anywhere below it calls `warn`. Outside a request, warnings are dropped.
// Inside an authenticated request the sink rides on the request's scope (request-scope.ts): no
// second AsyncLocalStorage to enter per request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { currentScope } from './request-scope.ts';

interface Sink { seen: Set<string>; emit: (text: string) => void }

const store = new AsyncLocalStorage<Sink>();

/** Runs `fn` with a sink that hands each distinct warning text to `emit`. */
export function collectWarnings<T>(emit: (text: string) => void, fn: () => T): T {
  const sink: Sink = { seen: new Set(), emit };
  const scope = currentScope();
  // A request's scope takes one sink; a nested collection (or none outside a request) gets its own storage.
  if (scope && !scope.warnings && !store.getStore()) { scope.warnings = sink; return fn(); }
  return store.run(sink, fn);
}

/** Sends a warning to the current request, once per text. */
export function warn(text: string): void {
  const s = store.getStore() ?? currentScope()?.warnings;
  if (!s || s.seen.has(text)) return;
  s.seen.add(text);
  s.emit(text);
}
