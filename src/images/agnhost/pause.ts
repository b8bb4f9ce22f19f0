// agnhost pause (and the pause image): sleep until stopped; SIGTERM/SIGINT end it with status 0.
import type { ProgramIO } from '../types.ts';
import { stopped } from '../program-kit.ts';

export async function pause(io: ProgramIO): Promise<number> {
  io.stdout('Paused\n');
  await stopped(io);
  io.stdout('Shutting down, got signal: Terminated\n');
  return 0;
}
