// Connects the per-kind strategies and metadata validation (src/registry/kinds) to the generic store;
// resources served from CRDs get the custom-resource strategy (src/registry/custom/strategy.ts).
import type { ResourceInfo } from './resources.ts';
import type { Strategy } from './strategy.ts';
import { strategyForResource } from './kinds/index.ts';
import { customStrategy } from './custom/strategy.ts';
import { crdStrategy } from './custom/crd-strategy.ts';

export { validateMeta, validateMetaUpdate } from './kinds/index.ts';

export function strategyFor(r: ResourceInfo): Strategy {
  if (r.custom) return customStrategy(r);
  if (r.group === 'apiextensions.k8s.io' && r.kind === 'CustomResourceDefinition') return crdStrategy;
  return strategyForResource(r);
}
