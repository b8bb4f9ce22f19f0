// A real etcd for tests: Debian's etcd-server binary (installed by .ci/run), on loopback ports with a
// temporary data directory, stopped by its own process id.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdServer { url: string; stop(): Promise<void>; kill(signal?: NodeJS.Signals): void; child: ChildProcess; dir: string; peerUrl: string }

/** Whether an etcd binary is on PATH; in CI it must be (.ci/run installs it). */
export function etcdAvailable(): boolean {
  return !spawnSync('etcd', ['--version']).error;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

/** Starts one etcd member on 127.0.0.1 and waits until it answers. */
export async function startEtcd(): Promise<EtcdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn('etcd', [
    '--name', 'skiff-test', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `skiff-test=${peerUrl}`, '--log-level', 'error', '--logger', 'zap',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c; });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (child.exitCode !== null || i > 200) { child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); throw new Error(`etcd did not start: ${stderr.slice(-2000)}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, peerUrl, child, dir,
    kill: (signal = 'SIGKILL') => { child.kill(signal); },
    async stop() {
      if (child.exitCode === null) { child.kill('SIGTERM'); await exited; }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EtcdCluster { urls: string[]; members: EtcdServer[]; stop(): Promise<void> }

/** Starts `n` etcd members on 127.0.0.1 as one cluster and waits until each answers. */
export async function startEtcdCluster(n: number): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-cluster-'));
  const ports = [];
  for (let i = 0; i < n; i++) ports.push([await freePort(), await freePort()]);
  const initial = ports.map(([, peer], i) => `m${i}=http://127.0.0.1:${peer}`).join(',');
  const members: EtcdServer[] = [];
  for (let i = 0; i < n; i++) {
    const [client, peer] = ports[i];
    const url = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const child = spawn('etcd', ['--name', `m${i}`, '--data-dir', join(dir, `m${i}`),
      '--listen-client-urls', url, '--advertise-client-urls', url, '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', initial, '--initial-cluster-state', 'new',
      '--log-level', 'error', '--logger', 'zap'], { stdio: ['ignore', 'ignore', 'ignore'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    members.push({ url, peerUrl, child, dir, kill: (signal = 'SIGKILL') => { child.kill(signal); },
      async stop() { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited; } } });
  }
  for (const m of members) {
    for (let i = 0; ; i++) {
      if (await fetch(`${m.url}/health`).then((r) => r.ok, () => false)) break;
      if (i > 300) { for (const x of members) x.kill(); throw new Error('etcd cluster did not start'); }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    urls: members.map((m) => m.url), members,
    async stop() { for (const m of members) await m.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}
