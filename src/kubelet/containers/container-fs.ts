// A container's filesystem: its own root (the image's files Skiff emulates: /etc/hostname, hosts,
// resolv.conf, /tmp, the working directory) with the pod's volumes mounted at their mountPaths
// (subPath: a directory of the volume, or a single file copied in, as upstream's subPath mounts do
// not see later updates either).
import type { IFileSystem, MountableFs } from 'just-bash';
import type { KObject } from '../../registry/strategy.ts';
import type { JustBash } from './shell.ts';
import type { PodVolumes } from './pod-volumes.ts';
import { prefixFs } from './prefix-fs.ts';
import { expand, lookupIn } from './expand.ts';
import { etcHostsFile, resolvConfFile } from '../../netsim/pod-files.ts';
import { imageDefaults } from '../../images/index.ts';
import { BIN_DIRS, binFs, imageFiles } from './bin-fs.ts';
import { ConfigError } from './sources.ts';
import { readOnlyFs } from './read-only-fs.ts';
import { READ_ONLY_PATHS } from './read-only-redirects.ts';
import type { ReadOnlyPaths } from './read-only-redirects.ts';

export interface RootInfo { hostname: string; podIP?: string; namespace: string; cwd: string }

export function rootFiles(r: RootInfo): Record<string, string> {
  return {
    '/etc/hostname': `${r.hostname}\n`,
    '/etc/hosts': `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${r.podIP ? `${r.podIP}\t${r.hostname}\n` : ''}`,
    '/etc/resolv.conf': `search ${r.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
    '/etc/os-release': 'NAME="Skiff simulated container"\nID=skiff\nPRETTY_NAME="Skiff simulated container"\n',
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
    '/tmp/.keep': '', '/root/.keep': '', '/var/log/.keep': '', '/dev/null': '',
  };
}

export async function containerFs(jb: JustBash, pod: KObject, c: Record<string, any>, vols: PodVolumes, root: RootInfo, env: Record<string, string>): Promise<MountableFs> {
  const files = rootFiles(root);
  // The name-service files as the kubelet writes them (subdomain, hostAliases, dnsPolicy, dnsConfig),
  // consistent with the simulated DNS; the pod's address is the one the runtime was given.
  const withIP = root.podIP ? { ...pod, status: { ...(pod as any).status, podIP: root.podIP, podIPs: (pod as any).status?.podIPs ?? [{ ip: root.podIP }] } } : pod;
  files['/etc/hosts'] = etcHostsFile(withIP as KObject);
  files['/etc/resolv.conf'] = resolvConfFile(withIP as KObject);
  const rootFs = new jb.InMemoryFs({ ...files, ...imageFiles(imageDefaults(String(c.image ?? ''))) });
  if (root.cwd !== '/') await rootFs.mkdir(root.cwd, { recursive: true });
  // securityContext.readOnlyRootFilesystem: the root refuses writes; /dev stays writable (a tmpfs
  // of its own, where the kubelet also mounts the termination log).
  const roRoot = c.securityContext?.readOnlyRootFilesystem === true;
  const fs = new jb.MountableFs({ base: roRoot ? readOnlyFs(rootFs) : rootFs });
  if (roRoot) fs.mount('/dev', new jb.InMemoryFs({ '/null': '' }));
  const bin = await binFs(jb);
  for (const dir of BIN_DIRS) fs.mount(dir, bin);
  const mounts = [...(c.volumeMounts ?? [])].sort((a: any, b: any) => String(a.mountPath).length - String(b.mountPath).length);
  for (const m of mounts) {
    const vol = await vols.get(m.name);
    if (!vol) continue;
    const mountPath = String(m.mountPath).replace(/\/+$/, '') || '/';
    if (mountPath === '/') continue;
    const sub = mountSubPath(m, env);
    if (sub) { await mountSub(fs, rootFs, vol, `/${sub}`, mountPath); continue; }
    // A volume that is one file (hostPath of a file: /etc/hosts) shows as that file at the mount path.
    if ((await vol.stat('/').catch(() => undefined))?.isFile) { await copyFile(rootFs, vol, '/', mountPath); continue; }
    try { fs.mount(mountPath, m.readOnly === true ? readOnlyFs(vol) : vol); } catch { /* a mount inside another: the outer one shows */ }
  }
  const ro = readOnlyPaths(roRoot, mounts);
  if (ro) Object.defineProperty(fs, READ_ONLY_PATHS, { value: ro, configurable: true });
  return fs;
}

/** Which paths are read-only (the deepest mount decides; /dev is writable), or undefined when all are writable. */
function readOnlyPaths(roRoot: boolean, mounts: Record<string, any>[]): ReadOnlyPaths | undefined {
  const table = mounts.map((m) => ({ path: String(m.mountPath).replace(/\/+$/, '') || '/', ro: m.readOnly === true }));
  if (!roRoot && !table.some((m) => m.ro)) return undefined;
  const under = (p: string, dir: string) => dir === '/' || p === dir || p.startsWith(`${dir}/`);
  return (p) => {
    if (roRoot && under(p, '/dev')) return false;
    let best: { path: string; ro: boolean } | undefined;
    for (const m of table) if (under(p, m.path) && (!best || m.path.length > best.path.length)) best = m;
    return best ? best.ro : roRoot;
  };
}

/**
 * The subPath of a mount, `subPathExpr` expanded with the container's environment as the kubelet's
 * makeMounts does: a variable that is undefined or empty, an absolute path or a `..` step is a
 * configuration error (the container waits in CreateContainerConfigError and is retried).
 */
export function mountSubPath(m: { subPath?: unknown; subPathExpr?: unknown }, env: Record<string, string>): string {
  let sub = m.subPath ? String(m.subPath) : '';
  if (m.subPathExpr) {
    const missing = new Set<string>();
    sub = expand(String(m.subPathExpr), (name) => { const v = lookupIn(env)(name); if (!v) missing.add(name); return v ?? ''; });
    if (missing.size) throw new ConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  }
  if (!sub) return '';
  if (sub.startsWith('/')) throw new ConfigError(`error SubPath \`${sub}\` must not be an absolute path`);
  if (sub.split('/').includes('..')) throw new ConfigError(`unable to provision SubPath \`${sub}\`: must not contain '..'`);
  return sub;
}

async function mountSub(fs: MountableFs, rootFs: IFileSystem, vol: IFileSystem, sub: string, mountPath: string): Promise<void> {
  const st = await vol.stat(sub).catch(() => undefined);
  if (st && !st.isDirectory) { await copyFile(rootFs, vol, sub, mountPath); return; }
  if (!st) await vol.mkdir(sub, { recursive: true });
  try { fs.mount(mountPath, prefixFs(vol, sub)); } catch { /* nested: ignored */ }
}

/** Copy the file `from` of `vol` to `to` in the container's root (its mode kept). */
async function copyFile(rootFs: IFileSystem, vol: IFileSystem, from: string, to: string): Promise<void> {
  const st = await vol.stat(from);
  const dir = to.slice(0, to.lastIndexOf('/'));
  if (dir) await rootFs.mkdir(dir, { recursive: true });
  await rootFs.writeFile(to, await vol.readFileBuffer(from));
  await rootFs.chmod(to, st.mode & 0o777).catch(() => {});
}
