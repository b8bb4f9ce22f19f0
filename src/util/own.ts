// Writing object keys that come from request data. `o[k] = v` with k === '__proto__' would replace the
// object's prototype instead of storing the key (and reading `o[k]` may find an inherited value), so
// keys from bodies are written as own data properties and read only when own.

/** Sets an own, enumerable data property, also for `__proto__`. */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** The value of an own property, or undefined (never an inherited one such as `constructor`). */
export function getOwn(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}
