// `npm run fuzz`: the API fuzz suite (test/api/fuzz.test.ts) over a sweep of seeds with more
// requests per seed than CI runs. Each seed runs in its own process with a fresh server; a failing
// seed prints its problems and the command that reproduces it.
//
//   npm run fuzz -- [--seeds N] [--from SEED] [--count N] [--only REGEX]
//     --seeds  how many seeds (default 10)     --from   first seed (default: time-based)
//     --count  mixed requests per seed (default 3000; each other class gets a sixth)
//     --only   run only the classes whose test name matches (node --test-name-pattern)
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '10' }, from: { type: 'string' }, count: { type: 'string', default: '3000' }, only: { type: 'string' } },
});
const seeds = Number(values.seeds);
const from = values.from !== undefined ? Number(values.from) : Math.floor(Date.now() / 1000) % 1_000_000_000;
const count = Number(values.count);
if (![seeds, from, count].every(Number.isSafeInteger)) {
  process.stderr.write('usage: npm run fuzz -- [--seeds N] [--from SEED] [--count N] [--only REGEX]\n');
  process.exit(2);
}

const failed: number[] = [];
for (let i = 0; i < seeds; i++) {
  // Class seeds are seed+1..seed+9: step by 100 so no two sweeps' streams overlap.
  const seed = from + i * 100;
  const args = ['--test', '--test-reporter=dot', ...(values.only ? [`--test-name-pattern=${values.only}`] : []), 'test/api/fuzz.test.ts'];
  process.stdout.write(`seed ${seed} (${count} mixed requests): `);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SKIFF_FUZZ_SEED: String(seed), SKIFF_FUZZ_COUNT: String(count) }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) { process.stdout.write(`ok in ${secs} s\n`); continue; }
  failed.push(seed);
  process.stdout.write(`FAILED in ${secs} s\n${r.stdout}${r.stderr}\n`);
  process.stdout.write(`reproduce: SKIFF_FUZZ_SEED=${seed} SKIFF_FUZZ_COUNT=${count} node --test test/api/fuzz.test.ts\n`);
}
process.stdout.write(failed.length ? `\n${failed.length} of ${seeds} seeds failed: ${failed.join(', ')}\n` : `\nall ${seeds} seeds passed\n`);
process.exit(failed.length ? 1 : 0);
