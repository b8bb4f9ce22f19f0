// A pod's volumes as filesystems, built when a container first mounts them and shared by all its
// containers: emptyDir (and volumes Skiff keeps in memory alike: PVCs, ephemeral), the files of
// configMap/secret/downwardAPI/projected volumes (refresh() rewrites them, so updates of the
// objects show up as the kubelet's atomic writer makes them appear: a new `..data` version swapped
// in, see atomic-writer.ts), and hostPath as a view of the node's filesystem.
// A file volume's files are read (and checked: ConfigError) when the first container mounts it, but
// written out only when a container first uses the volume (deferred-fs.ts); until then a refresh
// only replaces the files to write.
import type { IFileSystem, InMemoryFs } from 'just-bash';
import type { JustBash } from './shell.ts';
import { prefixFs } from './prefix-fs.ts';
import { sameInputs, volumeFiles, volumeInputs } from './volume-files.ts';
import { publish, resolvingFs } from './atomic-writer.ts';
import type { FileContext, VolumeFile, VolumeInputs } from './volume-files.ts';
import { DeferredFs } from './deferred-fs.ts';

/** fs: what containers mount; raw: a file volume's own root once made, which the atomic writer updates; files: its current files. */
/** `inputs`: what `files` were made from (volumeInputs), when known: a refresh with the same makes nothing. */
interface Entry { fs: IFileSystem; raw?: IFileSystem; files?: VolumeFile[]; publishing?: boolean; inputs?: VolumeInputs }

export class PodVolumes {
  private built = new Map<string, Entry>();
  private readonly jb: JustBash;
  private readonly specs: Record<string, any>[] | (() => Record<string, any>[]);
  private readonly ctx: FileContext;
  private readonly hostFs: () => InMemoryFs;
  /**
   * `volumes`: the pod's spec.volumes, or how to read them from the pod as it is now (they never
   * change in a pod's life; reading them from the current pod keeps no part of an older version alive).
   */
  constructor(jb: JustBash, volumes: Record<string, any>[] | (() => Record<string, any>[]), ctx: FileContext, hostFs: () => InMemoryFs) {
    this.jb = jb; this.specs = volumes; this.ctx = ctx; this.hostFs = hostFs;
  }
  private get volumes(): Record<string, any>[] { return typeof this.specs === 'function' ? this.specs() : this.specs; }

  /** Volumes being built (absent when none is: most pods build theirs once, at the start). */
  private building?: Map<string, Promise<IFileSystem | undefined>>;

  /**
   * The filesystem of volume `name` (undefined: no such volume). Throws ConfigError when its files
   * cannot be made. Containers starting together get the same one (the first build is shared).
   */
  async get(name: string): Promise<IFileSystem | undefined> {
    const hit = this.built.get(name);
    if (hit) return hit.fs;
    let p = this.building?.get(name);
    if (!p) {
      p = this.build(name).finally(() => {
        this.building?.delete(name);
        if (this.building?.size === 0) this.building = undefined;
      });
      (this.building ??= new Map()).set(name, p);
    }
    return p;
  }

  private async build(name: string): Promise<IFileSystem | undefined> {
    const vol = this.volumes.find((v) => v?.name === name);
    if (!vol) return undefined;
    let entry: Entry;
    if (vol.hostPath) {
      const host = this.hostFs();
      const path = String(vol.hostPath.path || '/');
      if (vol.hostPath.type === 'FileOrCreate') {
        if (!(await host.exists(path))) { await host.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true }).catch(() => {}); await host.writeFile(path, ''); }
      } else if (vol.hostPath.type !== 'File') await host.mkdir(path, { recursive: true }).catch(() => {});
      entry = { fs: path === '/' ? host : prefixFs(host, path) };
    } else {
      const inputs = await volumeInputs(vol, this.ctx);
      const files = await volumeFiles(vol, this.ctx);
      if (files) {
        const e: Entry = { fs: undefined as never, files: files.map(shared), inputs };
        e.fs = new DeferredFs(() => this.make(e));
        entry = e;
      } else {
        const raw = new this.jb.InMemoryFs();
        // An emptyDir is created world-writable (drwxrwxrwx), as the kubelet makes it.
        if (vol.emptyDir) await raw.chmod('/', 0o777).catch(() => {});
        entry = { fs: raw };
      }
    }
    this.built.set(name, entry);
    return entry.fs;
  }

  /** Writes a file volume out for the first time (and again if a refresh came meanwhile). */
  private async make(e: Entry): Promise<IFileSystem> {
    const raw = new this.jb.InMemoryFs();
    e.raw = raw;
    e.publishing = true;
    try {
      let shown: VolumeFile[] | undefined;
      while (shown !== e.files) { shown = e.files!; await publish(raw, shown); }
    } finally { e.publishing = false; }
    return resolvingFs(raw);
  }


  /** The refresh under way or queued last (absent between refreshes). */
  private refreshing?: Promise<void>;
  /**
   * Rewrite the file volumes whose content changed (configMap/secret updates, the pod's labels and
   * annotations in downwardAPI files). Refreshes run one after the other, never interleaved.
   */
  refresh(): Promise<void> {
    const next = (this.refreshing ?? Promise.resolve()).then(() => this.refreshNow());
    const tail: Promise<void> = next.catch(() => {}).then(() => { if (this.refreshing === tail) this.refreshing = undefined; });
    this.refreshing = tail;
    return next;
  }

  private async refreshNow(): Promise<void> {
    for (const [name, entry] of this.built) {
      if (entry.files === undefined) continue;
      const vol = this.volumes.find((v) => v?.name === name);
      const inputs = await volumeInputs(vol!, this.ctx).catch(() => undefined);
      if (sameInputs(inputs, entry.inputs)) continue;
      const files = await volumeFiles(vol!, this.ctx).catch(() => undefined);
      if (!files) continue;
      entry.inputs = inputs;
      if (sameFiles(files, entry.files)) continue;
      entry.files = files.map(shared);
      // Not written out yet, or being written: the new files are what it writes.
      if (!entry.raw || entry.publishing) continue;
      await publish(entry.raw, entry.files);
    }
  }

  /** Whether any built volume is refreshed from the API (configMap, secret, projected, downwardAPI). */
  get refreshable(): boolean { for (const e of this.built.values()) if (e.files !== undefined) return true; return false; }
}

const sameFiles = (a: VolumeFile[], b: VolumeFile[]) => a.length === b.length && a.every((f, i) => f.path === b[i].path && f.mode === b[i].mode && sameContent(f.content, b[i].content));
const sameContent = (a: VolumeFile['content'], b: VolumeFile['content']) => typeof a === 'string' || typeof b === 'string' ? a === b : a.id === b.id;

/**
 * Contents many pods hold alike (the cluster's ca.crt in every service account volume, a shared
 * ConfigMap) as one string: each read of the object parses a copy of its own.
 */
const SHARED_MAX = 256;
const sharedText = new Map<string, string>();
function shared(f: VolumeFile): VolumeFile {
  if (typeof f.content !== 'string' || f.content.length < 64) return f;
  let s = sharedText.get(f.content);
  if (s !== undefined) sharedText.delete(s); else s = f.content;
  sharedText.set(s, s);
  if (sharedText.size > SHARED_MAX) sharedText.delete(sharedText.keys().next().value!);
  f.content = s;
  return f;
}
