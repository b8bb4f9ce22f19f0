// Compiling a standalone CEL expression against declared variables: the building block that
// ValidatingAdmissionPolicy validations and webhook matchConditions will use (their variables are
// `object`, `oldObject`, `request`, `params`, ... typed dyn or by the caller).
import type { Environment } from '@marcbachmann/cel-js';
import { libraryEnv } from './env.ts';
import { formatIssue } from './issues.ts';
import type { Program } from './compile.ts';

export type CompileResult = { program: Program; type: string } | { error: string };

const envs = new Map<string, Environment>();

/** An environment with the libraries and the given variables (cached per variable set). */
function envFor(vars: Record<string, string>): Environment {
  const key = JSON.stringify(Object.entries(vars).sort());
  let env = envs.get(key);
  if (!env) {
    env = libraryEnv();
    for (const [name, type] of Object.entries(vars)) env.registerVariable(name, type);
    envs.set(key, env);
  }
  return env;
}

/**
 * Type-checks and parses `src`. `resultType` (e.g. 'bool') is enforced when given; errors read as
 * cel-go's (`compilation failed: ERROR: <input>:L:C: ...`).
 */
export function compileExpression(src: string, vars: Record<string, string>, resultType?: string): CompileResult {
  const env = envFor(vars);
  const checked = env.check(src);
  if (!checked.valid) return { error: `compilation failed: ${formatIssue(src, checked.error)}` };
  if (resultType && checked.type !== resultType && checked.type !== 'dyn') return { error: `cel expression must evaluate to a ${resultType}` };
  return { program: env.parse(src) as Program, type: checked.type ?? 'dyn' };
}
