// resourceFieldRef values (pkg/api/v1/resource ExtractContainerResourceValue): the container's
// limit or request divided by the divisor and rounded up; a missing limit is the node's allocatable
// (the kubelet's MergeContainerResourceLimits).
import { parseQuantity, quantityMilli } from '../../registry/validation/quantity.ts';
import { ConfigError } from './sources.ts';

export function resourceFieldValue(ref: { resource?: string; divisor?: string | number }, c: { resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }, allocatable: Record<string, string>): string {
  const resource = String(ref.resource ?? '');
  const m = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-.+)$/.exec(resource);
  if (!m) throw new ConfigError(`unsupported container resource : ${resource}`);
  const [, kind, name] = m;
  let q = (kind === 'limits' ? c.resources?.limits : c.resources?.requests)?.[name];
  if (q === undefined && kind === 'limits') q = allocatable[name];
  if (q === undefined && kind === 'requests') q = c.resources?.limits?.[name];
  const divisor = ref.divisor === undefined || ref.divisor === '' || ref.divisor === 0 ? '1' : String(ref.divisor);
  if (name === 'cpu') {
    const d = quantityMilli(divisor) || 1000;
    return String(Math.ceil(quantityMilli(String(q ?? '0')) / d));
  }
  const d = parseQuantity(divisor) || 1;
  return String(Math.ceil(parseQuantity(String(q ?? '0')) / d));
}
