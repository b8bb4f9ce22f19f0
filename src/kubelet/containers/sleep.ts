// Sleeping on the injected clock: what `sleep` in a container and ProgramIO.sleep do. Resolves
// early (never rejects) when the signal aborts, so a stopped container's interpreter moves on.
import type { Clock } from '../../clock.ts';

export const clockSleep = (clock: Clock) => (ms: number, signal?: AbortSignal): Promise<void> => new Promise<void>((resolve) => {
  if (signal?.aborted) { resolve(); return; }
  const done = () => { t.cancel(); signal?.removeEventListener('abort', done); resolve(); };
  const t = clock.setTimeout(done, Math.max(0, ms));
  signal?.addEventListener('abort', done, { once: true });
});
