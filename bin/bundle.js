// The checkout's bundle of the `skiff` command (built by scripts/bundle.ts): whether the last one still
// matches the sources, and building a new one in the background when it does not. Plain JavaScript: it
// runs before any TypeScript loads (see launch.js).
//
// node_modules/.cache/skiff-bundle/current-<checkout path>.json names the bundle's directory and the modification
// time of every file it was made from; the bundle is current while none of them changed (~330 stats,
// a few ms). Each build goes to a new directory, so a server still running from an older bundle keeps
// its lazily loaded chunks; directories not used for a week are removed.
import { join } from 'node:path';

// As a CommonJS object, not an ES module import (see launch.js).
const { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } = process.getBuiltinModule('node:fs');

export const ROOT = join(import.meta.dirname, '..');
export const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'skiff-bundle');
// Named after the checkout: checkouts that share node_modules (git worktrees) each keep their own.
const CHECKOUT = ROOT.replace(/[^A-Za-z0-9]+/g, '-');
export const MANIFEST = join(CACHE_DIR, `current${CHECKOUT}.json`);
export const LOCK = join(CACHE_DIR, `build${CHECKOUT}.lock`);
const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * The bundled entry when it matches the sources: { entry }; { entry: undefined } when there is none or
 * it is stale (the caller runs the sources and calls rebuild()); undefined when SKIFF_BUNDLE=0 (e.g. for
 * stack traces naming the source files).
 */
export function currentBundle() {
  if (process.env.SKIFF_BUNDLE === '0') return undefined;
  let m;
  try { m = JSON.parse(readFileSync(MANIFEST, 'utf8')); } catch { return { entry: undefined }; }
  for (const [file, mtimeMs] of Object.entries(m.inputs ?? {})) {
    if (statSync(file, { throwIfNoEntry: false })?.mtimeMs !== mtimeMs) return { entry: undefined };
  }
  const dir = join(CACHE_DIR, String(m.dir));
  const entry = join(dir, 'cli-main.mjs');
  if (!existsSync(entry)) return { entry: undefined };
  // Marks the bundle as in use (prune() keeps it).
  try { const now = new Date(); utimesSync(dir, now, now); } catch { /* read-only: fine */ }
  return { entry };
}

/**
 * Build a new bundle in a detached, low-priority process that outlives this one; one build at a time
 * (a lock younger than two minutes means one is under way). Nothing happens when esbuild is not
 * installed (a production install of a checkout) or SKIFF_BUNDLE=0.
 */
export function rebuild() {
  if (process.env.SKIFF_BUNDLE === '0') return;
  const script = join(ROOT, 'scripts', 'bundle.ts');
  if (!existsSync(join(ROOT, 'node_modules', 'esbuild')) || !existsSync(script)) return;
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs < 120_000) return;
    rmSync(LOCK, { force: true });
    closeSync(openSync(LOCK, 'wx'));
  } catch { return; } // read-only, or another process took the lock first
  prune();
  // node:child_process is loaded here only: importing it costs a start ~10 ms.
  const child = process.getBuiltinModule('node:child_process').spawn(process.execPath, [script, '--checkout'], { cwd: ROOT, detached: true, stdio: 'ignore' });
  try { process.getBuiltinModule('node:os').setPriority(child.pid, 19); } catch { /* not allowed: fine */ }
  child.unref();
}

/** Remove bundle directories not used for a week. */
function prune() {
  let names;
  try { names = readdirSync(CACHE_DIR); } catch { return; }
  for (const n of names) {
    const p = join(CACHE_DIR, n);
    try { if (n.startsWith('b') && Date.now() - statSync(p).mtimeMs > WEEK_MS) rmSync(p, { recursive: true, force: true }); } catch { /* gone meanwhile */ }
  }
}
