// Two resource lists hold the same quantities (semantic equality: "1Mi" equals "1048576").
import { compareQuantity, isQuantity } from '../../registry/validation/quantity.ts';

export function quantityEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a ?? {}), kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && isQuantity(a[k]) && isQuantity(b[k]) && compareQuantity(String(a[k]), String(b[k])) === 0);
}
