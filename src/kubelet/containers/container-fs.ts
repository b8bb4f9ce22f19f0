// A container's filesystem: its own root (the image's files Skiff emulates: /etc/hostname, hosts,
// resolv.conf, /tmp, the working directory) with the pod's volumes mounted at their mountPaths
// (subPath: a directory of the volume, or a single file copied in, as upstream's subPath mounts do
// not see later updates either).
import type { IFileSystem, MountableFs } from 'just-bash';
import type { KObject } from '../../registry/strategy.ts';
import type { JustBash } from './shell.ts';
import type { PodVolumes } from './pod-volumes.ts';
import { prefixFs } from './prefix-fs.ts';
import { LazyFs } from './lazy-fs.ts';
import { DeferredFs } from './deferred-fs.ts';
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

/** What a container's root needs beyond the pod: its mounts, settled when the container starts. */
interface Plan {
  /** Volumes (or subPath directories of them) mounted at a path, shortest path first. */
  mounts?: { path: string; fs: IFileSystem; readOnly: boolean }[];
  /** securityContext.readOnlyRootFilesystem: the root refuses writes (/dev stays writable). */
  readOnlyRoot?: boolean;
  /** Single files copied into the root (a subPath of a file, a volume that is one file), as they were at the start. */
  copies?: { path: string; bytes: Uint8Array; mode: number }[];
}

/**
 * The container's filesystem. The volumes, subPaths (ConfigError when one is wrong) and file copies
 * are settled now, as the kubelet does before it creates the container; the root itself (its
 * directories, /etc files and mounts) is made when something first uses it (see lazy-fs.ts).
 */
export async function containerFs(jb: JustBash, pod: () => KObject, c: Record<string, any>, vols: PodVolumes, root: RootInfo, env: Record<string, string>): Promise<LazyFs> {
  const plan: Plan = {};
  const mounts = [...(c.volumeMounts ?? [])].sort((a: any, b: any) => String(a.mountPath).length - String(b.mountPath).length);
  for (const m of mounts) {
    const vol = await vols.get(m.name);
    if (!vol) continue;
    const mountPath = String(m.mountPath).replace(/\/+$/, '') || '/';
    if (mountPath === '/') continue;
    const sub = mountSubPath(m, env);
    const from = sub ? `/${sub}` : '/';
    // A file volume (configMap, secret…) is a directory: it is not looked into (made) before it is used.
    const st = !sub && vol instanceof DeferredFs ? undefined : await vol.stat(from).catch(() => undefined);
    // A single file (a subPath of a file; a hostPath of a file, /etc/hosts): copied in as that file.
    if (st && !st.isDirectory) { (plan.copies ??= []).push({ path: mountPath, bytes: await vol.readFileBuffer(from), mode: st.mode & 0o777 }); continue; }
    if (sub && !st) await vol.mkdir(from, { recursive: true });
    (plan.mounts ??= []).push({ path: mountPath, fs: sub ? prefixFs(vol, from) : vol, readOnly: m.readOnly === true });
  }
  const image = String(c.image ?? '');
  const bin = await binFs(jb);
  plan.readOnlyRoot = c.securityContext?.readOnlyRootFilesystem === true;
  const lazy = new LazyFs(() => buildRoot(jb, bin, pod, image, root, plan));
  const ro = readOnlyPaths(plan.readOnlyRoot, mounts);
  if (ro) Object.defineProperty(lazy, READ_ONLY_PATHS, { value: ro, configurable: true });
  return lazy;
}

function buildRoot(jb: JustBash, bin: IFileSystem, podNow: () => KObject, image: string, root: RootInfo, plan: Plan): MountableFs {
  const files = rootFiles(root);
  // The fields these files come from (hostname, subdomain, hostAliases, dnsConfig) do not change in a pod's life.
  const pod = podNow();
  // The name-service files as the kubelet writes them (subdomain, hostAliases, dnsPolicy, dnsConfig),
  // consistent with the simulated DNS; the pod's address is the one the runtime was given.
  const withIP = root.podIP ? { ...pod, status: { ...(pod as any).status, podIP: root.podIP, podIPs: (pod as any).status?.podIPs ?? [{ ip: root.podIP }] } } : pod;
  files['/etc/hosts'] = etcHostsFile(withIP as KObject);
  files['/etc/resolv.conf'] = resolvConfFile(withIP as KObject);
  const rootFs = new jb.InMemoryFs({ ...files, ...imageFiles(imageDefaults(image)) });
  if (root.cwd !== '/') rootFs.mkdirSync(root.cwd, { recursive: true });
  for (const f of plan.copies ?? []) {
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    if (dir) rootFs.mkdirSync(dir, { recursive: true });
    rootFs.writeFileSync(f.path, f.bytes, undefined, { mode: f.mode });
  }
  // securityContext.readOnlyRootFilesystem: the root refuses writes; /dev stays writable (a tmpfs
  // of its own, where the kubelet also mounts the termination log).
  const fs = new jb.MountableFs({ base: plan.readOnlyRoot ? readOnlyFs(rootFs) : rootFs });
  if (plan.readOnlyRoot) fs.mount('/dev', new jb.InMemoryFs({ '/null': '' }));
  for (const dir of BIN_DIRS) fs.mount(dir, bin);
  for (const m of plan.mounts ?? []) {
    try { fs.mount(m.path, m.readOnly ? readOnlyFs(m.fs) : m.fs); } catch { /* a mount inside another: the outer one shows */ }
  }
  return fs;
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
