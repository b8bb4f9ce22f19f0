// The client-go load tool (conformance/go/load), built on first use: figures measured the way Go
// clients load a server. `goLoad` answers undefined, with the reason, when no Go toolchain is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchServer } from './serve.ts';

const GO_DIR = join(import.meta.dirname, '..', 'conformance', 'go');
const BIN = join(GO_DIR, 'bin', 'skiff-load');

function newest(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir)) t = Math.max(t, statSync(join(dir, f)).mtimeMs);
  return t;
}

/** The built tool, or the reason it is not available. */
export function loadTool(): { bin: string } | { skip: string } {
  const go = process.env.GO ?? 'go';
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= Math.max(newest(join(GO_DIR, 'load')), statSync(join(GO_DIR, 'go.mod')).mtimeMs)) return { bin: BIN };
  if (spawnSync(go, ['version']).error) return { skip: 'no Go toolchain on PATH (set GO=/path/to/go): client-go figures skipped' };
  const b = spawnSync(go, ['build', '-o', BIN, './load'], { cwd: GO_DIR, encoding: 'utf8', timeout: 900_000 });
  if (b.status !== 0) return { skip: `go build failed: ${(b.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  return { bin: BIN };
}

/** Runs one mode of the tool against `s`; its JSON figures. */
export function goLoad(s: BenchServer, mode: 'creates' | 'watch', args: string[] = []): Record<string, number> | { skip: string } {
  const t = loadTool();
  if ('skip' in t) return t;
  const r = spawnSync(t.bin, [mode, '-server', s.url.origin, '-token', s.token, '-ca', s.caPath, ...args], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`skiff-load ${mode} failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}
