// Compiling a schema's `x-kubernetes-validations` (k8s.io/apiextensions-apiserver
// pkg/apiserver/schema/cel/compilation.go and the rule checks of pkg/apis/apiextensions/validation):
// each rule is type-checked against the schema's CEL types, and parsed once for evaluation in the
// shared runtime environment. The compiled tree keeps only the schema nodes that have rules below
// them, so validating an object walks no more of it than it must. Compiled once per schema object.
import type { Environment } from '@marcbachmann/cel-js';
import type { StructuralSchema, ValidationRule } from '../schema/types.ts';
import type { FieldError } from '../errors.ts';
import { compilePattern } from '../schema/regex.ts';
import { libraryEnv, runtimeEnv, runtimeOptionalEnv } from './env.ts';
import { TypeRegistrar } from './types.ts';
import { formatIssue } from './issues.ts';
import { validFieldPath } from './fieldpath.ts';
import { estimateRuleCost, maxCardinalityOf, type CostContext } from './cost.ts';

export type Program = (ctx: Record<string, unknown>) => unknown;

export interface CompiledRule {
  rule: ValidationRule;
  program?: Program;
  /** Set when the rule did not compile (evaluation then reports `rule compile error: ...`). */
  error?: string;
  usesOldSelf: boolean;
  optionalOldSelf: boolean;
  message?: Program;
  /** The normalized `fieldPath`, appended to the node's path when the rule fails. */
  fieldPath?: string;
  /** Estimated cost of one evaluation (static, from the schema's bounds). */
  cost: number;
  /** The parsed rule and its cost context, for a runtime cost figure on actual values. */
  ast?: unknown;
  costContext?: CostContext;
}

export interface CompiledNode {
  schema: StructuralSchema;
  rules: CompiledRule[];
  properties?: Map<string, CompiledNode>;
  additionalProperties?: CompiledNode;
  items?: CompiledNode;
  /** For list-type=map lists: the keys that correlate old and new items. */
  mapKeys?: string[];
  /** Whether old values correlate below this node (not for atomic maps, nor lists but map lists). */
  correlatable: boolean;
}

interface Compiled {
  root: CompiledNode | undefined;
  /** Errors with paths relative to the schema's own path. */
  errors: FieldError[];
}

const cache = new WeakMap<StructuralSchema, Compiled>();

let library: Environment | undefined;
/** The libraries, registered once; each schema's checking environment is a cheap clone. */
function sharedLibrary(): Environment {
  return (library ??= libraryEnv());
}

/** Per-expression and per-CRD estimated cost limits (apiextensions validation). */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;
const SUPPORTED_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/**
 * Checks every rule in `schema` as a CRD write does: `path` is the schema's field path (e.g.
 * `spec.versions[0].schema.openAPIV3Schema`). Answers upstream's field errors, or [] when valid.
 */
export function compileSchemaRules(schema: StructuralSchema, path: string): FieldError[] {
  return compiled(schema).errors.map((e) => ({ ...e, field: path + e.field }));
}

/** The compiled rule tree of a schema (cached), or undefined when it has no rules. */
export function compiledTree(schema: StructuralSchema): CompiledNode | undefined {
  return compiled(schema).root;
}

function compiled(schema: StructuralSchema): Compiled {
  let c = cache.get(schema);
  if (!c) {
    c = new Compiler().compile(schema);
    cache.set(schema, c);
  }
  return c;
}

interface Walk { path: string; root: boolean; uncorrelatable?: string; cardinality: number; cost: CostContext }

class Compiler {
  private readonly errors: FieldError[] = [];
  private env: Environment | undefined;
  private registrar: TypeRegistrar | undefined;
  private readonly costs: { path: string; cost: number }[] = [];

  private schema: StructuralSchema | undefined;

  compile(schema: StructuralSchema): Compiled {
    this.schema = schema;
    try {
      const root = this.node(schema, { path: '', root: true, cardinality: 1, cost: { schema, root: true } });
      this.checkTotalCost();
      return { root, errors: this.errors };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      // A schema nested beyond what the walk's stack holds: refused rather than crashing.
      const err: FieldError = { type: 'FieldValueForbidden', field: '', detail: 'schema is nested too deeply to compile x-kubernetes-validations rules' };
      return { root: undefined, errors: [err] };
    }
  }

  private node(s: StructuralSchema, w: Walk): CompiledNode | undefined {
    const n: CompiledNode = { schema: s, rules: [], correlatable: true };
    let keep = false;
    const mapAtomic = s['x-kubernetes-map-type'] === 'atomic';
    for (const [k, ps] of Object.entries(s.properties ?? {})) {
      const child = this.node(ps, this.child(w, `.properties[${k}]`, ps, mapAtomic ? w.path : undefined, 1));
      if (child) { (n.properties ??= new Map()).set(k, child); keep = true; }
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      const ap = s.additionalProperties;
      const child = this.node(ap, this.child(w, '.additionalProperties', ap, mapAtomic ? w.path : undefined, maxCardinalityOf(s)));
      if (child) { n.additionalProperties = child; keep = true; }
    }
    if (s.items) {
      const isMapList = s['x-kubernetes-list-type'] === 'map';
      const child = this.node(s.items, this.child(w, '.items', s.items, isMapList ? undefined : w.path, maxCardinalityOf(s)));
      if (child) { n.items = child; keep = true; }
      if (isMapList) n.mapKeys = s['x-kubernetes-list-map-keys'] ?? [];
    }
    if (mapAtomic) n.correlatable = false;
    if (s.type === 'array' && s['x-kubernetes-list-type'] !== 'map') n.correlatable = false;
    const rules = s['x-kubernetes-validations'];
    if (Array.isArray(rules) && rules.length) {
      n.rules = this.rules(s, rules, w);
      keep = true;
    }
    return keep ? n : undefined;
  }

  private child(w: Walk, suffix: string, s: StructuralSchema, uncorrelatable: string | undefined, card: number): Walk {
    return {
      path: w.path + suffix, root: false, uncorrelatable: w.uncorrelatable ?? uncorrelatable,
      cardinality: w.cardinality * card, cost: { schema: s, root: false },
    };
  }

  private rules(s: StructuralSchema, raw: ValidationRule[], w: Walk): CompiledRule[] {
    // The rules' own fields (rule, message, reason, fieldPath) are checked by CRD validation
    // (src/schema/crd-schema-rules.ts), which compiles rules only once those checks pass.
    const rules = raw.map(sanitize);
    const base = `${w.path}.x-kubernetes-validations`;
    const out: CompiledRule[] = [];
    const envs = this.envsFor(s, w.root);
    rules.forEach((r, i) => out.push(this.rule(r, `${base}[${i}]`, w, envs)));
    return out;
  }

  private envsFor(s: StructuralSchema, root: boolean): { plain: Environment; optional: Environment } {
    if (!this.env) {
      // Every type of the whole schema is registered once, then each node's variables live on
      // clones (cloning freezes the parent, so registration must be complete first).
      const env = sharedLibrary().clone();
      this.registrar = new TypeRegistrar(env);
      this.registrar.typeOf(this.schema!, true);
      this.env = env;
    }
    const t = this.registrar!.typeOf(s, root);
    const plain = this.env.clone().registerVariable('self', t).registerVariable('oldSelf', t);
    const optional = this.env.clone().registerVariable('self', t).registerVariable('oldSelf', `optional<${t}>`);
    return { plain, optional };
  }

  private rule(r: ValidationRule, at: string, w: Walk, envs: { plain: Environment; optional: Environment }): CompiledRule {
    const optionalOldSelf = r.optionalOldSelf === true;
    const cr: CompiledRule = { rule: r, usesOldSelf: false, optionalOldSelf, cost: 0 };
    if (!r.rule || !r.rule.trim()) return cr;
    if (r.fieldPath) {
      const fp = validFieldPath(r.fieldPath, w.cost.root ? w.cost.schema : w.cost.schema);
      if ('path' in fp) cr.fieldPath = fp.path;
    }
    const env = optionalOldSelf ? envs.optional : envs.plain;
    const checked = env.check(r.rule);
    if (!checked.valid) {
      cr.error = `compilation failed: ${formatIssue(r.rule, checked.error)}`;
      this.errors.push({ type: 'FieldValueInvalid', field: `${at}.rule`, detail: `${goRule(r)}: ${cr.error}` });
      return cr;
    }
    if (checked.type !== 'bool') {
      cr.error = 'cel expression must evaluate to a bool';
      this.errors.push({ type: 'FieldValueInvalid', field: `${at}.rule`, detail: `${goRule(r)}: ${cr.error}` });
      return cr;
    }
    const parsed = (optionalOldSelf ? runtimeOptionalEnv : runtimeEnv).parse(r.rule);
    const badRegex = invalidConstantRegex(parsed.ast);
    if (badRegex) {
      cr.error = `program instantiation failed: ${badRegex}`;
      this.errors.push({ type: 'FieldValueInvalid', field: `${at}.rule`, detail: `${goRule(r)}: ${cr.error}` });
      return cr;
    }
    cr.program = parsed as Program;
    cr.usesOldSelf = referencesOldSelf(parsed.ast);
    cr.cost = estimateRuleCost(parsed.ast, w.cost);
    cr.ast = parsed.ast;
    cr.costContext = w.cost;
    this.checkCost(cr.cost, w, `${at}.rule`, 'estimated rule cost');
    if (r.messageExpression && r.messageExpression.trim()) this.messageExpression(r, cr, at, w, env);
    if (cr.usesOldSelf && w.uncorrelatable !== undefined) {
      this.errors.push({ type: 'FieldValueInvalid', field: `${at}.rule`, value: r.rule, detail: `oldSelf cannot be used on the uncorrelatable portion of the schema within ${w.uncorrelatable.replace(/^\./, '') || '<nil>'}` });
    } else if (!cr.usesOldSelf && r.optionalOldSelf !== undefined) {
      this.errors.push({ type: 'FieldValueInvalid', field: `${at}.optionalOldSelf`, value: r.optionalOldSelf, detail: 'may not be set if oldSelf is not used in rule' });
    }
    return cr;
  }

  private messageExpression(r: ValidationRule, cr: CompiledRule, at: string, w: Walk, env: Environment): void {
    const src = r.messageExpression!;
    const checked = env.check(src);
    let detail: string | undefined;
    if (!checked.valid) detail = `messageExpression compilation failed: ${formatIssue(src, checked.error)}`;
    else if (checked.type !== 'string') detail = 'messageExpression must evaluate to a string';
    if (detail) {
      this.errors.push({ type: 'FieldValueInvalid', field: `${at}.messageExpression`, detail: `${goRule(r)}: ${detail}` });
      return;
    }
    const parsed = runtimeEnv.parse(src);
    cr.message = parsed as Program;
    this.checkCost(estimateRuleCost(parsed.ast, w.cost), w, `${at}.messageExpression`, 'estimated messageExpression cost');
  }

  private checkCost(cost: number, w: Walk, field: string, name: string): void {
    const total = cost * w.cardinality;
    if (total > STATIC_ESTIMATED_COST_LIMIT) {
      this.errors.push({ type: 'FieldValueForbidden', field, detail: costErrorMessage(name, total, STATIC_ESTIMATED_COST_LIMIT) });
    }
    this.costs.push({ path: field, cost: total });
  }

  private checkTotalCost(): void {
    const total = this.costs.reduce((a, c) => a + c.cost, 0);
    if (total <= STATIC_ESTIMATED_CRD_COST_LIMIT) return;
    const top = [...this.costs].sort((a, b) => b.cost - a.cost).slice(0, 4);
    for (const c of top) this.errors.push({ type: 'FieldValueForbidden', field: c.path, detail: 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema' });
    this.errors.push({ type: 'FieldValueForbidden', field: '', detail: costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', total, STATIC_ESTIMATED_CRD_COST_LIMIT) });
  }
}

/** A rule as decoded JSON may hold it: fields of the wrong type count as unset (the CRD's own type checks report them). */
function sanitize(r: unknown): ValidationRule {
  const o = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    rule: str(o.rule) ?? '', message: str(o.message), messageExpression: str(o.messageExpression),
    reason: str(o.reason) as ValidationRule['reason'], fieldPath: str(o.fieldPath),
    optionalOldSelf: typeof o.optionalOldSelf === 'boolean' ? o.optionalOldSelf : undefined,
  };
}

/** Upstream's wording for an estimated cost above its limit. */
export function costErrorMessage(name: string, cost: number, limit: number): string {
  const f = cost / limit;
  const factor = f > 100 ? 'more than 100x' : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${name} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

/** A ValidationRule as Go's %#v prints it in upstream's message (pointers shown as set or nil). */
function goRule(r: ValidationRule): string {
  const q = (s: string | undefined) => JSON.stringify(s ?? '');
  const ptr = (t: string, set: boolean) => `(*${t})(${set ? '0xc000000000' : 'nil'})`;
  return `apiextensions.ValidationRule{Rule:${q(r.rule)}, Message:${q(r.message)}, MessageExpression:${q(r.messageExpression)}, `
    + `Reason:${ptr('apiextensions.FieldValueErrorReason', r.reason !== undefined)}, FieldPath:${q(r.fieldPath)}, OptionalOldSelf:${ptr('bool', r.optionalOldSelf !== undefined)}}`;
}

const REGEX_FUNCTIONS = new Set(['matches', 'find', 'findAll']);

/** Upstream compiles constant patterns when the program is built; the first RE2 syntax error, if any. */
function invalidConstantRegex(ast: unknown): string | undefined {
  const stack: unknown[] = [ast];
  while (stack.length) {
    const n = stack.pop() as { op?: string; args?: any } | undefined;
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) { stack.push(...n); continue; }
    if (n.op === 'rcall' && REGEX_FUNCTIONS.has(n.args[0]) && n.args[2]?.[0]?.op === 'value' && typeof n.args[2][0].args === 'string') {
      const re = compilePattern(n.args[2][0].args);
      if (typeof re === 'string') return re;
    }
    if (n.op !== 'value' && n.args !== undefined) stack.push(n.args);
  }
  return undefined;
}

function referencesOldSelf(ast: unknown): boolean {
  const stack: unknown[] = [ast];
  while (stack.length) {
    const n = stack.pop() as { op?: string; args?: unknown } | undefined;
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) { stack.push(...n); continue; }
    if (n.op === 'id' && n.args === 'oldSelf') return true;
    if (n.op !== 'value' && n.args !== undefined) stack.push(n.args);
  }
  return false;
}
