// Programs by the name they are run as (argv[0]'s last path segment): the images' servers and tools.
// Each loads its module on first run, so the catalogue costs nothing at start-up.
import type { Program } from './types.ts';
import { NETWORK_COMMANDS } from './net/index.ts';
import { lazyProgram as lazy } from './lazy-program.ts';

const agnhost = lazy(async () => (await import('./agnhost/index.ts')).agnhost);
const pause = lazy(async () => (await import('./agnhost/pause.ts')).pause);
const nginx = lazy(async () => (await import('./web/nginx.ts')).nginx);
const httpd = lazy(async () => (await import('./web/httpd.ts')).httpd);

export const PROGRAMS: Record<string, Program> = {
  agnhost, 'agnhost-2': agnhost,
  pause,
  nginx,
  'docker-entrypoint.sh': lazy(async () => (await import('./web/entrypoint.ts')).dockerEntrypoint),
  'httpd-foreground': httpd, httpd,
  echoserver: lazy(async () => (await import('./web/echoserver.ts')).echoserver),
  ...NETWORK_COMMANDS,
  id: lazy(async () => (await import('./system/commands.ts')).id),
  whoami: lazy(async () => (await import('./system/commands.ts')).whoami),
  sysctl: lazy(async () => (await import('./system/commands.ts')).sysctl),
  ip: lazy(async () => (await import('./system/commands.ts')).ip),
  hexdump: lazy(async () => (await import('./system/hexdump.ts')).hexdump),
  nnp: lazy(async () => (await import('./system/commands.ts')).nnp),
};
