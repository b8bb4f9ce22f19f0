// The ValidatingAdmissionPolicy status controller (kube-controller-manager's
// validatingadmissionpolicy-status-controller): for a policy whose generation is ahead of
// status.observedGeneration, type-check its expressions against the matched kinds' schemas and write
// status.typeChecking.expressionWarnings and status.observedGeneration. The checker (CEL and the
// schemas) loads on the first policy that needs it.
import type { Clock } from '../../clock.ts';
import type { Store } from '../../registry/store.ts';
import type { Informer, Controller } from '../../controllers/runtime.ts';
import { runController, splitKey } from '../../controllers/runtime.ts';
import { lazyModule } from '../../util/lazy-module.ts';
import type { ValidatingAdmissionPolicy } from '../../types/generated.ts';
import type { TypeResolver } from './typecheck.ts';

export const STATUS_CONTROLLER = 'validatingadmissionpolicy-status-controller';
type Checker = typeof import('./typecheck.ts');
const checker = lazyModule<Checker>(new URL('./typecheck.ts', import.meta.url), () => import('./typecheck.ts'));
type Builtin = typeof import('../../schema/builtin.ts');
const builtin = lazyModule<Builtin>(new URL('../../schema/builtin.ts', import.meta.url), () => import('../../schema/builtin.ts'));

/** Kinds and schemas as this server serves them (built-in from the OpenAPI documents, custom from their CRDs). */
export function storeTypes(store: Store): TypeResolver {
  return {
    kindFor(group, version, resource) {
      const r = store.resources.find(group, version, resource);
      return r ? { group: r.group, version: r.version, kind: r.kind } : undefined;
    },
    schemaFor(gvk) {
      const r = store.resources.findKind(gvk.group, gvk.version, gvk.kind);
      if (r?.custom) return r.custom.version.schema ? { schema: r.custom.version.schema, root: true } : undefined;
      const s = builtin.get().builtinSchema(gvk.group, gvk.version, gvk.kind);
      return s ? { schema: s, root: false } : undefined;
    },
  };
}

export function policyStatusController(deps: { store: Store; clock: Clock; policies: Informer; log?: (m: string) => void }): Controller {
  const { store, policies } = deps;
  const types = storeTypes(store);
  return runController({
    name: STATUS_CONTROLLER, clock: deps.clock, workers: 1, log: deps.log,
    watch: [{ informer: policies }],
    async reconcile(key) {
      const p = policies.get(key) as ValidatingAdmissionPolicy | undefined;
      if (!p) return;
      const generation = p.metadata.generation ?? 0;
      if (generation <= (p.status?.observedGeneration ?? 0)) return;
      const [{ typeCheck }] = await Promise.all([checker.load(), builtin.load()]);
      const warnings = typeCheck(p, types);
      const status = { ...(p.status ?? {}), observedGeneration: generation, typeChecking: warnings.length ? { expressionWarnings: warnings } : {} };
      await store.update(policies.resource, undefined, splitKey(key).name, { ...p, status } as never, { subresource: 'status', fieldManager: STATUS_CONTROLLER })
        .catch((e) => { if ((e as { code?: number }).code !== 404 && (e as { code?: number }).code !== 409) throw e; });
    },
  });
}
