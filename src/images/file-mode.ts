// Go's os.FileMode String() ("-rw-r--r--", "drwxrwsrwx" as "dgrwxrwxrwx", symlinks "L...") and the
// filesystem a path of a container lives on (its volume's medium), for programs that print them.
import type { KObject } from '../registry/strategy.ts';

export function goFileMode(mode: number, kind: 'file' | 'dir' | 'symlink' = 'file'): string {
  let prefix = '';
  if (kind === 'dir') prefix += 'd';
  if (kind === 'symlink') prefix += 'L';
  if (mode & 0o4000) prefix += 'u';
  if (mode & 0o2000) prefix += 'g';
  if (mode & 0o1000) prefix += 't';
  const rwx = 'rwxrwxrwx';
  let perm = '';
  for (let i = 0; i < 9; i++) perm += mode & (1 << (8 - i)) ? rwx[i] : '-';
  return `${prefix || '-'}${perm}`;
}

export const TMPFS_MAGIC = 0x01021994;
const EXT4_MAGIC = 0xef53;
const OVERLAYFS_MAGIC = 0x794c7630;

/** The volume mounted at (a prefix of) `path` in the container, and the pod's declaration of it. */
export function volumeAt(pod: KObject, container: string, path: string): { mountPath: string; volume: any } | undefined {
  const spec = (pod as any)?.spec ?? {};
  const c = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].find((x: any) => x?.name === container);
  let best: { mountPath: string; volume: any } | undefined;
  for (const m of c?.volumeMounts ?? []) {
    const mp = String(m?.mountPath ?? '').replace(/\/+$/, '');
    if (!(path === mp || path.startsWith(`${mp}/`))) continue;
    if (best && best.mountPath.length >= mp.length) continue;
    best = { mountPath: mp, volume: (spec.volumes ?? []).find((v: any) => v?.name === m.name) };
  }
  return best;
}

/** statfs(2) f_type of a path: tmpfs for memory-backed volumes (secret, projected, downwardAPI, emptyDir Memory). */
export function fsTypeOf(pod: KObject, container: string, path: string): number {
  const v = volumeAt(pod, container, path)?.volume;
  if (!v) return volumeAt(pod, container, path) ? EXT4_MAGIC : OVERLAYFS_MAGIC;
  if (v.secret || v.projected || v.downwardAPI || v.emptyDir?.medium === 'Memory') return TMPFS_MAGIC;
  return EXT4_MAGIC;
}
