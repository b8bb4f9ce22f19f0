// Programmatic API for test frameworks: one isolated cluster per call, started in well under a second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.ts';
import type { RunningServer, ServerOptions } from './server.ts';
import type { ClusterSnapshot } from './snapshot/cluster.ts';
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
  /** The web view signed in as the admin (https://…/skiff/ui/#token=…). */
  uiUrl: string;
  server: RunningServer;
  /**
   * Every object, the revision counter and the simulated clock as of now. Cheap (it shares the stored
   * values), so a suite can build a fixture once and restore it before every test.
   */
  snapshot(): ClusterSnapshot;
  /** Back to a snapshot of this cluster: objects, revisions and clock; open watches get 410 Expired. */
  restore(snapshot: ClusterSnapshot): Promise<void>;
  /**
   * A kubeconfig (YAML) for another user, with a client certificate obtained through the
   * CertificateSigningRequest API (CN = user, O = groups): for tests that act as someone else.
   */
  kubeconfigFor(id: UserIdentity): Promise<string>;
  /** Stops the server and releases every handle (sockets, timers, the database). */
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
    url: server.url, kubeconfig: server.kubeconfig, kubeconfigPath: server.kubeconfigPath!, token: server.token, caPem: server.caPem, uiUrl: server.uiUrl, server,
    snapshot: () => server.snapshot(),
    restore: (snapshot) => server.restore(snapshot),
    kubeconfigFor: (id) => userKubeconfig({ server: server.url, caPem: server.caPem, token: server.token }, id),
    async stop() {
      await server.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export { startServer };
export { encodeClusterSnapshot, decodeClusterSnapshot } from './snapshot/cluster.ts';
export type { RunningServer, ServerOptions, ClusterSnapshot };
