// The argv a container runs, as the container runtime builds it from the image and the spec:
// `command` replaces the image ENTRYPOINT and drops its CMD; `args` alone replaces the CMD; both are
// `$(VAR)`-expanded with the container's environment (kubelet's kubecontainer.ExpandContainerCommandAndArgs).
import type { ImageDefaults } from '../../images/types.ts';
import { expand, lookupIn } from './expand.ts';

export interface CommandSpec { command?: string[]; args?: string[]; workingDir?: string }

export function resolveArgv(c: CommandSpec, image: ImageDefaults, env: Record<string, string>): string[] {
  const lookup = lookupIn(env);
  const command = c.command?.length ? c.command.map((s) => expand(s, lookup)) : undefined;
  const args = c.args?.length ? c.args.map((s) => expand(s, lookup)) : undefined;
  if (command) return [...command, ...(args ?? [])];
  return [...image.entrypoint, ...(args ?? image.cmd)];
}

/** The working directory: the spec's, else the image's, else `/`. */
export const workingDir = (c: CommandSpec, image: ImageDefaults): string => c.workingDir || image.workingDir || '/';

/** containerd's message when argv is empty or argv[0] is not in the image. */
export function startErrorMessage(argv0: string | undefined): string {
  const why = argv0 === undefined ? 'no command specified' : `exec: ${JSON.stringify(argv0)}: executable file not found in $PATH`;
  return `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`;
}
