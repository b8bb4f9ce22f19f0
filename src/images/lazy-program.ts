// A program whose module loads on its first run (the catalogue costs nothing at start-up), once: a
// dynamic import() of a module already loaded still goes through the loader's resolution every time
// (about 0.3 ms, which every pod a catalogue image runs in would pay). A failed load is tried again
// on the next run.
import type { Program } from './types.ts';

export function lazyProgram(load: () => Promise<Program>): Program {
  let loaded: Promise<Program> | undefined;
  return async (io) => (await (loaded ??= load().catch((e) => { loaded = undefined; throw e; })))(io);
}
