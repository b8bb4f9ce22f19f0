// Type-checked (not run) inside the consumer project: the package's declarations serve a TypeScript user.
import { startCluster } from 'skiff';
import type { Cluster, ClusterSnapshot } from 'skiff';

export async function fixture(): Promise<[Cluster, ClusterSnapshot]> {
  const cluster = await startCluster({ nodes: 2, crds: [] });
  const url: string = cluster.url;
  void url;
  return [cluster, cluster.snapshot()];
}
