// Regular expressions with RE2 semantics (k8s.io/apiserver/pkg/cel/library/regex.go): find and
// findAll, plus the RE2 syntax check used when rules are compiled (@bufbuild/re2, the RE2 port
// cel-es uses).
import type { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from '@bufbuild/re2';

const cache = new Map<string, RegExp>();

/**
 * Compiles an RE2 pattern: RE2 checks the syntax (so lookaround and backreferences are refused as
 * upstream refuses them), then the pattern runs as a JS RegExp, to which RE2's syntax (a subset of
 * JS syntax but for a few spellings, translated here) maps one to one.
 */
export function compileRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    RE2JS.compile(pattern);
    re = toJsRegExp(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  re.lastIndex = 0;
  return re;
}

function toJsRegExp(pattern: string): RegExp {
  let flags = 'g';
  let p = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead) {
    if (lead[1].includes('i')) flags += 'i';
    if (lead[1].includes('m')) flags += 'm';
    if (lead[1].includes('s')) flags += 's';
    p = p.slice(lead[0].length);
  }
  p = p.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$(?![\\s\\S])').replace(/\\A/g, '^');
  return new RegExp(p, flags);
}

function matchAt(re: RegExp, s: string, pos: number): [number, number] | null {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? [m.index, m.index + m[0].length] : null;
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
