// Evaluating a compiled policy for one binding and one param (upstream's validator.Validate): match
// conditions first (false: the policy does not apply; errors under failurePolicy), then every
// validation — a false result is a denial with its message (messageExpression, then message, then
// `failed expression: …`) and reason; an error is a denial under Fail and nothing under Ignore — then
// the audit annotations.
import type { CompiledExpr, CompiledPolicy } from './compile.ts';
import { lazyVariables } from './activation.ts';

export interface Decision {
  action: 'admit' | 'deny';
  evaluation: 'admit' | 'deny' | 'error';
  message: string;
  reason?: string;
  /** Index of the validation (for the Audit action's annotation). */
  index: number;
}

export interface AuditAnnotationResult { key: string; action: 'publish' | 'exclude' | 'error'; value?: string; error?: string }

/** The failed validations (an admitted one leaves no decision) and the audit annotations. */
export interface ValidateResult { decisions: Decision[]; auditAnnotations: AuditAnnotationResult[] }

const MAX_MESSAGE_BYTES = 5 * 1024;

type Eval = { value: unknown } | { error: string };

const failed = (e: CompiledExpr, err: unknown): Eval => ({ error: `expression '${e.src}' resulted in error: ${celErrorText(err)}` });

/** Runs one expression: its value, or upstream's error text (compile errors are reported at evaluation). */
function run(e: CompiledExpr, ctx: Record<string, unknown>): Eval | Promise<Eval> {
  if (e.error) return { error: `compilation error: ${e.error}` };
  try {
    const v = e.program!(ctx);
    if (v instanceof Promise) return v.then((value) => ({ value }), (err) => failed(e, err));
    return { value: v };
  } catch (err) {
    return failed(e, err);
  }
}

/**
 * The evaluation is written once, as a generator that yields each expression it needs and receives
 * its result. The driver runs it synchronously (no promise per expression: the common case) until an
 * expression awaits something (an asynchronous authorizer), then carries on asynchronously.
 */
type Steps<T> = Generator<CompiledExpr, T, Eval>;

function drive<T>(gen: Steps<T>, ctx: Record<string, unknown>): T | Promise<T> {
  let step = gen.next(undefined as never);
  while (!step.done) {
    const r = run(step.value, ctx);
    if (r instanceof Promise) return r.then((ev) => driveAsync(gen, ctx, ev));
    step = gen.next(r);
  }
  return step.value;
}

async function driveAsync<T>(gen: Steps<T>, ctx: Record<string, unknown>, first: Eval): Promise<T> {
  let step = gen.next(first);
  while (!step.done) step = gen.next(await run(step.value, ctx));
  return step.value;
}

/** cel-js's runtime error as cel-go words it (first line, lower-case start). */
export function celErrorText(e: unknown): string {
  const err = e as { summary?: string; message?: string };
  let msg = (err.summary ?? err.message ?? String(e)).split('\n')[0].trim();
  msg = msg.charAt(0).toLowerCase() + msg.slice(1);
  return msg.replace(/^no such key: index out of bounds, index (-?\d+).*$/, 'index out of bounds: $1').replace(/^integer overflow.*$/, 'integer overflow');
}

const errorAction = (fp: string): Decision['action'] => (fp === 'Ignore' ? 'admit' : 'deny');

function* matchConditions(p: CompiledPolicy): Steps<{ matches: boolean; error?: string }> {
  const errors: string[] = [];
  for (const mc of p.matchConditions) {
    const r = yield mc.expr;
    if ('error' in r) { errors.push(r.error); continue; }
    if (r.value === false) return { matches: false };
  }
  if (!errors.length) return { matches: true };
  if (p.failurePolicy === 'Ignore') return { matches: false };
  return { matches: true, error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` };
}

function* message(v: CompiledPolicy['validations'][number]): Steps<string> {
  if (v.messageExpr) {
    const r = yield v.messageExpr;
    if ('value' in r && typeof r.value === 'string') {
      const m = r.value.trim();
      if (m && Buffer.byteLength(m) <= MAX_MESSAGE_BYTES && !m.includes('\n')) return m;
    }
  }
  if (v.message && v.message.trim()) return v.message.trim();
  return `failed expression: ${v.expr.src.trim()}`;
}

function* auditAnnotations(p: CompiledPolicy): Steps<AuditAnnotationResult[]> {
  const out: AuditAnnotationResult[] = [];
  const onError = p.failurePolicy === 'Ignore' ? 'exclude' : 'error';
  for (const a of p.auditAnnotations) {
    const r = yield a.expr;
    if ('error' in r) { out.push({ key: a.key, action: onError, error: r.error }); continue; }
    if (r.value === null) out.push({ key: a.key, action: 'exclude' });
    else if (typeof r.value === 'string') {
      const v = r.value.trim();
      out.push(v ? { key: a.key, action: 'publish', value: v } : { key: a.key, action: 'exclude' });
    } else {
      out.push({ key: a.key, action: 'error', error: `valueExpression '${a.expr.src}' resulted in unsupported return type: ${celTypeName(r.value)}. Return type must be either string or null.` });
    }
  }
  return out;
}

function celTypeName(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'map';
  return typeof v;
}

/**
 * `base` holds object, oldObject, request, namespaceObject, authorizer; `params` is this binding's
 * param (or null). Synchronous unless an expression awaits.
 */
export function validate(p: CompiledPolicy, base: Record<string, unknown>, params: unknown): ValidateResult | Promise<ValidateResult> {
  // The shared values serve as they are unless this policy adds params or variables.
  let ctx = base;
  if (p.hasParams || p.variables.length) {
    ctx = { ...base };
    if (p.hasParams) ctx.params = params ?? null;
    if (p.variables.length) ctx.variables = lazyVariables(p.variables, ctx);
  }
  return drive(steps(p), ctx);
}

function* steps(p: CompiledPolicy): Steps<ValidateResult> {
  const fp = p.failurePolicy;
  if (p.matchConditions.length) {
    const m = yield* matchConditions(p);
    if (m.error) return { decisions: [{ action: errorAction(fp), evaluation: 'error', message: m.error, index: 0 }], auditAnnotations: [] };
    if (!m.matches) return { decisions: [], auditAnnotations: [] };
  }
  const decisions: Decision[] = [];
  for (let i = 0; i < p.validations.length; i++) {
    const v = p.validations[i];
    const r = yield v.expr;
    if ('error' in r) decisions.push({ action: errorAction(fp), evaluation: 'error', message: r.error, index: i });
    else if (r.value !== true) decisions.push({ action: 'deny', evaluation: 'deny', message: yield* message(v), reason: v.reason ?? 'Invalid', index: i });
  }
  return { decisions, auditAnnotations: p.auditAnnotations.length ? yield* auditAnnotations(p) : [] };
}
