// Nodes created at run time: a Node annotated `skiff.dev/simulated: "true"` that no simulated
// kubelet runs yet is adopted — what the user left out is filled in as a kubelet would (labels,
// podCIDR from the first free /24, addresses, capacity/allocatable, nodeInfo, Ready conditions).
// What the user set (labels, capacity, taints, a podCIDR) is kept.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { res } from '../controllers/util.ts';
import { nodeConditions, nodeObject, podCidr } from './nodes.ts';

export const SIMULATED_ANNOTATION = 'skiff.dev/simulated';

/** The smallest node index whose podCIDR no node uses yet. */
export function freeIndex(used: Set<string>): number {
  let i = 0;
  while (used.has(podCidr(i))) i++;
  return i;
}

/** Fill in a runtime-created Node; `used` holds the podCIDRs taken (the new one is added). */
export async function adoptNode(store: Store, clock: Clock, name: string, used: Set<string>): Promise<KObject> {
  const nodesR = res('', 'v1', 'nodes');
  const cur = await store.get(nodesR, undefined, name);
  const i = freeIndex(used);
  const tmpl = nodeObject(i, clock.now());
  const cidr = cur.spec?.podCIDR ?? podCidr(i);
  used.add(cidr);
  await store.guaranteedUpdate(nodesR, undefined, name, (n) => {
    n.metadata.labels = { ...tmpl.metadata.labels, 'kubernetes.io/hostname': name, ...(n.metadata.labels ?? {}) };
    n.metadata.annotations = { ...tmpl.metadata.annotations, ...(n.metadata.annotations ?? {}) };
    n.spec = { ...(n.spec ?? {}), podCIDR: n.spec?.podCIDR ?? cidr, podCIDRs: n.spec?.podCIDRs ?? [n.spec?.podCIDR ?? cidr] };
    return n;
  });
  return store.guaranteedUpdate(nodesR, undefined, name, (n) => {
    const st = n.status ?? {};
    const now = clock.now();
    const capacity = st.capacity && Object.keys(st.capacity).length ? st.capacity : tmpl.status.capacity;
    n.status = {
      ...st,
      capacity, allocatable: st.allocatable && Object.keys(st.allocatable).length ? st.allocatable : { ...capacity },
      addresses: st.addresses?.length ? st.addresses : [tmpl.status.addresses[0], { type: 'Hostname', address: name }],
      // Stored objects carry Go's zero values (a Node created without status has nodeInfo of "" and Port 0).
      daemonEndpoints: st.daemonEndpoints?.kubeletEndpoint?.Port ? st.daemonEndpoints : tmpl.status.daemonEndpoints,
      nodeInfo: { ...tmpl.status.nodeInfo, ...nonEmpty(st.nodeInfo) },
      conditions: nodeConditions(now, now),
    };
    return n;
  }, { subresource: 'status' });
}

/** The members of an object that are not Go zero values ("" / 0 / false / null). */
function nonEmpty(o: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v !== '' && v !== 0 && v !== false && v !== null && v !== undefined) out[k] = v;
  return out;
}
