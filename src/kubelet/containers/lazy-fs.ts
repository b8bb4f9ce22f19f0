// A filesystem made on first use: what a container's root is until something looks at it. Most
// containers never do (`sleep 3600`, a program that only serves the network), so their root (its
// directories, /etc files and mounts) costs nothing until exec, a probe, a hook, a shell or a
// program touches a path. `build` must be synchronous and must not fail: everything that can fail
// (volumes, subPaths) was settled before the container started.
import type { IFileSystem, MountableFs } from 'just-bash';

/** A container's root is a MountableFs: the lazy one has exactly its methods (the interpreter looks for optional ones). */
type Fs = MountableFs;

export class LazyFs implements IFileSystem {
  private made?: Fs;
  private build?: () => Fs;
  constructor(build: () => Fs) { this.build = build; }

  /** Whether the filesystem was made (something used it). */
  get built(): boolean { return this.made !== undefined; }
  /** The filesystem, made now if it was not yet. */
  get real(): Fs {
    if (!this.made) { this.made = this.build!(); this.build = undefined; }
    return this.made;
  }

  readFile(...a: Parameters<Fs['readFile']>) { return this.real.readFile(...a); }
  readFileBytes(path: string) { return this.real.readFileBytes(path); }
  readFileBuffer(path: string) { return this.real.readFileBuffer(path); }
  writeFile(...a: Parameters<Fs['writeFile']>) { return this.real.writeFile(...a); }
  appendFile(...a: Parameters<Fs['appendFile']>) { return this.real.appendFile(...a); }
  exists(path: string) { return this.real.exists(path); }
  stat(path: string) { return this.real.stat(path); }
  lstat(path: string) { return this.real.lstat(path); }
  mkdir(...a: Parameters<Fs['mkdir']>) { return this.real.mkdir(...a); }
  readdir(path: string) { return this.real.readdir(path); }
  rm(...a: Parameters<Fs['rm']>) { return this.real.rm(...a); }
  cp(...a: Parameters<Fs['cp']>) { return this.real.cp(...a); }
  mv(src: string, dest: string) { return this.real.mv(src, dest); }
  resolvePath(base: string, path: string) { return this.real.resolvePath(base, path); }
  getAllPaths() { return this.real.getAllPaths(); }
  chmod(path: string, mode: number) { return this.real.chmod(path, mode); }
  symlink(target: string, linkPath: string) { return this.real.symlink(target, linkPath); }
  link(existingPath: string, newPath: string) { return this.real.link(existingPath, newPath); }
  readlink(path: string) { return this.real.readlink(path); }
  realpath(path: string) { return this.real.realpath(path); }
  utimes(path: string, atime: Date, mtime: Date) { return this.real.utimes(path, atime, mtime); }
}
