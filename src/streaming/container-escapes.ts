// printf and echo -e byte escapes (`\377`, `\xff`) in the simulated container.
//
// The interpreter's printf and echo return an escape such as `\303` as the character U+00C3 in
// text output, which is then written UTF-8-encoded (two bytes, c3 83) where a real shell writes
// the one byte c3: `printf '\303\251'` must print "é" (c3 a9), not "Ã©". When no argument holds
// a character in U+0080..U+00FF and none uses a \u escape, every such character in the output can
// only have come from a byte escape, so the output is handed on as bytes: those characters as
// the bytes they name, everything else UTF-8-encoded. Otherwise the output is left as it is.
import type { ExecResult } from 'just-bash';

const LATIN1_HIGH = /[\u0080-\u00ff]/;

export function rawByteEscapes(args: string[], r: ExecResult): ExecResult {
  if (r.stdoutKind === 'bytes' || r.stdoutEncoding === 'binary' || !LATIN1_HIGH.test(r.stdout)) return r;
  if (args.some((a) => LATIN1_HIGH.test(a) || /\\[uU]/.test(a))) return r;
  let bytes = '';
  for (const ch of r.stdout) {
    const c = ch.codePointAt(0)!;
    bytes += c <= 0xff ? ch : Buffer.from(ch, 'utf8').toString('latin1');
  }
  return { ...r, stdout: bytes, stdoutKind: 'bytes' };
}
