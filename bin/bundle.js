// The checkout's bundle of the `skiff` command (built by scripts/bundle.ts): where it is, whether it
// matches the sources, and building it in the background when it does not. Plain JavaScript: it runs
// before any TypeScript loads (see launch.js).
//
// Each build goes to its own directory named by the sources' key (every file under src/ by path,
// size and modification time, plus package.json and the bundler), so a server still running from an
// older bundle keeps its lazily loaded chunks; directories unused for a week are removed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'skiff-bundle');
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** A short hash of what the bundle is made from. */
export function sourcesKey() {
  const h = createHash('sha256');
  const add = (p) => { const s = statSync(p); h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`); };
  for (const e of readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
    if (e.isFile()) add(join(e.parentPath, e.name));
  }
  add(join(ROOT, 'package.json'));
  add(join(ROOT, 'scripts', 'bundle.ts'));
  return h.digest('hex').slice(0, 16);
}

/** The bundle's directory for `key`. */
export const bundleDir = (key) => join(CACHE_DIR, key);

/**
 * The bundled entry for the current sources, or undefined (then the caller runs the sources and
 * calls rebuild()). SKIFF_BUNDLE=0 turns the bundle off (e.g. for stack traces naming source files).
 */
export function currentBundle() {
  if (process.env.SKIFF_BUNDLE === '0') return undefined;
  let key;
  try { key = sourcesKey(); } catch { return undefined; }
  const entry = join(bundleDir(key), 'cli-main.js');
  if (!existsSync(entry)) return { key, entry: undefined };
  // Marks the bundle as in use (prune() keeps it).
  try { const now = new Date(); utimesSync(bundleDir(key), now, now); } catch { /* read-only: fine */ }
  return { key, entry };
}

/**
 * Build the bundle for `key` in a detached, low-priority process that outlives this one; one build per
 * key at a time (a lock file younger than two minutes means one is under way). Nothing happens when
 * esbuild is not installed (a production install of a checkout) or SKIFF_BUNDLE=0.
 */
export function rebuild(key) {
  if (process.env.SKIFF_BUNDLE === '0') return;
  if (!existsSync(join(ROOT, 'node_modules', 'esbuild')) || !existsSync(join(ROOT, 'scripts', 'bundle.ts'))) return;
  const lock = join(CACHE_DIR, `${key}.lock`);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs < 120_000) return;
    rmSync(lock, { force: true });
    closeSync(openSync(lock, 'wx'));
  } catch { return; } // read-only, or another process took the lock first
  prune(key);
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'bundle.ts'), key], { cwd: ROOT, detached: true, stdio: 'ignore' });
  try { setPriority(child.pid, 19); } catch { /* not allowed: fine */ }
  child.unref();
}

/** Remove bundles (and stale locks) of other keys not used for a week. */
function prune(keep) {
  let names;
  try { names = readdirSync(CACHE_DIR); } catch { return; }
  for (const n of names) {
    if (n.startsWith(keep)) continue;
    const p = join(CACHE_DIR, n);
    try { if (Date.now() - statSync(p).mtimeMs > WEEK_MS) rmSync(p, { recursive: true, force: true }); } catch { /* gone meanwhile */ }
  }
}
