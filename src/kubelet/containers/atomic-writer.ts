// The kubelet's atomic writer for configMap, secret, downwardAPI and projected volumes: each version
// of the files goes into a new hidden directory named after the time (`..2026_12_07_15_04_05.123`),
// `..data` is a symlink to the current one, and every top-level name the user sees is a symlink
// through it (`key -> ..data/key`). An update writes the next directory, swaps `..data` in one
// rename, fixes the user-visible links and removes the old directory, so a reader sees either the
// old files or the new ones, never a mix. `ls -la` in the mount shows this layout, as upstream.
//
// The interpreter's in-memory filesystem follows a symlink only when it is a path's own component,
// not when a link's target runs through another link (`key -> ..data/key`, `..data -> ..2026…`),
// so the volume is seen through resolvingFs, which resolves every component itself first.
import { randomInt } from 'node:crypto';
import type { IFileSystem } from 'just-bash';
import type { LazyContent } from './volume-files.ts';

export const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

export interface AtomicFile { path: string; content: string | LazyContent; mode: number }

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** `..YYYY_MM_DD_HH_MM_SS.N` in UTC, N random as Go's os.MkdirTemp suffix. */
export function versionDirName(now: Date): string {
  const d = now;
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.${randomInt(0, 2 ** 32)}`;
}

const top = (p: string) => p.replace(/^\/+/, '').split('/')[0];

/** Writes `files` as the volume's new version (the first one too) into `fs`, the volume's own root. */
export async function publish(fs: IFileSystem, files: AtomicFile[], now = new Date()): Promise<void> {
  const old = await fs.readlink(`/${DATA_DIR}`).catch(() => undefined);
  let dir = versionDirName(now);
  while (await fs.exists(`/${dir}`)) dir = versionDirName(now);
  await fs.mkdir(`/${dir}`, { recursive: true });
  for (const f of files) {
    const path = `/${dir}/${f.path.replace(/^\/+/, '')}`;
    await fs.mkdir(path.slice(0, path.lastIndexOf('/')), { recursive: true });
    await writeContent(fs, path, f.content, f.mode & 0o777);
  }
  await fs.chmod(`/${dir}`, 0o755);
  // The swap: a new link beside the old one, renamed over it.
  await fs.rm(`/${DATA_TMP}`, { force: true });
  await fs.symlink(dir, `/${DATA_TMP}`);
  await fs.mv(`/${DATA_TMP}`, `/${DATA_DIR}`);
  const names = new Set(files.map((f) => top(f.path)).filter(Boolean));
  for (const name of names) {
    if (!(await fs.lstat(`/${name}`).then(() => true, () => false))) await fs.symlink(`${DATA_DIR}/${name}`, `/${name}`);
  }
  for (const name of await fs.readdir('/')) {
    if (name.startsWith('..') || names.has(name)) continue;
    await fs.rm(`/${name}`, { recursive: true, force: true });
  }
  if (old && old !== dir && old.startsWith('..')) await fs.rm(`/${old}`, { recursive: true, force: true });
}

const MAX_HOPS = 40;
const norm = (parts: string[]) => `/${parts.join('/')}`;

/** `p` with every symlink among its components resolved (the last one too when `followLast`). */
async function resolve(fs: IFileSystem, p: string, followLast: boolean): Promise<string> {
  const pending = p.split('/').filter((s) => s && s !== '.');
  const done: string[] = [];
  let hops = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '..') { done.pop(); continue; }
    const here = norm([...done, part]);
    if (!pending.length && !followLast) { done.push(part); break; }
    const st = await fs.lstat(here).catch(() => undefined);
    if (!st?.isSymbolicLink) { done.push(part); continue; }
    if (++hops > MAX_HOPS) throw new Error(`ELOOP: too many levels of symbolic links, '${p}'`);
    const target = await fs.readlink(here);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((s) => s && s !== '.'));
  }
  return norm(done);
}

const FOLLOW = new Set(['readFile', 'readFileBytes', 'readFileBuffer', 'writeFile', 'appendFile', 'exists', 'stat', 'readdir', 'readdirWithFileTypes', 'chmod', 'utimes', 'realpath', 'mkdir']);
const NO_FOLLOW = new Set(['lstat', 'readlink', 'rm']);

/** `fs` with paths resolved through symlinks (targets that run through other links included). */
export function resolvingFs(fs: IFileSystem): IFileSystem {
  return new Proxy(fs, {
    get(target, prop, recv) {
      const f = Reflect.get(target, prop, recv);
      if (typeof f !== 'function') return f;
      const name = String(prop);
      if (FOLLOW.has(name) || NO_FOLLOW.has(name)) {
        return async (p: string, ...rest: unknown[]) => {
          let real: string;
          try { real = await resolve(target, p, FOLLOW.has(name)); } catch (e) { if (name === 'exists') return false; throw e; }
          return f.call(target, real, ...rest);
        };
      }
      if (name === 'symlink') return async (t: string, p: string) => f.call(target, t, await resolve(target, p, false));
      if (name === 'cp' || name === 'mv' || name === 'link') {
        return async (a: string, b: string, ...rest: unknown[]) => f.call(target, await resolve(target, a, name === 'cp'), await resolve(target, b, false), ...rest);
      }
      return f.bind(target);
    },
  });
}

/** Writes one file; lazy content is produced on the first read where the filesystem can defer it. */
async function writeContent(fs: IFileSystem, path: string, content: string | LazyContent, mode: number): Promise<void> {
  const lazy = (fs as { writeFileLazy?: (p: string, f: () => Buffer, meta: { mode: number }) => void }).writeFileLazy;
  if (typeof content !== 'string' && typeof lazy === 'function') { lazy.call(fs, path, () => ownBytes(content.value()), { mode }); return; }
  await fs.writeFile(path, ownBytes(typeof content === 'string' ? content : content.value()));
  await fs.chmod(path, mode);
}

/**
 * The file's bytes in a buffer of their own. Buffer.from(string) hands out a slice of a shared 64 KiB
 * pool, and the filesystem keeps the buffer it is given: a few small files per pod (token, ca.crt,
 * namespace) pinned one pool slab each, about 127 MB with 10,000 pods.
 */
function ownBytes(text: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'latin1'));
  b.write(text, 'latin1');
  return b;
}
