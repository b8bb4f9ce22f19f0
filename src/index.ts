// Programmatic API for test frameworks: one isolated cluster per call, started in well under a second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.ts';
import type { RunningServer, ServerOptions } from './server.ts';
import { userKubeconfig } from './auth/user-kubeconfig.ts';
import type { UserIdentity } from './auth/user-kubeconfig.ts';

export interface ClusterOptions extends Omit<ServerOptions, 'dataDir' | 'kubeconfigPath'> {
  /** Keep data in this directory instead of in memory. */
  dataDir?: string;
}

export interface Cluster {
  url: string;
  /** Kubeconfig YAML text. */
  kubeconfig: string;
  /** A file holding the kubeconfig (removed by stop()). */
  kubeconfigPath: string;
  token: string;
  caPem?: string;
  server: RunningServer;
  /**
   * A kubeconfig (YAML) for another user, with a client certificate obtained through the
   * CertificateSigningRequest API (CN = user, O = groups): for tests that act as someone else.
   */
  kubeconfigFor(id: UserIdentity): Promise<string>;
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const tmp = mkdtempSync(join(tmpdir(), 'skiff-'));
  const server = await startServer({
    port: 0,
    ...opts,
    inMemory: opts.dataDir === undefined ? (opts.inMemory ?? true) : false,
    dataDir: opts.dataDir ?? tmp,
    kubeconfigPath: join(tmp, 'kubeconfig'),
  });
  return {
    url: server.url, kubeconfig: server.kubeconfig, kubeconfigPath: server.kubeconfigPath!, token: server.token, caPem: server.caPem, server,
    kubeconfigFor: (id) => userKubeconfig({ server: server.url, caPem: server.caPem, token: server.token }, id),
    async stop() {
      await server.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export { startServer };
export type { RunningServer, ServerOptions };
