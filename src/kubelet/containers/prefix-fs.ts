// A view of a directory of another filesystem as a filesystem of its own: what a subPath mount or
// a hostPath volume shows inside a container.
import type { IFileSystem } from 'just-bash';

const join = (root: string, p: string) => (p === '/' || p === '' ? root : `${root.replace(/\/$/, '')}/${p.replace(/^\//, '')}`);
/** Methods whose first argument is a path; cp/mv/link take two; symlink's second is the path. */
const ONE = ['readFile', 'readFileBytes', 'readFileBuffer', 'writeFile', 'appendFile', 'exists', 'stat', 'lstat', 'mkdir', 'readdir', 'readdirWithFileTypes', 'rm', 'chmod', 'readlink', 'utimes'];
const TWO = ['cp', 'mv', 'link'];

export function prefixFs(inner: IFileSystem, root: string): IFileSystem {
  const strip = (p: string) => (p.startsWith(root) ? p.slice(root.replace(/\/$/, '').length) || '/' : p);
  return new Proxy(inner, {
    get(target, prop, recv) {
      const f = Reflect.get(target, prop, recv);
      if (typeof f !== 'function') return f;
      const name = String(prop);
      if (ONE.includes(name)) return (p: string, ...rest: unknown[]) => f.call(target, join(root, p), ...rest);
      if (TWO.includes(name)) return (a: string, b: string, ...rest: unknown[]) => f.call(target, join(root, a), join(root, b), ...rest);
      if (name === 'symlink') return (t: string, p: string) => f.call(target, t, join(root, p));
      if (name === 'realpath') return async (p: string) => strip(await f.call(target, join(root, p)));
      if (name === 'getAllPaths') return () => (f.call(target) as string[]).filter((p) => p === root || p.startsWith(`${root.replace(/\/$/, '')}/`)).map(strip);
      return f.bind(target);
    },
  });
}
