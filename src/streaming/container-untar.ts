// `tar -x` for the simulated container, as GNU tar extracts (running as root).
//
// `kubectl cp ./local <pod>:/dir/name` runs `tar -xmf - -C /dir` with the archive on stdin. The
// interpreter's tar reads stdin one character at a time (about 1 s for 10 MiB) and refuses
// absolute symlink targets; here the archive is read with tar-stream. One deliberate difference
// from GNU tar: a missing -C directory is created, not fatal, because the simulated filesystem
// lacks the image's directories (/usr/share/nginx/html, /srv, ...) that a real copy would find.
// Member selection by operand, and bzip2/xz/zstd input, go to the interpreter's tar.
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import type { ExecResult, IFileSystem } from 'just-bash';
import { parseTarArgs } from './container-tar.ts';

export interface UntarContext { fs: IFileSystem; cwd: string; stdinBytes: () => string }

const fatal = (msg: string): ExecResult => ({ stdout: '', stderr: `tar: ${msg}\ntar: Error is not recoverable: exiting now\n`, exitCode: 2 });

/** Magic numbers of the compressions the interpreter's tar reads and this module does not. */
const OTHER_COMPRESSION = [Buffer.from('BZh'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];

/** Run `tar -x ...` as GNU tar would; `undefined` when the command line is not one this module handles. */
export async function extractArchive(args: string[], ctx: UntarContext): Promise<ExecResult | undefined> {
  const a = parseTarArgs(args);
  if (!a.extract || a.create || a.otherMode || a.unsupported || a.members.length) return undefined;
  const { fs } = ctx;
  let data: Buffer;
  if (a.file === undefined || a.file === '-') data = Buffer.from(ctx.stdinBytes(), 'latin1');
  else {
    try { data = Buffer.from(await fs.readFileBuffer(fs.resolvePath(ctx.cwd, a.file))); } catch { return fatal(`${a.file}: Cannot open: No such file or directory`); }
  }
  if (OTHER_COMPRESSION.some((m) => data.subarray(0, m.length).equals(m))) return undefined;
  if (a.gzip || (data[0] === 0x1f && data[1] === 0x8b)) {
    try { data = gunzipSync(data); } catch { return { stdout: '', stderr: 'gzip: stdin: not in gzip format\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now\n', exitCode: 2 }; }
  }
  const dir = a.dir === undefined ? ctx.cwd : fs.resolvePath(ctx.cwd, a.dir);
  const dirOk = await fs.mkdir(dir, { recursive: true }).then(() => fs.stat(dir)).then((s) => s.isDirectory, () => false);
  if (!dirOk) return fatal(`${a.dir}: Cannot open: Not a directory`);

  const listing: string[] = [];
  const errors: string[] = [];
  const notes = new Set<string>();
  const place = (raw: string): string | undefined => {
    let name = raw;
    if (!a.absolute) {
      if (name.split('/').includes('..')) { errors.push(`tar: ${raw}: Member name contains '..'`); return undefined; }
      const lead = /^\/+/.exec(name)?.[0];
      if (lead) { notes.add(`tar: Removing leading \`${lead}' from member names`); name = name.slice(lead.length); }
    }
    name = name.replace(/\/+$/, '');
    return name === '' || name === '.' ? undefined : fs.resolvePath(dir, name);
  };
  const x = extract();
  const done = (async () => {
    for await (const e of x) {
      const h = e.header;
      const parts: Buffer[] = [];
      for await (const b of e) parts.push(b as Buffer);
      const target = place(h.name);
      if (!target) continue;
      try {
        await write(fs, target, h, Buffer.concat(parts), a.keepOld, a.touch, place);
        if (a.verbose) listing.push(h.name);
      } catch (err) {
        errors.push(`tar: ${h.name}: ${(err as Error).message}`);
      }
    }
  })();
  x.end(data);
  try { await done; } catch {
    errors.push('tar: This does not look like a tar archive');
  }
  let stderr = [...notes].map((n) => `${n}\n`).join('');
  if (errors.length) stderr += `${errors.join('\n')}\ntar: Exiting with failure status due to previous errors\n`;
  return { stdout: listing.map((l) => `${l}\n`).join(''), stderr, exitCode: errors.length ? 2 : 0 };
}

type Header = { name: string; type?: string | null; mode?: number; mtime?: Date; linkname?: string | null };

async function write(fs: IFileSystem, target: string, h: Header, body: Buffer, keepOld: boolean, touch: boolean, place: (n: string) => string | undefined): Promise<void> {
  const parent = target.slice(0, target.lastIndexOf('/')) || '/';
  const existing = await fs.lstat(target).catch(() => undefined);
  if (h.type === 'directory') {
    if (existing?.isDirectory) { if (h.mode !== undefined) await fs.chmod(target, h.mode & 0o7777); return; }
    if (existing) await fs.rm(target, { force: true });
    await fs.mkdir(target, { recursive: true });
    if (h.mode !== undefined) await fs.chmod(target, h.mode & 0o7777);
    return;
  }
  if (existing && keepOld) throw new Error('Cannot open: File exists');
  if (existing?.isDirectory) throw new Error('Cannot open: Is a directory');
  await fs.mkdir(parent, { recursive: true });
  if (existing) await fs.rm(target, { force: true }); // GNU unlinks before extracting
  if (h.type === 'symlink') { await fs.symlink(h.linkname ?? '', target); return; }
  if (h.type === 'link') {
    const from = place(h.linkname ?? '');
    if (!from) throw new Error('Cannot hard link: Invalid argument');
    await fs.link(from, target);
    return;
  }
  if (h.type !== 'file' && h.type !== 'contiguous-file' && h.type) throw new Error('Cannot mknod: Operation not permitted');
  await fs.writeFile(target, body);
  if (h.mode !== undefined) await fs.chmod(target, h.mode & 0o7777);
  if (!touch && h.mtime) await fs.utimes(target, h.mtime, h.mtime);
}
