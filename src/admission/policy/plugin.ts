// The ValidatingAdmissionPolicy admission plugin (k8s.io/apiserver/pkg/admission/plugin/policy/validating):
// policies and bindings come from watch caches; each write of any kind but the policy kinds themselves
// is dispatched to the policies in force. The authorizer behind `authorizer` in expressions is injected
// (allow-all until the server wires its RBAC authorizer in).
import { errors } from '../../errors.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import type { Store } from '../../registry/store.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import { findResource } from '../../registry/resources.ts';
import type { AuthorizeFn } from '../../cel/library/authz.ts';
import { lazyModule } from '../../util/lazy-module.ts';
import { PolicySource } from './source.ts';
import { authorizeParams } from './param-authz.ts';
import type { DispatchEnv } from './dispatch.ts';
import type { ObjectValues, RequestValues } from './activation.ts';
import { toVersion } from '../../registry/conversion.ts';

type Engine = typeof import('./engine.ts');
const engine = lazyModule<Engine>(new URL('./engine.ts', import.meta.url), () => import('./engine.ts'));

export interface PolicyPluginDeps {
  store: Store;
  /** Decides `authorizer` checks in expressions (default: everything allowed). */
  authorize?: AuthorizeFn;
}

export interface PolicyPlugin extends AdmissionPlugin {
  readonly source: PolicySource;
  stop(): void;
}

/** The policy kinds themselves are never subject to policies (upstream excludes them). */
const EXCLUDED = new Set(['validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']);
const isNamespaceRequest = (a: AdmissionAttributes) => a.resource.group === '' && a.resource.resource === 'namespaces';
const NAMESPACES = () => findResource('', 'v1', 'namespaces')!;

export function validatingAdmissionPolicy(deps: PolicyPluginDeps): PolicyPlugin {
  const { store } = deps;
  // Allow-all by default (defined here: the CEL modules load only once a policy is bound).
  const authorize: AuthorizeFn = deps.authorize ?? (() => ({ decision: 'allow', reason: '' }));
  const source = new PolicySource(store, (p) => engine.get().compilePolicy(p));
  const equivalents = new Map<string, { gen: number; list: ResourceInfo[] }>();
  let started = false, loaded = false;

  function equivalentsOf(r: ResourceInfo): ResourceInfo[] {
    const key = `${r.group}/${r.version}/${r.resource}`;
    const gen = store.resources.generation;
    let e = equivalents.get(key);
    if (!e || e.gen !== gen) {
      e = { gen, list: store.resources.all().filter((x) => x.group === r.group && x.resource === r.resource && x.version !== r.version) };
      equivalents.set(key, e);
    }
    return e.list;
  }

  function namespaceOf(a: AdmissionAttributes): KObject | undefined | Promise<KObject | undefined> {
    if (!a.namespace || isNamespaceRequest(a)) return undefined;
    const ns = source.namespaces.get(undefined, a.namespace);
    if (ns) return ns;
    // The cache may lag a namespace created just now: ask the store, as upstream asks the API.
    return store.get(NAMESPACES(), undefined, a.namespace).catch(() => undefined);
  }

  return {
    name: 'ValidatingAdmissionPolicy',
    source,
    // Nothing to do once started with no binding, except for the policy kinds' own parameter checks.
    applies: (a) => !started || source.bindings.size > 0 || (a.resource.group === 'admissionregistration.k8s.io' && EXCLUDED.has(a.resource.resource)),
    async validate(a) {
      if (a.resource.group === 'admissionregistration.k8s.io' && EXCLUDED.has(a.resource.resource)) {
        if (deps.authorize) {
          if (!started) { await source.start(); started = true; }
          await authorizeParams(a, store, deps.authorize, (name) => source.policies.get(undefined, name) as never);
        }
        return;
      }
      if (!started) { await source.start(); started = true; }
      if (source.bindings.size === 0) return;
      if (!loaded) { await engine.load(); loaded = true; }
      const { dispatch, requestValues, requestValue, objectValues } = engine.get();
      const hooks = source.hooks();
      if (hooks.length === 0) return;
      let namespace = namespaceOf(a);
      if (namespace instanceof Promise) namespace = await namespace;
      let values: RequestValues | undefined;
      const requests = new Map<ResourceInfo, Record<string, unknown>>();
      const objects = new Map<ResourceInfo, ObjectValues>();
      const env: DispatchEnv = {
        namespaceLabels(name) {
          const ns = name === a.namespace ? namespace : source.namespaces.get(undefined, name);
          return ns ? ns.metadata.labels ?? {} : undefined;
        },
        equivalents: equivalentsOf,
        request(matched) {
          let r = requests.get(matched);
          if (!r) requests.set(matched, r = requestValue(a, matched));
          return r;
        },
        objects(matched) {
          let o = objects.get(matched);
          if (!o) objects.set(matched, o = objectValues(a, matched, toVersion));
          return o;
        },
        values() {
          // Upstream fails the request when the namespace of a namespaced request cannot be found.
          if (a.namespace && !namespace && !isNamespaceRequest(a)) throw errors.notFound({ group: '', resource: 'namespaces' }, a.namespace);
          return (values ??= requestValues(a, namespace, authorize));
        },
      };
      const r = dispatch(a, hooks, env);
      if (r instanceof Promise) await r;
    },
    stop() { source.stop(); },
  };
}
