// The image catalogue's entry points, as the container runtime (src/kubelet/containers/) uses them.
// MINIMAL placeholder until the catalogue (branch netsim) lands: shell images only, no programs.
import type { ImageDefaults, Program } from './types.ts';

export type { ImageDefaults, Program, ProgramIO } from './types.ts';

const SHELL: ImageDefaults = { entrypoint: [], cmd: ['sh'] };
const DEFAULTS: Record<string, ImageDefaults> = { busybox: SHELL, alpine: SHELL, ubuntu: { entrypoint: [], cmd: ['bash'] }, debian: { entrypoint: [], cmd: ['bash'] } };

/** The repository name of an image reference, without registry, tag or digest: `docker.io/library/busybox:1.36` → `busybox`. */
function repoName(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const last = noDigest.slice(lastSlash + 1);
  return last.replace(/:[^:]*$/, '');
}

/** What an image runs by default; undefined for an image the catalogue does not know. */
export function imageDefaults(image: string): ImageDefaults | undefined {
  return Object.hasOwn(DEFAULTS, repoName(image)) ? DEFAULTS[repoName(image)] : undefined;
}

/** The program behind a command name (argv[0], path or bare name); undefined when it is not one. */
export function programFor(_argv0: string): Program | undefined {
  return undefined;
}

/** The command names programFor knows (registered as commands of the container's shell). */
export function programNames(): string[] {
  return [];
}
