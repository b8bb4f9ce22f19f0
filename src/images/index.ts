// The catalogue of well-known images (issue 18): image defaults and the programs an emulated
// container can run. The container runtime (src/kubelet/containers) resolves a container's command
// with imageDefaults and runs argv[0] through programFor (falling back to its shell).
import type { ImageDefaults, Program } from './types.ts';
import { CATALOGUE, repositoryName } from './catalogue.ts';
import { PROGRAMS } from './programs.ts';

export type { ImageDefaults, Program, ProgramIO } from './types.ts';
export { NETWORK_COMMANDS } from './net/index.ts';

/** Whether the catalogue knows the image (what imageDefaults answers for, without copying its defaults). */
export function isKnownImage(image: string): boolean {
  return Object.hasOwn(CATALOGUE, repositoryName(String(image ?? '')));
}

/** ENTRYPOINT/CMD/WORKDIR/USER/ENV of a well-known image, or undefined for an unknown image. */
export function imageDefaults(image: string): ImageDefaults | undefined {
  const name = repositoryName(String(image ?? ''));
  // Own entries only: an image named "constructor" or "__proto__" is unknown, not Object's.
  const d = Object.hasOwn(CATALOGUE, name) ? CATALOGUE[name] : undefined;
  return d && { ...d, entrypoint: [...d.entrypoint], cmd: [...d.cmd], env: d.env && { ...d.env }, files: d.files && { ...d.files } };
}

/** The program run as `argv0` (a name or a path such as /agnhost or /usr/sbin/nginx), or undefined. */
export function programFor(argv0: string): Program | undefined {
  const name = String(argv0 ?? '').slice(String(argv0 ?? '').lastIndexOf('/') + 1);
  return Object.hasOwn(PROGRAMS, name) ? PROGRAMS[name] : undefined;
}

/** The command names programFor knows, which the container runtime registers as commands of the container's shell. */
export function programNames(): string[] {
  return Object.keys(PROGRAMS);
}
