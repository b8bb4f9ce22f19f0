// busybox `hexdump -C`: the canonical hex+ASCII dump of files (or stdin), 16 bytes a line with the
// offset first, repeated lines folded into `*`, and the total length on the last line. Only the
// canonical format is emulated; other formats are refused with a message that says so.
import type { ProgramIO } from '../types.ts';

const hex2 = (b: number) => b.toString(16).padStart(2, '0');
const offset = (n: number) => n.toString(16).padStart(8, '0');

/** One canonical line: the offset, 16 byte columns in two groups of 8, the printable characters. */
function line(at: number, row: Uint8Array): string {
  let cols = '';
  for (let i = 0; i < 16; i++) cols += (i === 8 ? ' ' : '') + (i < row.length ? `${hex2(row[i])} ` : '   ');
  const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${offset(at)}  ${cols} |${text}|\n`;
}

export function canonical(bytes: Uint8Array): string {
  let out = '', prev: string | undefined, folded = false;
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const key = Buffer.from(row).toString('hex');
    if (row.length === 16 && key === prev) { if (!folded) out += '*\n'; folded = true; continue; }
    prev = key; folded = false;
    out += line(at, row);
  }
  return bytes.length ? `${out}${offset(bytes.length)}\n` : out;
}

async function readAll(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(c);
  return Buffer.concat(parts);
}

export async function hexdump(io: ProgramIO): Promise<number> {
  const args = io.argv.slice(1);
  const opts = args.filter((a) => a.startsWith('-') && a !== '-');
  const bad = opts.find((o) => o !== '-C');
  if (bad !== undefined || !opts.length) {
    io.stderr(`hexdump: only the canonical format (-C) is emulated in Skiff's containers${bad ? `, not ${bad}` : ''}\n`);
    return 1;
  }
  const files = args.filter((a) => !a.startsWith('-') || a === '-');
  const chunks: Buffer[] = [];
  let code = 0;
  for (const f of files.length ? files : ['-']) {
    if (f === '-') { chunks.push(io.stdin ? await readAll(io.stdin) : Buffer.alloc(0)); continue; }
    const path = f.startsWith('/') ? f : `${io.cwd.replace(/\/$/, '')}/${f}`;
    try { chunks.push(Buffer.from(await io.fs.readFileBuffer(path))); } catch { io.stderr(`hexdump: ${f}: No such file or directory\n`); code = 1; }
  }
  io.stdout(canonical(Buffer.concat(chunks)));
  return code;
}
