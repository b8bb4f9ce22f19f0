// The contract between the simulated kubelet's container runtime (src/kubelet/containers/) and the
// catalogue of well-known images (src/images/): what an image runs by default, and the programs an
// emulated container can run besides the shell's own commands (agnhost subcommands, web servers,
// wget/nc/nslookup over the simulated network).
import type { KObject } from '../registry/strategy.ts';
import type { IFileSystem } from 'just-bash';

/** What `docker inspect` would say about an image's defaults (upstream: ENTRYPOINT, CMD, WORKDIR, USER). */
export interface ImageDefaults {
  entrypoint: string[];
  cmd: string[];
  workingDir?: string;
  /** Numeric uid the image runs as (0 when unset). */
  user?: number;
  /** Environment the image sets (PATH and the like). */
  env?: Record<string, string>;
  /** Files the image ships outside its PATH (path → content, made on first read). */
  files?: Record<string, () => string>;
}

/** What a running program sees of its container. */
export interface ProgramIO {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The container's filesystem (volumes mounted in it), shared with the shell and with exec. */
  fs: IFileSystem;
  stdin?: AsyncIterable<Buffer>;
  stdout(chunk: string | Buffer): void;
  stderr(chunk: string | Buffer): void;
  /** Aborted when the container is stopped (SIGTERM; the runtime escalates to SIGKILL after the grace period). */
  signal: AbortSignal;
  /** The pod the container belongs to (read-only) and the container's name. */
  pod: KObject;
  container: string;
  /** Simulated time: sleep and timestamps must go through it, never real timers directly. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  now(): number;
}

/** A program: resolves to its exit code. Long-running servers resolve when `signal` aborts. */
export type Program = (io: ProgramIO) => Promise<number>;
