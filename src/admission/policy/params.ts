// The params of a binding (upstream's CollectParams): the object paramRef names, or every object its
// selector selects, looked up in a cache of the paramKind's resource — in paramRef.namespace, else
// the request's namespace for a namespaced paramKind. No paramKind, or no paramRef: one null param.
// Nothing found: no evaluation (Allow), or a configuration error (Deny).
import { selectorMatches, type LabelSelector } from '../../registry/validation/selector.ts';
import type { ValidatingAdmissionPolicyBinding } from '../../types/generated.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { WatchCache } from './cache.ts';

/** A misconfiguration: reported under the policy's failurePolicy as `failed to configure binding: …`. */
export class ConfigError extends Error {}

export function collectParams(hasParamKind: boolean, cache: WatchCache | undefined, binding: ValidatingAdmissionPolicyBinding, namespace: string): (KObject | null)[] {
  const ref = binding.spec?.paramRef;
  if (!hasParamKind || !ref) return [null];
  if (!cache) throw new ConfigError('paramKind not known');
  let ns: string | undefined;
  if (cache.resource.namespaced) {
    ns = ref.namespace || namespace;
    if (!ns) throw new ConfigError('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  } else if (ref.namespace) {
    throw new ConfigError('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  }
  let params: KObject[];
  if (ref.name) {
    if (ref.selector) throw new ConfigError('paramRef.name and paramRef.selector are mutually exclusive');
    const p = cache.get(ns, ref.name);
    params = p ? [p] : [];
  } else if (ref.selector) {
    params = cache.list(ns).filter((o) => selectorMatches(ref.selector as LabelSelector, o.metadata.labels ?? {}))
      .sort((x, y) => (x.metadata.name! < y.metadata.name! ? -1 : 1));
  } else {
    throw new ConfigError('one of name or selector must be provided');
  }
  if (params.length === 0 && ref.parameterNotFoundAction === 'Deny') {
    throw new ConfigError('no params found for policy binding with `Deny` parameterNotFoundAction');
  }
  return params;
}
