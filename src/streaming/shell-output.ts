// Byte-exact output from `sh -c SCRIPT` in the simulated container.
//
// just-bash (3.4.2) keeps each command's output as text or as bytes, but a compound command, a
// function body or `sh -c` hands its gathered output on as text, so bytes >= 0x80 written by cat,
// tar or base64 -d come out UTF-8-encoded (256 bytes become 384). Output written through a
// shell-wide `exec >file` redirection is stored command by command, exactly. That redirection
// however also captures the left side of a pipeline (`echo hi | tr a-z A-Z` would print "hi"),
// so a script containing a pipeline anywhere, or running code the parser cannot see (eval,
// source), keeps the interpreter's own handling: correct text, possibly re-encoded high bytes.
import type { parse as parseFn } from 'just-bash';

/** Whether a parsed script contains a pipeline of two or more commands, at any depth. */
function hasPipeline(node: unknown, seen = new Set<object>()): boolean {
  if (!node || typeof node !== 'object' || seen.has(node)) return false;
  seen.add(node);
  const n = node as { type?: string; commands?: unknown[] };
  if (n.type === 'Pipeline' && Array.isArray(n.commands) && n.commands.length > 1) return true;
  for (const v of Object.values(node)) if (hasPipeline(v, seen)) return true;
  return false;
}

/** eval, source or `.` in command position. */
const DYNAMIC = /(^|[;&|(`{\n]|\b(?:then|do|else)\s)\s*(eval|source|\.)(\s|$)/m;

/**
 * The script to run instead of `script` so that its stdout and stderr land byte-exact in `out`
 * and `err`; undefined when the script must run as it is.
 */
export function byteExactScript(script: string, parse: typeof parseFn, out: string, err: string): string | undefined {
  if (DYNAMIC.test(script)) return undefined;
  try {
    if (hasPipeline(parse(script))) return undefined;
  } catch {
    return undefined; // a syntax error: let the shell report it
  }
  // On the script's first line, so $LINENO and error line numbers stay the script's own.
  return `exec >${out} 2>${err}; ${script}`;
}
