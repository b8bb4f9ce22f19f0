// nginx's /docker-entrypoint.sh: announces itself, then execs its arguments (normally nginx).
import type { ProgramIO } from '../types.ts';

// Imported when first needed (the catalogue imports this module), then kept: an import() of a loaded
// module still resolves through the loader on every call.
let catalogue: Promise<typeof import('../index.ts')> | undefined;

export async function dockerEntrypoint(io: ProgramIO): Promise<number> {
  const [cmd, ...rest] = io.argv.slice(1);
  if (!cmd) return 0;
  const { programFor } = await (catalogue ??= import('../index.ts'));
  const next = programFor(cmd);
  if (!next) { io.stderr(`/docker-entrypoint.sh: exec: line 47: ${cmd}: not found\n`); return 127; }
  if (cmd === 'nginx' || cmd === 'nginx-debug') {
    io.stdout('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration\n/docker-entrypoint.sh: Configuration complete; ready for start up\n');
  }
  return next({ ...io, argv: [cmd, ...rest] });
}
