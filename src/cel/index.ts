// CEL for Kubernetes: compile `x-kubernetes-validations` at CRD write time, evaluate them on
// object writes. Built on cel-js with Kubernetes' CEL libraries; later users (admission policies,
// webhook matchConditions) reuse env.ts and library/.
export { compileSchemaRules, compiledTree, costErrorMessage, STATIC_ESTIMATED_COST_LIMIT, STATIC_ESTIMATED_CRD_COST_LIMIT } from './compile.ts';
export { validateCel, type ValidateOptions, RUNTIME_COST_BUDGET, PER_CALL_LIMIT } from './validate.ts';
export { libraryEnv, runtimeEnv } from './env.ts';
export { compileExpression, type CompileResult } from './expression.ts';
