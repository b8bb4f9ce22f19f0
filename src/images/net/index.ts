// The network commands of emulated containers, as programs the runtime registers as shell commands.
import type { Program } from '../types.ts';
import { lazyProgram as lazy } from '../lazy-program.ts';

export const NETWORK_COMMANDS: Record<string, Program> = {
  wget: lazy(async () => (await import('./wget.ts')).wget),
  curl: lazy(async () => (await import('./curl.ts')).curl),
  nc: lazy(async () => (await import('./nc.ts')).nc),
  nslookup: lazy(async () => (await import('./dns-tools.ts')).nslookup),
  getent: lazy(async () => (await import('./dns-tools.ts')).getent),
  dig: lazy(async () => (await import('./dns-tools.ts')).dig),
  hostname: lazy(async () => (await import('./hostname.ts')).hostname),
};
