// Bundles the `skiff` command (src/cli-main.ts) into a few ES module files with esbuild, so that a
// start resolves and links ~15 files instead of ~330 (about 60 ms of CPU, half the module cost of a
// start; see the README's start-up table). Used two ways:
//  - in a checkout, bin/launch.js runs `node scripts/bundle.ts --checkout` in the background when a
//    file the last bundle was made from changed (bin/bundle.js), and the next start uses the new one;
//    the sources run meanwhile;
//  - `npm run build` (prepack) bundles into dist/bundle/ for the published package.
// npm packages stay external (imported from node_modules as before). Code that loads on first use
// keeps doing so: each dynamic import() becomes its own chunk, and lazyModule's synchronous get()
// is pointed at that chunk (see fixLazyModules). Files read beside a module (new URL('./x',
// import.meta.url), createRequire(import.meta.url)('./x.json')) are pointed at where they are.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(import.meta.dirname, '..');

export interface BundleOptions {
  /** Where the bundle goes (emptied first). */
  outdir: string;
  /**
   * Where the files beside src/ modules are at run time: src/ itself (a checkout) or the compiled
   * package's dist/ (scripts/build.ts copies them there). Paths outside src/ (bin/, package.json)
   * keep their place relative to the package root.
   */
  assetRoot: string;
  /**
   * Refer to those files by absolute path (the checkout's bundle, which lives in node_modules/.cache
   * and may be reached through a symbolic link) rather than relative to the bundle (the package's).
   */
  absolute?: boolean;
}

const SRC = join(ROOT, 'src');
const RELATIVE_URL = /new URL\((['"])(\.{1,2}\/[^'"]*)\1,\s*import\.meta\.url\)/g;
const RELATIVE_REQUIRE = /createRequire\(import\.meta\.url\)\((['"])(\.{1,2}\/[^'"]+)\1\)/g;
const ABSOLUTE_REFS = /new URL\("(file:\/\/\/[^"]*)", import\.meta\.url\)|createRequire\(import\.meta\.url\)\("(\/[^"]+)"\)/g;

/** The path, as seen from the bundle, of `file` (an absolute path in the checkout). */
function fromBundle(o: BundleOptions, file: string, url: boolean): string {
  const atRunTime = file.startsWith(SRC + sep) || file === SRC ? join(o.assetRoot, relative(SRC, file)) : file;
  if (o.absolute) return url ? pathToFileURL(atRunTime).href : atRunTime;
  const rel = relative(o.outdir, atRunTime).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Point a module's relative file references (not its .ts imports) at their run-time place. */
function rewriteFileRefs(o: BundleOptions, path: string, text: string): string {
  const dir = dirname(path);
  const target = (rel: string, url: boolean) => fromBundle(o, resolve(dir, rel), url) + (rel.endsWith('/') ? '/' : '');
  return text
    .replace(RELATIVE_URL, (m, _q, rel: string) => (rel.endsWith('.ts') ? m : `new URL(${JSON.stringify(target(rel, true))}, import.meta.url)`))
    .replace(RELATIVE_REQUIRE, (_m, _q, rel: string) => `createRequire(import.meta.url)(${JSON.stringify(target(rel, false))})`);
}

/**
 * lazyModule(new URL('./x.ts', import.meta.url), () => import('./x.ts')): esbuild turns the import()
 * into the chunk's name and leaves the URL alone; the URL must name the same chunk, so that get()
 * (require of that ES module) and load() share one instance. Returns how many were fixed.
 */
function fixLazyModules(outdir: string): number {
  const LAZY = /new URL\("[^"]+\.ts", import\.meta\.url\),(\s*)\(\) => import\("(\.\/[^"]+\.mjs)"\)/g;
  let fixed = 0;
  for (const name of readdirSync(outdir)) {
    if (!name.endsWith('.mjs')) continue;
    const file = join(outdir, name);
    const text = readFileSync(file, 'utf8');
    const out = text.replace(LAZY, (_m, space: string, chunk: string) => { fixed++; return `new URL(${JSON.stringify(chunk)}, import.meta.url),${space}() => import(${JSON.stringify(chunk)})`; });
    if (out !== text) writeFileSync(file, out);
  }
  return fixed;
}

/**
 * A built-in module imported as an ES module gets a facade that reads every one of its exports once,
 * and some exports are getters that load more of Node: `node:fs`'s `promises` and `ReadStream` load
 * fs/promises, readline and the file streams; `node:util`'s `TextDecoder` loads worker_threads; `node:http2`
 * loads assert. Taken as CommonJS objects (process.getBuiltinModule) they load only what they use:
 * ~10 ms less CPU per start. Each static import of a built-in becomes a constant bound to the module
 * object; the chunks import one another without cycles (checked: with a cycle, a chunk could run code
 * of another before that one's constants exist), so each constant is set before any code that uses it runs.
 */
const BUILTIN_IMPORT = /^import (?:\* as ([\w$]+)|([\w$]+)(?:, \{([^}]*)\})?|\{([^}]*)\}) from "(node:[\w/]+)";$/gm;

function builtinsAsObjects(outdir: string): number {
  const files = readdirSync(outdir).filter((n) => n.endsWith('.mjs'));
  const texts = new Map(files.map((n) => [n, readFileSync(join(outdir, n), 'utf8')]));
  assertNoChunkCycle(texts);
  let rewritten = 0;
  for (const [name, text] of texts) {
    const out = text.replace(BUILTIN_IMPORT, (_m, ns: string | undefined, def: string | undefined, defNamed: string | undefined, named: string | undefined, id: string) => {
      rewritten++;
      const mod = `process.getBuiltinModule(${JSON.stringify(id)})`;
      const whole = ns ?? def;
      const names = (named ?? defNamed)?.split(',').map((x) => x.trim()).filter(Boolean).map((x) => x.replace(/^([\w$]+) as ([\w$]+)$/, '$1: $2'));
      if (whole && names) return `const ${whole} = ${mod}, { ${names.join(', ')} } = ${whole};`;
      return whole ? `const ${whole} = ${mod};` : `const { ${names!.join(', ')} } = ${mod};`;
    });
    if (/^import [^;]*from "node:/m.test(out)) throw new Error(`bundle: ${name}: an import of a built-in module in a form not rewritten`);
    if (out !== text) writeFileSync(join(outdir, name), out);
  }
  return rewritten;
}

/**
 * Every file of the bundle in ASCII: esbuild escapes non-ASCII characters in strings but leaves them in
 * regular expressions and comments ("µs", "→"), and one such character makes Node decode the whole
 * file into a two-byte string (the server chunk: 1.3 MB instead of 0.64 MB, ~2 ms to decode at every
 * start, and V8 scans and hashes twice the bytes). A \uXXXX escape means the same character in a
 * string, template, regular expression or identifier, and nothing in a comment.
 */
function asciiOnly(outdir: string): void {
  for (const name of readdirSync(outdir)) {
    if (!/\.[mc]js$/.test(name)) continue;
    const file = join(outdir, name);
    const text = readFileSync(file, 'utf8');
    const out = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (out !== text) writeFileSync(file, out);
  }
}

/** The chunks' static imports of one another must form no cycle (see builtinsAsObjects). */
function assertNoChunkCycle(texts: Map<string, string>): void {
  const deps = new Map([...texts].map(([n, t]) => [n, [...t.matchAll(/^import (?:[^;]*? from )?"\.\/([^"]+)";$/gm)].map((m) => m[1])]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') throw new Error(`bundle: chunks import one another in a cycle: ${[...path.slice(path.indexOf(n)), n].join(' → ')}`);
    state.set(n, 'open');
    for (const d of deps.get(n) ?? []) visit(d, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of deps.keys()) visit(n, []);
}

/** Every relative file the bundle refers to must exist where it says: a missed rewrite fails here, not at run time. */
function checkFileRefs(dir: string, outdir: string): void {
  const missing: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.mjs')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    for (const re of [RELATIVE_URL, RELATIVE_REQUIRE]) {
      for (const m of text.matchAll(re)) {
        const inBundle = !m[2].includes('/', 2) && m[2].startsWith('./');
        if (!existsSync(resolve(inBundle ? dir : outdir, m[2]))) missing.push(`${name}: ${m[2]}`);
      }
    }
    for (const m of text.matchAll(ABSOLUTE_REFS)) {
      const file = m[1] ? fileURLToPath(m[1]) : m[2];
      if (!existsSync(file)) missing.push(`${name}: ${file}`);
    }
    if (/\.ts["'], import\.meta\.url/.test(text)) missing.push(`${name}: a .ts URL esbuild did not turn into a chunk`);
  }
  if (missing.length) throw new Error(`bundle: files referred to but not found:\n  ${missing.join('\n  ')}`);
}

/** The chunks import better-sqlite3 from this file of the bundle (see bundleSqlite). */
const SQLITE_FILE = 'better-sqlite3.cjs';

/**
 * better-sqlite3's JavaScript (~15 CommonJS files, each resolved, read and wrapped by Node's loader:
 * ~4 ms of a start) as one CommonJS file beside the chunks, which import it instead of the package.
 * Its native addon stays where the package is: the file finds the package's directory at run time
 * (the checkout's node_modules, or the one an installed Skiff's dependencies are in), and the
 * package's own code looks for the addon from there, as it does when loaded whole.
 */
async function bundleSqlite(esbuild: typeof import('esbuild'), outdir: string): Promise<void> {
  const DIR = '__skiff_sqlite_lib';
  await esbuild.build({
    entryPoints: [createRequire(join(ROOT, 'package.json')).resolve('better-sqlite3')],
    outfile: join(outdir, SQLITE_FILE),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    logLevel: 'error',
    // The package's files use __dirname to find the addon: its lib/ directory, wherever it is installed.
    define: { __dirname: DIR },
    banner: { js: `'use strict';\nconst ${DIR} = require('node:path').dirname(require.resolve('better-sqlite3'));` },
  });
  for (const name of readdirSync(outdir)) {
    if (!name.endsWith('.mjs')) continue;
    const file = join(outdir, name);
    const text = readFileSync(file, 'utf8');
    const out = text.replace(/^(import [\w$]+ from )"better-sqlite3";$/gm, `$1"./${SQLITE_FILE}";`);
    if (out !== text) writeFileSync(file, out);
  }
}

/**
 * Writes `outdir`/cli-main.mjs and its chunks; answers the number of files, of lazyModule references
 * fixed, and the absolute paths of the files the bundle was made from. The files are .mjs: under
 * node_modules (the checkout's cache) no package.json says "type": "module", and Node would otherwise
 * parse each file once more to detect its syntax.
 */
export async function bundle(o: BundleOptions): Promise<{ files: number; lazy: number; inputs: string[] }> {
  const esbuild = await import('esbuild');
  const tmp = `${o.outdir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [join(SRC, 'cli-main.ts')],
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    logLevel: 'error',
    // Not minified: stack traces name the functions.
    plugins: [{
      name: 'skiff-file-refs',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, (a) => ({ contents: rewriteFileRefs(o, a.path, readFileSync(a.path, 'utf8')), loader: 'ts' }));
      },
    }],
  });
  await bundleSqlite(esbuild, tmp);
  const lazy = fixLazyModules(tmp);
  builtinsAsObjects(tmp);
  asciiOnly(tmp);
  // Checked where the bundle will live (its references are relative to outdir), before it is moved
  // there: a directory named by a key is complete or absent.
  checkFileRefs(tmp, o.outdir);
  rmSync(o.outdir, { recursive: true, force: true });
  mkdirSync(dirname(o.outdir), { recursive: true });
  renameSync(tmp, o.outdir);
  const inputs = Object.keys(result.metafile.inputs).map((f) => resolve(ROOT, f));
  return { files: readdirSync(o.outdir).length, lazy, inputs };
}

/** Modification times of every file under src/ and of the other inputs, read before a build. */
function mtimes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) { const p = join(e.parentPath, e.name); out.set(p, statSync(p).mtimeMs); }
  }
  for (const p of EXTRA_INPUTS) out.set(p, statSync(p).mtimeMs);
  return out;
}

/** What else a bundle depends on: the dependencies' versions and this bundler. */
const EXTRA_INPUTS = [join(ROOT, 'package.json'), fileURLToPath(import.meta.url)];

/**
 * `node scripts/bundle.ts --checkout` (started by bin/bundle.js's rebuild(), which holds the lock for
 * it): the checkout's bundle, in a directory of its own, then the manifest naming it and the
 * modification time of every file it was made from (times read before bundling: a file edited
 * meanwhile makes the manifest stale, never the bundle wrong).
 */
async function checkoutBundle(): Promise<void> {
  const { CACHE_DIR, LOCK, MANIFEST } = await import('../bin/bundle.js');
  try {
    const before = mtimes();
    const dir = `b${Date.now().toString(36)}-${process.pid}`;
    const { inputs } = await bundle({ outdir: join(CACHE_DIR, dir), assetRoot: SRC, absolute: true });
    const recorded: Record<string, number> = {};
    for (const f of [...inputs, ...EXTRA_INPUTS]) {
      const t = before.get(f);
      if (t === undefined) return; // created during the build: the next start bundles again
      recorded[f] = t;
    }
    const tmp = `${MANIFEST}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ dir, inputs: recorded }));
    renameSync(tmp, MANIFEST);
  } finally {
    rmSync(LOCK, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1]) && process.argv[2] === '--checkout') await checkoutBundle();
