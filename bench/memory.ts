// Memory benchmark (issue #7): a fresh `skiff serve` process with the default file storage (a new
// temporary data directory, WAL, durability normal) and N simulated nodes; this process is only
// the HTTP client, so its memory is not counted. It creates the pods directly over HTTP, waits
// until the server lists none that is not Running, then asks the server (through the preloaded
// bench/memory-probe.ts, SIGUSR2) to force a full GC and report process.memoryUsage(); RSS is also
// read from /proc before the GC. Figures are wall-clock on a shared machine.
//   node bench/memory.ts [--quick] [--nodes N] [--pods N] [--keep]   (SKIFF_HEAPSNAPSHOT=dir: heap snapshot;
//   SKIFF_BENCH_NODE_FLAGS: extra flags for the server's node; SKIFF_BENCH_SMAPS=file: copy of its smaps)
import { SERVER_FLAGS } from './serve.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;


function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Resident memory by mapping kind: the brk heap (malloc's main arena), other anonymous maps (V8 heap, other arenas), files. */
function rssByKind(pid: number): string {
  const sums = { brk: 0, anon: 0, file: 0 };
  let kind: keyof typeof sums = 'anon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) { kind = head[1] === '[heap]' ? 'brk' : head[1] === '' || head[1].startsWith('[') ? 'anon' : 'file'; continue; }
    const m = /^Rss:\s+(\d+) kB/.exec(line);
    if (m) sums[kind] += Number(m[1]) * 1024;
  }
  return `${mb(sums.brk)} / ${mb(sums.anon)} / ${mb(sums.file)}`;
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  const nodes = arg('nodes', quick ? 100 : 1000);
  const count = arg('pods', quick ? 1000 : 10000);
  const dir = mkdtempSync(join(tmpdir(), 'skiff-mem-'));
  const here = new URL('.', import.meta.url).pathname;
  // The server runs with the V8 flags bin/skiff.js is started with; SKIFF_BENCH_NODE_FLAGS="--flag ..."
  // replaces them (SKIFF_BENCH_NODE_FLAGS= for none) to compare.
  const flags = (process.env.SKIFF_BENCH_NODE_FLAGS ?? SERVER_FLAGS.join(' ')).split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, '--expose-gc', '--import', join(here, 'memory-probe.ts'), join(here, '../src/cli.ts'), 'serve',
    '--data-dir', dir, '--insecure-http', '--port', '0', '--nodes', String(nodes)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const probes: ((m: Record<string, number>) => void)[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const line of d.split('\n')) {
      if (line.startsWith('skiff-memory ')) probes.shift()?.(JSON.parse(line.slice(13)));
    }
  });
  const out: Record<string, string | number> = {};
  const key = (k: string) => `${count} pods on ${nodes} nodes (fresh server, file storage): ${k}`;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        const m = /skiff ready at (\S+)/.exec(buf);
        if (m) resolve(m[1]);
      });
      child.on('exit', (c) => reject(new Error(`server exited (${c}): ${stderr.slice(-500)}`)));
    });
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const call = (method: string, path: string, body?: unknown) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request(url + path, { method, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(data);
    });
    const probe = () => new Promise<Record<string, number>>((resolve) => { probes.push(resolve); child.kill('SIGUSR2'); });

    // Wait for the nodes to register and be Ready-listed.
    for (;;) {
      const r = await call('GET', '/api/v1/nodes?limit=1');
      const l = JSON.parse(r.body);
      if (r.status === 200 && (l.items?.length ?? 0) > 0 && (l.metadata?.remainingItemCount ?? 0) + l.items.length >= nodes) break;
      await sleep(200);
    }
    await sleep(1000);
    const idle = await probe();
    out[key('idle RSS after GC (nodes only)')] = mb(idle.rss);

    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < count) {
        const i = next++;
        const r = await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'mem' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
        if (r.status !== 201) throw new Error(`create p-${i}: ${r.status} ${r.body.slice(0, 300)}`);
      }
    }));
    const created = performance.now() - t0;
    let peak = rssOf(child.pid!);
    let ok = false;
    while (performance.now() - t0 < 300_000) {
      const r = await call('GET', '/api/v1/namespaces/default/pods?limit=1&fieldSelector=status.phase!%3DRunning');
      peak = Math.max(peak, rssOf(child.pid!));
      if (r.status === 200 && JSON.parse(r.body).items.length === 0) { ok = true; break; }
      await sleep(250);
    }
    const total = performance.now() - t0;
    out[key('created over HTTP in')] = sec(created);
    out[key('all Running after')] = ok ? sec(total) : 'timed out';
    out[key('peak RSS seen while running')] = mb(peak);
    const rssBefore = rssOf(child.pid!);
    const m = await probe();
    out[key('RSS before forced GC')] = mb(rssBefore);
    out[key('RSS after forced GC')] = mb(m.rss);
    out[key('heapUsed / heapTotal after GC')] = `${mb(m.heapUsed)} / ${mb(m.heapTotal)}`;
    out[key('external / arrayBuffers after GC')] = `${mb(m.external)} / ${mb(m.arrayBuffers)}`;
    const sp = (m as unknown as { spaces: Record<string, { used: number; size: number }> }).spaces;
    for (const s of ['new_space', 'old_space', 'large_object_space', 'code_space']) {
      if (sp?.[s]) out[key(`${s} used / size after GC`)] = `${mb(sp[s].used)} / ${mb(sp[s].size)}`;
    }
    // V8 hands free heap pages back over time once allocation calms down; measure again after idling.
    await sleep(10_000);
    const settled = await probe();
    out[key('RSS after 10 s idle + forced GC')] = mb(settled.rss);
    out[key('heapUsed / heapTotal after 10 s idle + GC')] = `${mb(settled.heapUsed)} / ${mb(settled.heapTotal)}`;
    out[key('RSS by mapping: brk heap / other anonymous / files')] = rssByKind(child.pid!);
    if (process.env.SKIFF_BENCH_SMAPS) writeFileSync(process.env.SKIFF_BENCH_SMAPS, readFileSync(`/proc/${child.pid}/smaps`));
    const db = join(dir, 'skiff.db');
    if (existsSync(db)) out[key('database file')] = mb(statSync(db).size);
    agent.destroy();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => { if (child.exitCode !== null) r(null); else child.on('exit', r); });
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else out['data directory kept'] = dir;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(80)} ${v}`);
  process.exit(0);
}
