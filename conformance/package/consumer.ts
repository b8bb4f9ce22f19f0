// Type-checked (not run) inside the consumer project that installed the tarball (conformance/package.test.ts),
// against the declarations the package ships; the checkout's own typecheck leaves it out (tsconfig.json).
import { startCluster } from 'skiff';
import type { Cluster, ClusterSnapshot } from 'skiff';

export async function fixture(): Promise<[Cluster, ClusterSnapshot]> {
  const cluster = await startCluster({ nodes: 2, crds: [] });
  const url: string = cluster.url;
  void url;
  return [cluster, cluster.snapshot()];
}
