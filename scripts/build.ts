// `npm run build` (and `npm pack`/`npm publish` through prepack): compiles src/ to dist/ — JavaScript
// plus .d.ts — for the published package. Node strips TypeScript types only outside node_modules, so
// an installed package must carry JavaScript; a checkout runs the sources directly and needs no build.
// The TypeScript compiler (tsc, a devDependency) does the work: one tool that already typechecks the
// sources, emitting files one to one, with `.ts` import specifiers rewritten to `.js`. Files the code
// reads at run time (openapi.bin, stages.default.yaml, generated JSON) are copied beside the output.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { bundle } from './bundle.ts';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

/** Files under `dir` (recursively) whose name passes `keep`. */
function files(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, keep));
    else if (keep(name)) out.push(p);
  }
  return out;
}

/**
 * tsc rewrites `.ts` specifiers in the JavaScript it emits but leaves them in declarations; a consumer's
 * compiler without allowImportingTsExtensions refuses them, so the declarations name the `.js` files.
 */
const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g;
function rewriteDeclarations(): number {
  const decls = files(DIST, (n) => n.endsWith('.d.ts'));
  for (const f of decls) writeFileSync(f, readFileSync(f, 'utf8').replace(RELATIVE_TS, '$1$2.js$3'));
  return decls.length;
}

rmSync(DIST, { recursive: true, force: true });
const t0 = Date.now();
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${tsc.status ?? tsc.signal})\n`);
  process.exit(1);
}
const declarations = rewriteDeclarations();
// Run-time assets: every file under src/ that is not TypeScript.
const copied = files(SRC, (n) => !n.endsWith('.ts'));
for (const file of copied) {
  const to = join(DIST, relative(SRC, file));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
}
process.stdout.write(`build: dist/ compiled in ${Date.now() - t0} ms (${declarations} declaration files); copied ${copied.map((f) => relative(SRC, f)).join(', ')}\n`);
// The `skiff` command bundled (bin/launch.js prefers it): a start links ~15 files instead of ~330. The
// library entry (dist/index.js, startCluster) stays one file per module.
const t1 = Date.now();
const b = await bundle({ outdir: join(DIST, 'bundle'), assetRoot: DIST });
process.stdout.write(`build: dist/bundle/ (${b.files} files) in ${Date.now() - t1} ms\n`);
