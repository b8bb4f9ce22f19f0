// A filesystem made by an asynchronous step on first use: what a configMap, secret, downwardAPI or
// projected volume is until a container looks into it. Its files were read (and checked) when the
// pod started; writing them out (the atomic writer's version directory, `..data`, the links) waits
// until exec, a probe, a shell or a program touches the volume, so a pod whose containers never
// read their service account token does not hold a filesystem for it.
// The methods are those of the interpreter's in-memory filesystem, which the made one is.
import type { IFileSystem } from 'just-bash';

type Fs = IFileSystem;
type Args<K extends keyof Fs> = Parameters<NonNullable<Fs[K]>>;

export class DeferredFs implements IFileSystem {
  private made?: Fs;
  private making?: Promise<Fs>;
  private make?: () => Promise<Fs>;
  constructor(make: () => Promise<Fs>) { this.make = make; }

  get built(): boolean { return this.made !== undefined; }
  /** The filesystem, made now if it was not yet (one making at a time). */
  real(): Promise<Fs> {
    if (this.made) return Promise.resolve(this.made);
    return this.making ??= this.make!().then((fs) => { this.made = fs; this.make = undefined; this.making = undefined; return fs; }, (e) => { this.making = undefined; throw e; });
  }

  async readFile(...a: Args<'readFile'>) { return (await this.real()).readFile(...a); }
  async readFileBytes(...a: Args<'readFileBytes'>) { const fs = await this.real(); return fs.readFileBytes ? fs.readFileBytes(...a) : fs.readFile(a[0], 'latin1' as never) as never; }
  async readFileBuffer(path: string) { return (await this.real()).readFileBuffer(path); }
  async writeFile(...a: Args<'writeFile'>) { return (await this.real()).writeFile(...a); }
  async appendFile(...a: Args<'appendFile'>) { return (await this.real()).appendFile(...a); }
  async exists(path: string) { return (await this.real()).exists(path); }
  async stat(path: string) { return (await this.real()).stat(path); }
  async lstat(path: string) { return (await this.real()).lstat(path); }
  async mkdir(...a: Args<'mkdir'>) { return (await this.real()).mkdir(...a); }
  async readdir(path: string) { return (await this.real()).readdir(path); }
  async readdirWithFileTypes(path: string): ReturnType<NonNullable<Fs['readdirWithFileTypes']>> { const fs = await this.real(); if (!fs.readdirWithFileTypes) throw new Error(`ENOTSUP: readdir '${path}'`); return fs.readdirWithFileTypes(path); }
  async rm(...a: Args<'rm'>) { return (await this.real()).rm(...a); }
  async cp(...a: Args<'cp'>) { return (await this.real()).cp(...a); }
  async mv(src: string, dest: string) { return (await this.real()).mv(src, dest); }
  async chmod(path: string, mode: number) { return (await this.real()).chmod(path, mode); }
  async symlink(target: string, linkPath: string) { return (await this.real()).symlink(target, linkPath); }
  async link(existingPath: string, newPath: string) { return (await this.real()).link(existingPath, newPath); }
  async readlink(path: string) { return (await this.real()).readlink(path); }
  async realpath(path: string) { return (await this.real()).realpath(path); }
  async utimes(path: string, atime: Date, mtime: Date) { return (await this.real()).utimes(path, atime, mtime); }
  /** Path arithmetic only (absolute `path`, or `path` under `base`, normalized): needs no files. */
  resolvePath(base: string, path: string): string {
    if (this.made) return this.made.resolvePath(base, path);
    const parts: string[] = [];
    for (const s of (path.startsWith('/') ? path : `${base}/${path}`).split('/')) {
      if (!s || s === '.') continue;
      if (s === '..') parts.pop(); else parts.push(s);
    }
    return `/${parts.join('/')}`;
  }
  /** The paths of the made filesystem; before it is made, nothing has been written yet (synchronous callers see none). */
  getAllPaths(): string[] { if (this.made) return this.made.getAllPaths(); void this.real().catch(() => {}); return []; }
}
