// The policies in force (upstream's policySource): every policy that has at least one binding, with
// its bindings, its compiled expressions (recompiled only when the policy's resourceVersion changes)
// and a cache of its paramKind's resource. A paramKind the server does not serve is a configuration
// error of the policy. Rebuilt only when a policy, a binding or the served resources changed.
import type { Store } from '../../registry/store.ts';
import { findResource } from '../../registry/resources.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../types/generated.ts';
import { WatchCache } from './cache.ts';
import type { CompiledPolicy } from './compile.ts';

export interface Hook {
  policy: ValidatingAdmissionPolicy;
  bindings: ValidatingAdmissionPolicyBinding[];
  compiled: CompiledPolicy;
  paramCache?: WatchCache;
  configError?: string;
}

const byName = (a: { metadata: { name?: string } }, b: { metadata: { name?: string } }) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);

export class PolicySource {
  private readonly store: Store;
  readonly policies: WatchCache;
  readonly bindings: WatchCache;
  readonly namespaces: WatchCache;
  private readonly params = new Map<string, WatchCache>();
  private readonly compiled = new Map<string, { rv: string; compiled: CompiledPolicy }>();
  private built?: { key: string; hooks: Hook[] };
  private started?: Promise<void>;
  private readonly compilePolicy: (p: ValidatingAdmissionPolicy) => CompiledPolicy;

  constructor(store: Store, compilePolicy: (p: ValidatingAdmissionPolicy) => CompiledPolicy) {
    this.store = store;
    this.compilePolicy = compilePolicy;
    this.policies = new WatchCache(store, findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies')!);
    this.bindings = new WatchCache(store, findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings')!);
    this.namespaces = new WatchCache(store, findResource('', 'v1', 'namespaces')!);
  }

  /** Starts the policy, binding and namespace caches (once). */
  start(): Promise<void> {
    return (this.started ??= Promise.all([this.policies.start(), this.bindings.start(), this.namespaces.start()]).then(() => undefined));
  }

  /** The hooks, sorted by policy name (bindings by name), as of the caches' current state. */
  hooks(): Hook[] {
    const key = `${this.policies.version}/${this.bindings.version}/${this.store.resources.generation}`;
    if (this.built?.key === key) return this.built.hooks;
    const hooks = this.build();
    this.built = { key, hooks };
    return hooks;
  }

  private build(): Hook[] {
    const bound = new Map<string, ValidatingAdmissionPolicyBinding[]>();
    for (const b of this.bindings.list() as ValidatingAdmissionPolicyBinding[]) {
      const name = b.spec?.policyName ?? '';
      let list = bound.get(name);
      if (!list) bound.set(name, list = []);
      list.push(b);
    }
    const hooks: Hook[] = [];
    for (const [name, bindings] of bound) {
      const policy = this.policies.get(undefined, name) as ValidatingAdmissionPolicy | undefined;
      if (!policy) continue; // a binding to a policy that does not exist (yet) does nothing
      hooks.push({ policy, bindings: bindings.sort(byName), compiled: this.compile(policy), ...this.paramsFor(policy) });
    }
    for (const n of [...this.compiled.keys()]) if (!bound.has(n)) this.compiled.delete(n);
    return hooks.sort((a, b) => byName(a.policy, b.policy));
  }

  private compile(p: ValidatingAdmissionPolicy): CompiledPolicy {
    const rv = p.metadata.resourceVersion ?? '';
    const c = this.compiled.get(p.metadata.name!);
    if (c && c.rv === rv) return c.compiled;
    const compiled = this.compilePolicy(p);
    this.compiled.set(p.metadata.name!, { rv, compiled });
    return compiled;
  }

  private paramsFor(p: ValidatingAdmissionPolicy): { paramCache?: WatchCache; configError?: string } {
    const pk = p.spec?.paramKind;
    if (!pk) return {};
    const apiVersion = pk.apiVersion ?? '';
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash), version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const r = this.store.resources.findKind(group, version, pk.kind ?? '');
    if (!r) return { configError: `failed to find resource referenced by paramKind: '${group}/${version}, Kind=${pk.kind ?? ''}'` };
    return { paramCache: this.paramCache(r) };
  }

  private paramCache(r: ResourceInfo): WatchCache {
    const key = `${r.group}/${r.version}/${r.resource}`;
    let c = this.params.get(key);
    if (!c) this.params.set(key, c = new WatchCache(this.store, r));
    return c;
  }

  stop(): void {
    this.policies.stop(); this.bindings.stop(); this.namespaces.stop();
    for (const c of this.params.values()) c.stop();
  }
}
