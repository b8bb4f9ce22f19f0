// Regular expressions with Go's semantics. Schema `pattern`s are Go regexp (RE2) syntax, matched in
// linear time; JavaScript's RegExp differs in syntax (lookarounds, backreferences) and backtracks
// (a hostile pattern could stall the server). re2js is a pure-JS port of RE2 whose syntax errors read
// exactly as Go's `regexp.Compile` errors ("error parsing regexp: missing closing ): `(a`").
import { RE2JS } from 're2js';

/** Longest pattern we compile; longer ones are refused as upstream refuses over-large programs. */
export const MAX_PATTERN_LENGTH = 64 * 1024;
const CACHE_LIMIT = 512;
const cache = new Map<string, RE2JS | string>();

/** A compiled pattern, or the Go-worded compile error. */
export function compilePattern(pattern: string): RE2JS | string {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let out: RE2JS | string;
  if (pattern.length > MAX_PATTERN_LENGTH) out = 'error parsing regexp: expression too large';
  else {
    try {
      out = RE2JS.compile(pattern);
    } catch (e) {
      out = goRegexpError(e instanceof Error ? e.message : String(e));
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(pattern, out);
  return out;
}

// Go's *syntax.Error always ends in ": `expr`", even when expr is empty.
function goRegexpError(msg: string): string {
  if (!msg.startsWith('error parsing regexp:')) return `error parsing regexp: ${msg}`;
  return msg.endsWith('`') ? msg : `${msg}: \`\``;
}

/** Go's `regexp.MatchString`: does the pattern match anywhere in s? */
export function patternMatches(re: RE2JS, s: string): boolean {
  return re.matcher(s).find();
}
