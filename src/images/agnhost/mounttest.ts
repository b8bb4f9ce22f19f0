// agnhost mounttest: in upstream's fixed order, prints a path's filesystem type, writes new files
// with given modes and reads them back, prints mode, permissions, owner and content of files, and
// can poll a file's content. Any failure makes the exit status 1.
import type { ProgramIO } from '../types.ts';
import { cobraFlags } from '../program-kit.ts';
import { fsTypeOf, goFileMode, TMPFS_MAGIC, volumeAt } from '../file-mode.ts';

const INITIAL = 'mount-tester new file\n';
const q = (s: string) => JSON.stringify(s);

export async function mounttest(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost mounttest', args, {
    fs_type: { type: 'string', default: '' }, file_mode: { type: 'string', default: '' }, file_perm: { type: 'string', default: '' },
    file_owner: { type: 'string', default: '' }, new_file_0644: { type: 'string', default: '' }, new_file_0666: { type: 'string', default: '' },
    new_file_0660: { type: 'string', default: '' }, new_file_0777: { type: 'string', default: '' }, file_content: { type: 'string', default: '' },
    file_content_in_loop: { type: 'string', default: '' }, retry_time: { type: 'int', default: 180 }, break_on_expected_content: { type: 'bool', default: true },
  });
  if (!f) return 1;
  const v = f.values as Record<string, any>;
  const say = (s: string) => io.stdout(`${s}\n`);
  let failed = false;
  const fail = (s: string) => { say(s); failed = true; };
  const abs = (p: string) => (p.startsWith('/') ? p : `${io.cwd.replace(/\/$/, '')}/${p}`);

  if (v.fs_type) {
    if (!(await io.fs.exists(abs(v.fs_type)))) fail(`error from statfs(${q(v.fs_type)}): no such file or directory`);
    else { const t = fsTypeOf(io.pod, io.container, abs(v.fs_type)); say(`mount type of ${q(v.fs_type)}: ${t === TMPFS_MAGIC ? 'tmpfs' : t}`); }
  }
  for (const [flag, mode] of [['new_file_0644', 0o644], ['new_file_0666', 0o666], ['new_file_0660', 0o660], ['new_file_0777', 0o777]] as const) {
    const p = v[flag];
    if (!p) continue;
    try { await io.fs.writeFile(abs(p), INITIAL); await io.fs.chmod(abs(p), mode); } catch (e) { fail(`error writing new file ${q(p)}: open ${p}: ${errText(e)}`); continue; }
    if (!(await readContent(io, p, say))) failed = true;
  }
  const statOr = async (p: string, what: string) => { try { return await io.fs.stat(abs(p)); } catch (e) { fail(`error from ${what}(${q(p)}): ${what} ${p}: ${errText(e)}`); return undefined; } };
  if (v.file_mode) { const s = await statOr(v.file_mode, 'Stat'); if (s) say(`mode of file ${q(v.file_mode)}: ${goFileMode(s.mode, s.isDirectory ? 'dir' : s.isSymbolicLink ? 'symlink' : 'file')}`); }
  if (v.file_perm) { const s = await statOr(v.file_perm, 'Stat'); if (s) say(`perms of file ${q(v.file_perm)}: ${goFileMode(s.mode & 0o777)}`); }
  if (v.file_owner) {
    const s = await statOr(v.file_owner, 'stat');
    if (s) { const o = ownerOf(io, abs(v.file_owner)); say(`owner UID of ${q(v.file_owner)}: ${o.uid}`); say(`owner GID of ${q(v.file_owner)}: ${o.gid}`); }
  }
  if (v.file_content && !(await readContent(io, v.file_content, say))) failed = true;
  if (v.file_content_in_loop && !(await contentLoop(io, v.file_content_in_loop, v.retry_time, v.break_on_expected_content, abs))) failed = true;
  return failed ? 1 : 0;
}

function errText(e: unknown): string {
  const m = String((e as Error)?.message ?? e);
  return /ENOENT|no such file/i.test(m) ? 'no such file or directory' : /EACCES|permission|read-only|EROFS/i.test(m) ? (/read-only|EROFS/i.test(m) ? 'read-only file system' : 'permission denied') : m;
}

async function readContent(io: ProgramIO, p: string, say: (s: string) => void): Promise<boolean> {
  try { say(`content of file ${q(p)}: ${await io.fs.readFile(p.startsWith('/') ? p : `${io.cwd.replace(/\/$/, '')}/${p}`)}`); return true; } catch (e) {
    say(`error reading file content for ${q(p)}: open ${p}: ${errText(e)}`); return false;
  }
}

async function contentLoop(io: ProgramIO, p: string, retrySeconds: number, breakOnExpected: boolean, abs: (p: string) => string): Promise<boolean> {
  const start = io.now();
  let ok = false;
  while (io.now() - start < retrySeconds * 1000 && !io.signal.aborted) {
    try {
      const content = await io.fs.readFile(abs(p));
      ok = true;
      io.stdout(`content of file ${q(p)}: ${content}\n`);
      if (breakOnExpected) {
        if (content === INITIAL) break;
        io.stdout(`Unexpected content. Expected: ${INITIAL}. Retrying`);
      }
    } catch (e) { ok = false; io.stdout(`Error reading file ${p}: open ${p}: ${errText(e)}, retrying\n`); }
    await io.sleep(2000, io.signal);
  }
  return ok;
}

/** Files carry no owner in the emulated filesystem: volume files belong to root and the pod's fsGroup, others to the container's user. */
function ownerOf(io: ProgramIO, path: string): { uid: number; gid: number } {
  const spec = (io.pod as any)?.spec ?? {};
  const c = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((x: any) => x?.name === io.container) ?? {};
  const uid = Number(c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser ?? 0);
  const gid = Number(c.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup ?? 0);
  const vol = volumeAt(io.pod, io.container, path)?.volume;
  const fsGroup = spec.securityContext?.fsGroup;
  if (vol && (vol.emptyDir || vol.secret || vol.configMap || vol.projected || vol.downwardAPI)) return { uid: vol.emptyDir ? uid : 0, gid: fsGroup !== undefined ? Number(fsGroup) : vol.emptyDir ? gid : 0 };
  return { uid, gid };
}
