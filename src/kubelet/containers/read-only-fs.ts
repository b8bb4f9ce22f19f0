// A filesystem that refuses every change with EROFS, as a read-only mount does: what a container
// sees of a `readOnly` volume mount, a read-only root filesystem, or the image's /bin.
import type { IFileSystem } from 'just-bash';

/** Methods that change the filesystem, each with the index of the path its error names. */
const WRITES: Record<string, number> = { writeFile: 0, appendFile: 0, mkdir: 0, rm: 0, chmod: 0, utimes: 0, cp: 1, mv: 1, link: 1, symlink: 1 };

export function roError(path: string, op = 'open'): Error {
  return Object.assign(new Error(`EROFS: read-only file system, ${op} '${path}'`), { code: 'EROFS' });
}

export function readOnlyFs(inner: IFileSystem): IFileSystem {
  return new Proxy(inner, {
    get(target, prop, recv) {
      const f = Reflect.get(target, prop, recv);
      if (typeof f !== 'function') return f;
      const name = String(prop);
      if (Object.hasOwn(WRITES, name)) return async (...args: unknown[]) => { throw roError(String(args[WRITES[name]] ?? args[0]), name === 'mkdir' ? 'mkdir' : 'open'); };
      return f.bind(target);
    },
  });
}
