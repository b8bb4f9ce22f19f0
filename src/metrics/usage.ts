// Simulated resource usage (issue #7): what each container, pod and node "uses", derived from the
// pod spec and annotations only, so the same objects always report the same figures.
//   container cpu    = skiff.dev/cpu-usage.<container> | skiff.dev/cpu-usage | 10% of requests | 1m
//   container memory = skiff.dev/memory-usage.<container> | skiff.dev/memory-usage | 50% of requests | 4Mi
//   node             = sum of its Running pods + a baseline (100m cpu, 256Mi memory) for the system
import { quantityValue } from '../scheduler/quantity.ts';
import type { KObject } from '../registry/strategy.ts';

export const CPU_ANNOTATION = 'skiff.dev/cpu-usage';
export const MEMORY_ANNOTATION = 'skiff.dev/memory-usage';
const CPU_SHARE = 0.1, MEMORY_SHARE = 0.5;
const CPU_BASELINE_N = 1_000_000; // 1m
const MEMORY_BASELINE = 4 * 2 ** 20;
export const NODE_BASELINE = { cpuNanos: 100_000_000, memoryBytes: 256 * 2 ** 20 };

/** cpu in nanocores, memory in bytes. */
export interface Usage { cpuNanos: number; memoryBytes: number }

function override(ann: Record<string, string>, key: string, container: string): number | undefined {
  const raw = ann[`${key}.${container}`] ?? ann[key];
  if (raw === undefined) return undefined;
  const v = quantityValue(raw);
  return v > 0 || /^\s*0+(\.0*)?[a-zA-Z]*\s*$/.test(raw) ? v : undefined; // malformed → default
}

export function containerUsage(pod: KObject, container: { name: string; resources?: any }): Usage {
  const ann: Record<string, string> = pod.metadata?.annotations ?? {};
  const req = container.resources?.requests ?? {};
  const cpu = override(ann, CPU_ANNOTATION, container.name);
  const mem = override(ann, MEMORY_ANNOTATION, container.name);
  const reqCpu = quantityValue(req.cpu), reqMem = quantityValue(req.memory);
  return {
    cpuNanos: Math.round(cpu !== undefined ? cpu * 1e9 : reqCpu > 0 ? reqCpu * CPU_SHARE * 1e9 : CPU_BASELINE_N),
    memoryBytes: Math.round(mem !== undefined ? mem : reqMem > 0 ? reqMem * MEMORY_SHARE : MEMORY_BASELINE),
  };
}

export function podUsage(pod: KObject): { name: string; usage: Usage }[] {
  const containers: any[] = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
  return containers.map((c) => ({ name: String(c.name), usage: containerUsage(pod, c) }));
}

export function nodeUsage(pods: KObject[]): Usage {
  const total = { ...NODE_BASELINE };
  for (const p of pods) for (const c of podUsage(p)) { total.cpuNanos += c.usage.cpuNanos; total.memoryBytes += c.usage.memoryBytes; }
  return { cpuNanos: total.cpuNanos, memoryBytes: total.memoryBytes };
}

/** metrics-server's quantity formats: cpu in nanocores, memory in Ki. */
export function usageQuantities(u: Usage): { cpu: string; memory: string } {
  return { cpu: `${u.cpuNanos}n`, memory: `${Math.round(u.memoryBytes / 1024)}Ki` };
}
