// CEL for admission (k8s.io/apiserver/pkg/admission/plugin/cel): the variables admission expressions
// see — `object`, `oldObject` (dyn), `request` (kubernetes.AdmissionRequest), `namespaceObject`
// (kubernetes.Namespace), optionally `params` (dyn) and `authorizer` (with `authorizer.requestResource`)
// — and `variables`, composed in order: each variable sees the ones declared before it, typed as
// they checked. Expressions are type-checked against these declarations and evaluated with Maps.
import type { Environment } from '@marcbachmann/cel-js';
import { libraryEnv } from './env.ts';
import { formatIssue } from './issues.ts';
import { registerAuthz } from './library/authz.ts';
import type { Program } from './compile.ts';
import type { StructuralSchema } from '../schema/types.ts';
import { TypeRegistrar } from './types.ts';

export interface AdmissionVars {
  hasParams: boolean;
  hasAuthorizer: boolean;
}

/**
 * Schemas that type `object`/`oldObject` and `params` (status type checking); dyn when absent.
 * `root` marks a custom resource's schema, which rules see with apiVersion, kind and
 * metadata.name/generateName added; built-in schemas already declare them.
 */
export interface AdmissionTypes {
  object?: { schema: StructuralSchema; root: boolean };
  params?: { schema: StructuralSchema; root: boolean };
}

const GVK = { group: 'string', version: 'string', kind: 'string' };
const GVR = { group: 'string', version: 'string', resource: 'string' };

function registerAdmissionTypes(env: Environment): void {
  env.registerType('kubernetes.GroupVersionKind', { fields: GVK });
  env.registerType('kubernetes.GroupVersionResource', { fields: GVR });
  env.registerType('kubernetes.UserInfo', { fields: { username: 'string', uid: 'string', groups: 'list<string>', extra: 'map<string, list<string>>' } });
  env.registerType('kubernetes.AdmissionRequest', {
    fields: {
      kind: 'kubernetes.GroupVersionKind', resource: 'kubernetes.GroupVersionResource', subResource: 'string',
      requestKind: 'kubernetes.GroupVersionKind', requestResource: 'kubernetes.GroupVersionResource', requestSubResource: 'string',
      name: 'string', namespace: 'string', operation: 'string', userInfo: 'kubernetes.UserInfo', dryRun: 'bool', options: 'dyn',
    },
  });
  env.registerType('kubernetes.NamespaceSpec', { fields: { finalizers: 'list<string>' } });
  env.registerType('kubernetes.NamespaceCondition', { fields: { status: 'string', type: 'string', lastTransitionTime: 'google.protobuf.Timestamp', message: 'string', reason: 'string' } });
  env.registerType('kubernetes.NamespaceStatus', { fields: { conditions: 'list<kubernetes.NamespaceCondition>', phase: 'string' } });
  env.registerType('kubernetes.NamespaceMetadata', {
    fields: {
      name: 'string', generateName: 'string', namespace: 'string', labels: 'map<string, string>', annotations: 'map<string, string>',
      UID: 'string', creationTimestamp: 'google.protobuf.Timestamp', deletionGracePeriodSeconds: 'int', deletionTimestamp: 'google.protobuf.Timestamp',
      generation: 'int', resourceVersion: 'string', finalizers: 'list<string>',
    },
  });
  env.registerType('kubernetes.Namespace', { fields: { metadata: 'kubernetes.NamespaceMetadata', spec: 'kubernetes.NamespaceSpec', status: 'kubernetes.NamespaceStatus' } });
}

let base: Environment | undefined;
/** The libraries plus the admission types, registered once (clones add variables). */
function admissionBase(): Environment {
  if (!base) {
    base = libraryEnv();
    registerAuthz(base);
    registerAdmissionTypes(base);
  }
  return base;
}

/** Upstream's environment variables for the options (without `variables`). */
function declare(env: Environment, v: AdmissionVars, types: AdmissionTypes = {}): Environment {
  const registrar = types.object || types.params ? new TypeRegistrar(env) : undefined;
  const objectType = types.object ? registrar!.typeOf(types.object.schema, types.object.root) : 'dyn';
  env.registerVariable('object', objectType).registerVariable('oldObject', objectType)
    .registerVariable('request', 'kubernetes.AdmissionRequest').registerVariable('namespaceObject', 'kubernetes.Namespace');
  if (v.hasParams) env.registerVariable('params', types.params ? registrar!.typeOf(types.params.schema, types.params.root) : 'dyn');
  if (v.hasAuthorizer) env.registerVariable('authorizer', 'kubernetes.authorization.Authorizer');
  return env;
}

/** A variable as compiled: its CEL type, or why it did not compile. */
export interface CompiledVariable { name: string; type: string; program?: Program; error?: string }

/** Checks one expression in an environment: the program and its type, or cel-go's issue text. */
export type Checked = { program: Program; type: string } | { error: string };

/**
 * A composition environment: admission variables plus `variables` (for policies that declare
 * them). Variables are added in order with `addVariable`; each expression is checked against the
 * variables added before it, as upstream's CompositedCompiler does.
 */
export class AdmissionCompiler {
  private readonly vars: AdmissionVars;
  private readonly composed: CompiledVariable[] = [];
  private envs = new Map<string, Environment>();
  readonly composition: boolean;
  private readonly types: AdmissionTypes;
  constructor(vars: AdmissionVars, composition: boolean, types: AdmissionTypes = {}) {
    this.vars = vars; this.composition = composition; this.types = types;
  }

  /** The environment for `v` (params/authorizer as given) with the variables composed so far. */
  private env(v: AdmissionVars): Environment {
    const key = `${v.hasParams}/${v.hasAuthorizer}`;
    let env = this.envs.get(key);
    if (!env) {
      env = declare(admissionBase().clone(), v, this.types);
      if (this.composition) {
        const fields: Record<string, string> = {};
        for (const c of this.composed) fields[c.name] = c.type;
        env.registerType('kubernetes.variables', { fields });
        env.registerVariable('variables', 'kubernetes.variables');
      }
      this.envs.set(key, env);
    }
    return env;
  }

  /** Compiles a variable and makes it visible to what is compiled after it (with the policy's own options). */
  addVariable(name: string, src: string): CompiledVariable {
    const r = this.check(src, undefined, this.vars);
    const cv: CompiledVariable = 'error' in r ? { name, type: 'dyn', error: r.error } : { name, type: r.type, program: r.program };
    this.composed.push(cv);
    this.envs = new Map();
    return cv;
  }

  get variables(): CompiledVariable[] { return this.composed; }
  get hasParams(): boolean { return this.vars.hasParams; }

  /**
   * Type-checks `src`; `returnTypes` (e.g. ['bool'], ['string', 'null_type']) are enforced as upstream
   * does (a `dyn` result passes: it is checked when evaluated). `opts` overrides the variable options
   * (message expressions see no authorizer).
   */
  check(src: string, returnTypes?: string[], opts: AdmissionVars = this.vars): Checked {
    const env = this.env(opts);
    let checked;
    try {
      checked = env.check(src);
    } catch (e) {
      return { error: `compilation failed: ${formatIssue(src, e)}` };
    }
    if (!checked.valid) return { error: `compilation failed: ${formatIssue(src, checked.error)}` };
    // cel-js names the null type `null`, cel-go `null_type`.
    const type = checked.type === 'null' ? 'null_type' : checked.type ?? 'dyn';
    if (returnTypes && type !== 'dyn' && !returnTypes.includes(type)) {
      const want = returnTypes.length === 1 ? returnTypes[0] : `one of [${returnTypes.join(' ')}]`;
      return { error: `must evaluate to ${want} but got ${goTypeName(type)}` };
    }
    return { program: env.parse(src) as Program, type };
  }
}

/** cel-go prints `list(int)` and `map(string, dyn)` where cel-js writes angle brackets. */
export function goTypeName(t: string): string {
  return t.replace(/</g, '(').replace(/>/g, ')');
}
