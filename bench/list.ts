// List benchmark over real HTTPS against `skiff serve` in its own process: 10,000 pods (~4 KB each after
// defaulting) listed as JSON. Reports, per list, the time to the first body byte (≈ the server's time
// to build the response and start sending) and to the last byte received (the body is not parsed).
import https from 'node:https';
import { benchPod, cpuMs, curlLists, startSkiff } from './serve.ts';

interface Timed { status: number; bytes: number; firstByteMs: number; totalMs: number }

function get(agent: https.Agent, url: URL, token: string, ca: string, method: string, path: string, body?: string, accept = 'application/json'): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const s = performance.now();
    let first = 0;
    const req = https.request({ host: url.hostname, port: url.port, path, method, agent, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: accept } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { if (!first) first = performance.now(); bytes += c.length; });
      res.on('end', () => { const e = performance.now(); resolve({ status: res.statusCode ?? 0, bytes, firstByteMs: (first || e) - s, totalMs: e - s }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => +[...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))].toFixed(1);
const median = (xs: number[]) => pct(xs, 0.5);
const LISTS = 20;

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const server = await startSkiff();
  const { url, token, ca } = server;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < 10_000) {
      const r = await get(agent, url, token, ca, 'POST', '/api/v1/namespaces/default/pods', benchPod(next++));
      if (r.status !== 201) throw new Error(`pod create returned ${r.status}`);
    }
  }));
  // The first two lists after the creates run the list path cold (not yet optimised, in the server and
  // in this client); they are reported on their own and the figures are of the twenty after them.
  const cold: number[] = [];
  for (let i = 0; i < 2; i++) cold.push((await get(agent, url, token, ca, 'GET', '/api/v1/namespaces/default/pods')).totalMs);
  out['list 10,000 pods: first two lists after the creates, last byte (ms)'] = cold.map((t) => t.toFixed(1)).join(' / ');
  const first: number[] = [];
  const total: number[] = [];
  let bytes = 0;
  const cpu0 = cpuMs(server.child.pid);
  for (let i = 0; i < LISTS; i++) {
    const r = await get(agent, url, token, ca, 'GET', '/api/v1/namespaces/default/pods');
    if (r.status !== 200) throw new Error(`list returned ${r.status}`);
    first.push(r.firstByteMs); total.push(r.totalMs); bytes = r.bytes;
  }
  const cpu1 = cpuMs(server.child.pid);
  out[`list 10,000 pods: request → first body byte (ms, median / p99 of ${LISTS})`] = `${median(first)} / ${pct(first, 0.99)}`;
  out[`list 10,000 pods: request → last byte received, unparsed (ms, median / p99 of ${LISTS})`] = `${median(total)} / ${pct(total, 0.99)}`;
  out['  each (ms)'] = total.map((t) => t.toFixed(0)).join(' ');
  out['  server CPU per list (ms)'] = cpu0 === undefined ? '?' : +((cpu1! - cpu0) / LISTS).toFixed(1);
  out['list size (MB)'] = +(bytes / 1e6).toFixed(1);
  // The Node.js client above competes with the server for this machine's two cores and spends much of
  // its time collecting the 23 MB of buffers it receives; curl (C, OpenSSL) is a much lighter client,
  // so when it is installed it gives the server's own figure, as wrk does for creates in bench/api.
  const c = curlLists(server, '/api/v1/namespaces/default/pods', LISTS);
  if (c) {
    out[`same list, curl on one keep-alive connection: first byte (ms, median / p99 of ${LISTS})`] = `${median(c.first)} / ${pct(c.first, 0.99)}`;
    out[`same list, curl on one keep-alive connection: last byte (ms, median / p99 of ${LISTS})`] = `${median(c.total)} / ${pct(c.total, 0.99)}`;
    out['  each (ms)'.padEnd(12)] = c.total.map((t) => t.toFixed(0)).join(' ');
  } else out['curl'] = 'not installed: Node.js client figures only';
  // Protobuf: the first list encodes every pod; later ones reuse each revision's encoding.
  const pbGet = () => get(agent, url, token, ca, 'GET', '/api/v1/namespaces/default/pods', undefined, 'application/vnd.kubernetes.protobuf');
  const pbFirst = await pbGet();
  const pbNext: number[] = [];
  for (let i = 0; i < 5; i++) pbNext.push((await pbGet()).totalMs);
  out['list 10,000 pods as protobuf: first list, last byte (ms)'] = +pbFirst.totalMs.toFixed(1);
  out['list 10,000 pods as protobuf: later lists, last byte (ms, median of 5)'] = median(pbNext);
  out['protobuf list size (MB)'] = +(pbFirst.bytes / 1e6).toFixed(1);
  agent.destroy();
  await server.stop();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(72)} ${v}`);
}
