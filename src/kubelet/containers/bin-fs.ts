// The image's /bin and /usr/bin: one entry per command the container's shell knows (busybox's
// applets, the catalogue's programs), so `/bin/sh`, `/bin/echo` or `command -v nc` find them as in
// a real image. The directory is built once and shared, read-only, by every container (it costs a
// container one mount, not a hundred files). An image whose entrypoint lives outside the PATH
// (agnhost's /agnhost, pause's /pause) gets that file in its own root, as a wrapper that runs it,
// with the other files the catalogue says it ships (agnhost's /localhost.crt).
import type { IFileSystem } from 'just-bash';
import type { JustBash } from './shell.ts';
import { newShell } from './shell.ts';
import { readOnlyFs } from './read-only-fs.ts';
import { programFor } from '../../images/index.ts';
import type { ImageDefaults } from '../../images/index.ts';

export const BIN_DIRS = ['/bin', '/usr/bin'];

let shared: IFileSystem | undefined;

/** The shared read-only directory of commands (mounted at each of BIN_DIRS). */
export async function binFs(jb: JustBash): Promise<IFileSystem> {
  if (shared) return shared;
  // just-bash writes a stub per registered command into a fresh in-memory filesystem's /bin.
  const probe = newShell(jb, { fs: new jb.InMemoryFs(), env: {}, cwd: '/', hostname: 'localhost' });
  const names = await probe.fs.readdir('/bin');
  const files: Record<string, { content: string; mode: number }> = {};
  for (const n of names) files[`/${n}`] = { content: `#!/bin/sh\n# ${n}: a command of Skiff's emulated userland\n`, mode: 0o755 };
  const fs = new jb.InMemoryFs(files as never);
  shared = readOnlyFs(fs);
  return shared;
}

/** Files an image has outside the PATH: its entrypoint, when a catalogue program, and the files it ships. */
export function imageFiles(image: ImageDefaults | undefined): Record<string, { content: string; mode: number } | (() => string)> {
  const out: Record<string, { content: string; mode: number } | (() => string)> = { ...(image?.files ?? {}) };
  const p = image?.entrypoint?.[0];
  if (!p || !p.startsWith('/') || !programFor(p) || BIN_DIRS.includes(p.slice(0, p.lastIndexOf('/')))) return out;
  out[p] = { content: `${p.slice(p.lastIndexOf('/') + 1)} "$@"\n`, mode: 0o755 };
  return out;
}
