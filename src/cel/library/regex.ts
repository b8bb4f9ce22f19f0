// Regular expressions with RE2 semantics (k8s.io/apiserver/pkg/cel/library/regex.go): find and
// findAll, matched in linear time by the same RE2 port that schema `pattern`s use (src/schema/regex.ts).
import type { Environment } from '@marcbachmann/cel-js';
import { compilePattern } from '../../schema/regex.ts';
import type { RE2JS } from 're2js';

/** The compiled pattern; a syntax error throws with Go's wording, which CEL reports as an evaluation error. */
export function compileRegex(pattern: string): RE2JS {
  const re = compilePattern(pattern);
  if (typeof re === 'string') throw new Error(re);
  return re;
}

function matchAt(re: RE2JS, s: string, pos: number): [number, number] | null {
  const m = re.matcher(s);
  return m.find(pos) ? [m.start(), m.end()] : null;
}

function find(s: string, pattern: string): string {
  const m = matchAt(compileRegex(pattern), s, 0);
  return m ? s.slice(m[0], m[1]) : '';
}

function findAll(s: string, pattern: string, limit = -1n): string[] {
  const re = compileRegex(pattern);
  const out: string[] = [];
  let pos = 0, prevEnd = -1;
  while (pos <= s.length && (limit < 0n || BigInt(out.length) < limit)) {
    const m = matchAt(re, s, pos);
    if (!m) break;
    if (m[1] === m[0] && m[0] === prevEnd) { pos = m[0] + 1; continue; }
    out.push(s.slice(m[0], m[1]));
    prevEnd = m[1];
    pos = m[1] === m[0] ? m[1] + 1 : m[1];
  }
  return out;
}


export function registerRegex(env: Environment): void {
  env.registerFunction('string.find(string): string', find);
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p));
  env.registerFunction('string.findAll(string, int): list<string>', findAll);
}
