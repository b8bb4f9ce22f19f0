// A shell for programs that run one (netexec's /shell, webhook helpers): the container's filesystem
// and environment, with the network commands of this catalogue as commands. just-bash loads on first use.
import type { ProgramIO, Program } from './types.ts';

/** Run a program as a just-bash command: its output is collected and returned with its status. */
export function programAsCommand(jb: typeof import('just-bash'), name: string, program: Program, io: ProgramIO) {
  return jb.defineCommand(name, async (args, ctx) => {
    let stdout = '', stderr = '';
    const env = ctx.env instanceof Map ? Object.fromEntries(ctx.env as Map<string, string>) : { ...(ctx.env as unknown as Record<string, string>) };
    const code = await program({
      ...io, argv: [name, ...args], env, cwd: ctx.cwd, fs: ctx.fs,
      stdout: (c) => { stdout += typeof c === 'string' ? c : c.toString('latin1'); },
      stderr: (c) => { stderr += typeof c === 'string' ? c : c.toString('latin1'); },
    });
    return { stdout, stderr, exitCode: code };
  });
}

/** `sh -c script` in the container; output is stdout and stderr combined, as CombinedOutput. */
export async function runShell(io: ProgramIO, script: string): Promise<{ output: string; exitCode: number }> {
  const jb = await import('just-bash');
  const { NETWORK_COMMANDS } = await import('./net/index.ts');
  const commands = Object.entries(NETWORK_COMMANDS).map(([n, p]) => programAsCommand(jb, n, p, io));
  commands.push(jb.defineCommand('hostname', async () => ({ stdout: `${io.env.HOSTNAME ?? io.pod?.metadata?.name ?? 'localhost'}\n`, stderr: '', exitCode: 0 })));
  const bash = new jb.Bash({ fs: io.fs, env: io.env, cwd: io.cwd || '/', defenseInDepth: false, customCommands: commands, executionLimits: { maxExecutionTimeMs: 30_000 } });
  const r = await bash.exec(script, { cwd: io.cwd || '/', env: io.env });
  return { output: r.stdout + r.stderr, exitCode: r.exitCode };
}
