// Evaluating `x-kubernetes-validations` on a write (k8s.io/apiextensions-apiserver
// pkg/apiserver/schema/cel/validation.go): walk the compiled rule tree alongside the object (and
// the old object, correlated through granular maps and list-type=map lists), bind `self` (and
// `oldSelf`), and report each rule that does not hold with upstream's wording. Evaluation is
// charged against upstream's runtime budget (per object and per call); errors of unchanged values
// are ratcheted (reported as warnings) as upstream's CRDValidationRatcheting does.
import { Optional } from '@marcbachmann/cel-js';
import type { StructuralSchema } from '../schema/types.ts';
import { fieldErrorMessage, type FieldError } from '../errors.ts';
import { compiledTree, type CompiledNode, type CompiledRule } from './compile.ts';
import { runtimeRuleCost } from './cost.ts';
import { celEquals } from './library/compare.ts';
import { toCel } from './values.ts';

/** Upstream's runtime CEL cost budget per object, and the limit for a single expression. */
export const RUNTIME_COST_BUDGET = 10_000_000;
export const PER_CALL_LIMIT = 1_000_000;
/** Below this estimated cost a rule is charged its estimate instead of measuring it on the values. */
const CHEAP_RULE = 1000;
const MAX_MESSAGE_BYTES = 5 * 1024;

export interface ValidateOptions {
  /** The path of the object's root in messages; upstream validates custom resources at a nil path. */
  rootPath?: string;
  /** Receives the messages of ratcheted failures (unchanged values on update), as upstream's warnings. */
  warnings?: string[];
  /** The runtime cost budget (default upstream's 10,000,000). */
  budget?: number;
}

interface Run { errs: FieldError[]; warnings?: string[]; rootLabel: string; budget: number; stopped: boolean }

/** Runs every CEL rule of `schema` on `obj` (an update passes `oldObj`). Answers the failures. */
export function validateCel(schema: StructuralSchema, obj: unknown, oldObj: unknown, opts: ValidateOptions = {}): FieldError[] {
  const tree = compiledTree(schema);
  if (!tree) return [];
  const run: Run = { errs: [], warnings: opts.warnings, rootLabel: opts.rootPath ?? '<nil>', budget: opts.budget ?? RUNTIME_COST_BUDGET, stopped: false };
  try {
    walk(run, tree, obj, oldObj, undefined, true);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    run.errs.push({ type: 'FieldValueInvalid', field: run.rootLabel, value: 'object', detail: 'object is nested too deeply to evaluate x-kubernetes-validations rules' });
  }
  return run.errs;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const join = (p: string | undefined, name: string) => (p === undefined ? name : `${p}.${name}`);

function walk(run: Run, n: CompiledNode, v: unknown, old: unknown, path: string | undefined, root: boolean): void {
  if (v === undefined || v === null || run.stopped) return;
  if (n.rules.length) runRules(run, n, v, old, path, root);
  const oldOk = n.correlatable ? old : undefined;
  if (isObject(v)) {
    if (n.properties) {
      for (const [k, child] of n.properties) {
        if (!Object.hasOwn(v, k)) continue;
        walk(run, child, v[k], isObject(oldOk) && Object.hasOwn(oldOk, k) ? oldOk[k] : undefined, join(path, k), false);
      }
    }
    if (n.additionalProperties) {
      for (const k of Object.keys(v)) {
        const p = path === undefined ? `[${k}]` : `${path}[${k}]`;
        walk(run, n.additionalProperties, v[k], isObject(oldOk) && Object.hasOwn(oldOk, k) ? oldOk[k] : undefined, p, false);
      }
    }
  } else if (Array.isArray(v) && n.items) {
    const oldIndex = n.mapKeys && Array.isArray(old) ? indexByKeys(old, n.mapKeys) : undefined;
    for (let i = 0; i < v.length; i++) {
      const oldItem = oldIndex ? oldIndex.get(keyOf(v[i], n.mapKeys!)) : undefined;
      walk(run, n.items, v[i], oldItem, `${path ?? ''}[${i}]`, false);
    }
  }
}

function keyOf(item: unknown, keys: string[]): string {
  if (!isObject(item)) return '';
  return JSON.stringify(keys.map((k) => item[k] ?? null));
}
function indexByKeys(list: unknown[], keys: string[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) m.set(keyOf(item, keys), item);
  return m;
}

function runRules(run: Run, n: CompiledNode, v: unknown, old: unknown, path: string | undefined, root: boolean): void {
  const here = path ?? run.rootLabel;
  const type = n.schema.type ?? '';
  const hasOld = old !== undefined && old !== null;
  let self: unknown, oldSelf: unknown, converted = false, unchanged: boolean | undefined;
  for (const r of n.rules) {
    if (r.error) { run.errs.push({ type: 'FieldValueInvalid', field: here, value: type, detail: `rule compile error: ${r.error}` }); continue; }
    if (!r.program) continue;
    if (r.usesOldSelf && !hasOld && !r.optionalOldSelf) continue;
    if (!charge(run, r, v, hasOld ? old : undefined, here, type)) return;
    if (!converted) {
      self = toCel(n.schema, v, root);
      oldSelf = hasOld ? toCel(n.schema, old, root) : undefined;
      converted = true;
    }
    const ctx = { self, oldSelf: r.optionalOldSelf ? (hasOld ? Optional.of(oldSelf) : Optional.none()) : oldSelf };
    let result: unknown;
    try {
      result = r.program(ctx);
    } catch (e) {
      run.errs.push({ type: 'FieldValueInvalid', field: here, value: type, detail: evalErrorDetail(e, r) });
      continue;
    }
    if (result === true) continue;
    const field = r.fieldPath ? (path === undefined ? r.fieldPath : joinFieldPath(path, r.fieldPath)) : here;
    const err = failure(r, field, n.schema, v, messageFor(r, { self, oldSelf }));
    unchanged ??= hasOld && celEquals(v, old);
    if (!r.usesOldSelf && unchanged) run.warnings?.push(fieldErrorMessage(err));
    else run.errs.push(err);
  }
}

/** Charges a rule's cost to the budget; false (with upstream's error recorded) when it stops validation. */
function charge(run: Run, r: CompiledRule, v: unknown, old: unknown, here: string, type: string): boolean {
  let cost = r.cost;
  if (cost > CHEAP_RULE && r.ast && r.costContext) cost = runtimeRuleCost(r.ast, r.costContext, v, old);
  if (cost > PER_CALL_LIMIT) {
    run.errs.push({ type: 'FieldValueInvalid', field: here, value: type, detail: `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(r)}` });
    run.stopped = true;
    return false;
  }
  if (cost > run.budget) {
    run.errs.push({ type: 'FieldValueInvalid', field: here, value: type, detail: 'validation failed due to running out of cost budget, no further validation rules will be run' });
    run.stopped = true;
    return false;
  }
  run.budget -= cost;
  return true;
}

function joinFieldPath(path: string, fp: string): string {
  return fp.startsWith('[') ? path + fp : `${path}.${fp}`;
}

function ruleErrorString(r: CompiledRule): string {
  return r.rule.message ? r.rule.message.trim() : r.rule.rule.trim();
}

function evalErrorDetail(e: unknown, r: CompiledRule): string {
  const err = e as { summary?: string; message?: string };
  let msg = err.summary ?? err.message ?? String(e);
  msg = msg.charAt(0).toLowerCase() + msg.slice(1);
  // cel-go's wording for the common runtime errors
  msg = msg.replace(/^no such key: index out of bounds, index (-?\d+).*$/, 'index out of bounds: $1').replace(/^integer overflow.*$/, 'integer overflow');
  if (msg.startsWith('no such overload')) {
    return `'${msg}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(r)}`;
  }
  return `${msg} evaluating rule: ${ruleErrorString(r)}`;
}

function messageFor(r: CompiledRule, ctx: { self: unknown; oldSelf: unknown }): string {
  if (r.message) {
    try {
      const m = r.message(ctx);
      if (typeof m === 'string') {
        const t = m.trim();
        if (t && t.length <= MAX_MESSAGE_BYTES && !t.includes('\n')) return t;
      }
    } catch { /* upstream logs the failure and falls back to the static message */ }
  }
  return r.rule.message ? r.rule.message.trim() : `failed rule: ${r.rule.rule.trim()}`;
}

function failure(r: CompiledRule, field: string, s: StructuralSchema, v: unknown, detail: string): FieldError {
  const value = s.type === 'object' || s.type === 'array' || isObject(v) || Array.isArray(v) ? undefined : v;
  switch (r.rule.reason) {
    case 'FieldValueForbidden': return { type: 'FieldValueForbidden', field, detail };
    case 'FieldValueRequired': return { type: 'FieldValueRequired', field, detail };
    case 'FieldValueDuplicate': return { type: 'FieldValueDuplicate', field, value };
    default: return { type: 'FieldValueInvalid', field, value, detail };
  }
}
