// A pod's volumes as filesystems, built when a container first mounts them and shared by all its
// containers: emptyDir (and volumes Skiff keeps in memory alike: PVCs, ephemeral), the files of
// configMap/secret/downwardAPI/projected volumes (refresh() rewrites them, so updates of the
// objects show up as the kubelet's atomic writer makes them appear), and hostPath as a view of the
// node's filesystem.
import type { IFileSystem, InMemoryFs } from 'just-bash';
import type { JustBash } from './shell.ts';
import { prefixFs } from './prefix-fs.ts';
import { volumeFiles } from './volume-files.ts';
import type { FileContext, VolumeFile } from './volume-files.ts';

export class PodVolumes {
  private built = new Map<string, { fs: IFileSystem; files?: string }>();
  private readonly jb: JustBash;
  private readonly volumes: Record<string, any>[];
  private readonly ctx: FileContext;
  private readonly hostFs: () => InMemoryFs;
  constructor(jb: JustBash, volumes: Record<string, any>[], ctx: FileContext, hostFs: () => InMemoryFs) {
    this.jb = jb; this.volumes = volumes; this.ctx = ctx; this.hostFs = hostFs;
  }

  /** The filesystem of volume `name` (undefined: no such volume). Throws ConfigError when its files cannot be made. */
  async get(name: string): Promise<IFileSystem | undefined> {
    const hit = this.built.get(name);
    if (hit) return hit.fs;
    const vol = this.volumes.find((v) => v?.name === name);
    if (!vol) return undefined;
    let entry: { fs: IFileSystem; files?: string };
    if (vol.hostPath) {
      const host = this.hostFs();
      const path = String(vol.hostPath.path || '/');
      if (vol.hostPath.type !== 'File' && vol.hostPath.type !== 'FileOrCreate') await host.mkdir(path, { recursive: true }).catch(() => {});
      entry = { fs: path === '/' ? host : prefixFs(host, path) };
    } else {
      const fs = new this.jb.InMemoryFs();
      const files = await volumeFiles(vol, this.ctx);
      entry = { fs };
      if (files) { await writeFiles(fs, files); entry.files = signature(files); }
    }
    this.built.set(name, entry);
    return entry.fs;
  }

  /** Rewrite the file volumes whose content changed (configMap/secret updates). */
  async refresh(): Promise<void> {
    for (const [name, entry] of this.built) {
      if (entry.files === undefined) continue;
      const vol = this.volumes.find((v) => v?.name === name);
      const files = await volumeFiles(vol!, this.ctx).catch(() => undefined);
      if (!files || signature(files) === entry.files) continue;
      for (const p of await entry.fs.readdir('/').catch(() => [] as string[])) await entry.fs.rm(`/${p}`, { recursive: true, force: true });
      await writeFiles(entry.fs, files);
      entry.files = signature(files);
    }
  }

  /** Whether any built volume is refreshed from the API (configMap, secret, projected, downwardAPI). */
  get refreshable(): boolean { for (const e of this.built.values()) if (e.files !== undefined) return true; return false; }
}

const signature = (files: VolumeFile[]) => JSON.stringify(files);

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

async function writeFiles(fs: IFileSystem, files: VolumeFile[]): Promise<void> {
  for (const f of files) {
    const path = `/${f.path.replace(/^\/+/, '')}`;
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir) await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path, ownBytes(f.content));
    await fs.chmod(path, f.mode & 0o777);
  }
}
