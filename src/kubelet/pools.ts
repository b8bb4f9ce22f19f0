// Heterogeneous node pools from a YAML file (`--node-config FILE`):
//   pools:
//     - name: gpu                 # nodes gpu-0, gpu-1, ...
//       count: 2
//       capacity: {cpu: "8", memory: 32Gi, pods: "110", ephemeral-storage: 100Gi, nvidia.com/gpu: "1"}
//       labels: {topology.kubernetes.io/zone: eu-1a, node.kubernetes.io/instance-type: g5.2xlarge}
//       taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
// parsePools checks everything and throws one-line errors naming the field (the CLI exits 2).
import { parse as parseYaml } from 'yaml';
import { isQuantity } from '../registry/validation/quantity.ts';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../registry/validation/names.ts';
import { DEFAULT_SHAPE } from './nodes.ts';

export interface NodePool {
  name: string; count: number;
  capacity: Record<string, string>;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
}

const POOL_KEYS = new Set(['name', 'count', 'capacity', 'labels', 'taints']);
const EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
export const MAX_POOL_NODES = 100_000;

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function parsePools(text: string): NodePool[] {
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) { throw new Error(`not valid YAML: ${(e as Error).message.split('\n')[0]}`); }
  if (!isMap(doc) || !Array.isArray(doc.pools) || !doc.pools.length) throw new Error('expected a top-level "pools" list with at least one pool');
  const other = Object.keys(doc).find((k) => k !== 'pools');
  if (other) throw new Error(`unknown top-level field "${other}"`);
  const seen = new Set<string>();
  let total = 0;
  const pools = doc.pools.map((p: unknown, i: number): NodePool => {
    const at = `pools[${i}]`;
    if (!isMap(p)) throw new Error(`${at} must be a mapping`);
    const unknown = Object.keys(p).find((k) => !POOL_KEYS.has(k));
    if (unknown) throw new Error(`${at}: unknown field "${unknown}"`);
    if (typeof p.name !== 'string' || isDNS1123Label(p.name).length || p.name.length > 50) throw new Error(`${at}.name must be a DNS-1123 label of at most 50 characters, got ${JSON.stringify(p.name)}`);
    if (seen.has(p.name)) throw new Error(`${at}.name "${p.name}" is used by another pool`);
    seen.add(p.name);
    if (!Number.isInteger(p.count) || (p.count as number) < 0 || (p.count as number) > MAX_POOL_NODES) throw new Error(`${at}.count must be an integer from 0 to ${MAX_POOL_NODES}, got ${JSON.stringify(p.count)}`);
    total += p.count as number;
    const capacity: Record<string, string> = { cpu: DEFAULT_SHAPE.cpu, memory: DEFAULT_SHAPE.memory, pods: DEFAULT_SHAPE.pods, 'ephemeral-storage': DEFAULT_SHAPE.ephemeralStorage };
    if (p.capacity !== undefined) {
      if (!isMap(p.capacity)) throw new Error(`${at}.capacity must be a mapping of resource names to quantities`);
      for (const [k, v] of Object.entries(p.capacity)) {
        if (isQualifiedName(k).length) throw new Error(`${at}.capacity: "${k}" is not a valid resource name`);
        const q = typeof v === 'number' ? String(v) : v;
        if (typeof q !== 'string' || !isQuantity(q)) throw new Error(`${at}.capacity.${k} must be a quantity such as "8", "500m" or "32Gi", got ${JSON.stringify(v)}`);
        capacity[k] = q;
      }
    }
    const labels: Record<string, string> = {};
    if (p.labels !== undefined) {
      if (!isMap(p.labels)) throw new Error(`${at}.labels must be a mapping`);
      for (const [k, v] of Object.entries(p.labels)) {
        if (isQualifiedName(k).length) throw new Error(`${at}.labels: "${k}" is not a valid label key`);
        if (typeof v !== 'string' || isValidLabelValue(v).length) throw new Error(`${at}.labels.${k}: ${JSON.stringify(v)} is not a valid label value`);
        labels[k] = v;
      }
    }
    const taints: NodePool['taints'] = [];
    if (p.taints !== undefined) {
      if (!Array.isArray(p.taints)) throw new Error(`${at}.taints must be a list`);
      p.taints.forEach((t: unknown, j: number) => {
        if (!isMap(t) || typeof t.key !== 'string' || isQualifiedName(t.key).length) throw new Error(`${at}.taints[${j}].key must be a valid taint key`);
        if (t.value !== undefined && (typeof t.value !== 'string' || isValidLabelValue(t.value).length)) throw new Error(`${at}.taints[${j}].value: ${JSON.stringify(t.value)} is not a valid taint value`);
        if (typeof t.effect !== 'string' || !EFFECTS.has(t.effect)) throw new Error(`${at}.taints[${j}].effect must be NoSchedule, PreferNoSchedule or NoExecute, got ${JSON.stringify(t.effect)}`);
        taints.push({ key: t.key, ...(t.value !== undefined ? { value: t.value as string } : {}), effect: t.effect });
      });
    }
    return { name: p.name, count: p.count as number, capacity, labels, taints };
  });
  if (total > MAX_POOL_NODES) throw new Error(`the pools add up to ${total} nodes; at most ${MAX_POOL_NODES}`);
  return pools;
}
