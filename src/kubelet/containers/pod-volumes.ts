// A pod's volumes as filesystems, built when a container first mounts them and shared by all its
// containers: emptyDir (and volumes Skiff keeps in memory alike: PVCs, ephemeral), the files of
// configMap/secret/downwardAPI/projected volumes (refresh() rewrites them, so updates of the
// objects show up as the kubelet's atomic writer makes them appear: a new `..data` version swapped
// in, see atomic-writer.ts), and hostPath as a view of the node's filesystem.
import type { IFileSystem, InMemoryFs } from 'just-bash';
import type { JustBash } from './shell.ts';
import { prefixFs } from './prefix-fs.ts';
import { volumeFiles } from './volume-files.ts';
import { publish, resolvingFs } from './atomic-writer.ts';
import type { FileContext, VolumeFile } from './volume-files.ts';

export class PodVolumes {
  /** fs: what containers mount; raw: the file volumes' own root, which the atomic writer updates. */
  private built = new Map<string, { fs: IFileSystem; raw?: IFileSystem; files?: string }>();
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
    let entry: { fs: IFileSystem; raw?: IFileSystem; files?: string };
    if (vol.hostPath) {
      const host = this.hostFs();
      const path = String(vol.hostPath.path || '/');
      if (vol.hostPath.type === 'FileOrCreate') {
        if (!(await host.exists(path))) { await host.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true }).catch(() => {}); await host.writeFile(path, ''); }
      } else if (vol.hostPath.type !== 'File') await host.mkdir(path, { recursive: true }).catch(() => {});
      entry = { fs: path === '/' ? host : prefixFs(host, path) };
    } else {
      const raw = new this.jb.InMemoryFs();
      // An emptyDir is created world-writable (drwxrwxrwx), as the kubelet makes it.
      if (vol.emptyDir) await raw.chmod('/', 0o777).catch(() => {});
      const files = await volumeFiles(vol, this.ctx);
      entry = files ? { fs: resolvingFs(raw), raw, files: signature(files) } : { fs: raw };
      if (files) await publish(raw, files);
    }
    this.built.set(name, entry);
    return entry.fs;
  }

  private refreshing: Promise<void> = Promise.resolve();
  /**
   * Rewrite the file volumes whose content changed (configMap/secret updates, the pod's labels and
   * annotations in downwardAPI files). Refreshes run one after the other, never interleaved.
   */
  refresh(): Promise<void> {
    const next = this.refreshing.then(() => this.refreshNow(), () => this.refreshNow());
    this.refreshing = next.catch(() => {});
    return next;
  }

  private async refreshNow(): Promise<void> {
    for (const [name, entry] of this.built) {
      if (entry.files === undefined || !entry.raw) continue;
      const vol = this.volumes.find((v) => v?.name === name);
      const files = await volumeFiles(vol!, this.ctx).catch(() => undefined);
      if (!files || signature(files) === entry.files) continue;
      await publish(entry.raw, files);
      entry.files = signature(files);
    }
  }

  /** Whether any built volume is refreshed from the API (configMap, secret, projected, downwardAPI). */
  get refreshable(): boolean { for (const e of this.built.values()) if (e.files !== undefined) return true; return false; }
}

const signature = (files: VolumeFile[]) => JSON.stringify(files);
