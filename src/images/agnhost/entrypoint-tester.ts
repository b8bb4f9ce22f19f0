// agnhost entrypoint-tester: prints all of its argv as Go's fmt %v prints a []string
// ("[/agnhost entrypoint-tester a b]"), so a spec sees how command/args replaced ENTRYPOINT and CMD.
import type { ProgramIO } from '../types.ts';

export async function entrypointTester(io: ProgramIO): Promise<number> {
  io.stdout(`[${io.argv.join(' ')}]\n`);
  return 0;
}
