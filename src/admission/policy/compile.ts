// A ValidatingAdmissionPolicy compiled for evaluation (upstream's compilePolicy): variables composed in
// order, then validations (bool), their messageExpressions (string, no authorizer), auditAnnotations
// (string or null) and matchConditions (bool). An expression that does not compile keeps its error,
// which evaluation reports under the policy's failurePolicy. Compiled once per policy resourceVersion.
import { AdmissionCompiler, type CompiledVariable } from '../../cel/admission.ts';
import type { Program } from '../../cel/compile.ts';
import type { ValidatingAdmissionPolicy } from '../../types/generated.ts';

export interface CompiledExpr { src: string; program?: Program; error?: string }

export interface CompiledValidation {
  expr: CompiledExpr;
  message?: string;
  messageExpr?: CompiledExpr;
  reason?: string;
}

export interface CompiledPolicy {
  hasParams: boolean;
  variables: CompiledVariable[];
  validations: CompiledValidation[];
  auditAnnotations: { key: string; expr: CompiledExpr }[];
  matchConditions: { name: string; expr: CompiledExpr }[];
  failurePolicy: string;
}

const BOOL = ['bool'];
const STRING = ['string'];
const STRING_OR_NULL = ['string', 'null_type'];

function expr(c: AdmissionCompiler, src: unknown, types: string[], noAuthorizer = false): CompiledExpr {
  const s = typeof src === 'string' ? src : '';
  const r = noAuthorizer ? c.check(s, types, { hasParams: c.hasParams, hasAuthorizer: false }) : c.check(s, types);
  return 'error' in r ? { src: s, error: r.error } : { src: s, program: r.program };
}

/** A compiler for a policy's expressions (with `variables` when the policy declares any). */
export function policyCompiler(p: ValidatingAdmissionPolicy): AdmissionCompiler {
  const spec = p.spec ?? {};
  return new AdmissionCompiler({ hasParams: !!spec.paramKind, hasAuthorizer: true }, (spec.variables ?? []).length > 0);
}

export function compilePolicy(p: ValidatingAdmissionPolicy): CompiledPolicy {
  const spec = p.spec ?? {};
  const c = policyCompiler(p);
  for (const v of spec.variables ?? []) c.addVariable(String(v?.name ?? ''), String(v?.expression ?? ''));
  return {
    hasParams: !!spec.paramKind,
    variables: c.variables,
    validations: (spec.validations ?? []).map((v) => ({
      expr: expr(c, v.expression, BOOL),
      message: v.message,
      messageExpr: v.messageExpression ? expr(c, v.messageExpression, STRING, true) : undefined,
      reason: v.reason,
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({ key: a.key, expr: expr(c, String(a.valueExpression ?? '').trim(), STRING_OR_NULL) })),
    matchConditions: (spec.matchConditions ?? []).map((m) => ({ name: m.name, expr: expr(c, m.expression, BOOL) })),
    failurePolicy: spec.failurePolicy ?? 'Fail',
  };
}

export { BOOL, STRING, STRING_OR_NULL };
