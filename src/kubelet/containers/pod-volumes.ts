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

  private building = new Map<string, Promise<IFileSystem | undefined>>();

  /**
   * The filesystem of volume `name` (undefined: no such volume). Throws ConfigError when its files
   * cannot be made. Containers starting together get the same one (the first build is shared).
   */
  async get(name: string): Promise<IFileSystem | undefined> {
    const hit = this.built.get(name);
    if (hit) return hit.fs;
    let p = this.building.get(name);
    if (!p) {
      p = this.build(name).finally(() => this.building.delete(name));
      this.building.set(name, p);
    }
    return p;
  }

  private async build(name: string): Promise<IFileSystem | undefined> {
    const vol = this.volumes.find((v) => v?.name === name);
    if (!vol) return undefined;
    let entry: { fs: IFileSystem; files?: string };
    if (vol.hostPath) {
      const host = this.hostFs();
      const path = String(vol.hostPath.path || '/');
      if (vol.hostPath.type === 'FileOrCreate') {
        if (!(await host.exists(path))) { await host.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true }).catch(() => {}); await host.writeFile(path, ''); }
      } else if (vol.hostPath.type !== 'File') await host.mkdir(path, { recursive: true }).catch(() => {});
      entry = { fs: path === '/' ? host : prefixFs(host, path) };
    } else {
      const fs = new this.jb.InMemoryFs();
      // An emptyDir is created world-writable (drwxrwxrwx), as the kubelet makes it.
      if (vol.emptyDir) await fs.chmod('/', 0o777).catch(() => {});
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

async function writeFiles(fs: IFileSystem, files: VolumeFile[]): Promise<void> {
  for (const f of files) {
    const path = `/${f.path.replace(/^\/+/, '')}`;
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir) await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path, Buffer.from(f.content, 'latin1'));
    await fs.chmod(path, f.mode & 0o777);
  }
}
