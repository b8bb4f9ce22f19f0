// kubectl cp to and from a simulated pod: tar over exec, with stdin into the pod (`tar -xmf - -C
// dir`) and stdout out of it (`tar cf - path`). kubectl 1.32 streams over WebSocket v5, 1.29
// over SPDY/3.1. Files hold every byte value, so any text handling on the way shows.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile } from '../lib.ts';

/** The versioned kubectl binaries sit beside the dispatcher on PATH. */
function kubectlBin(minor: number): string {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'kubectl');
    if (d && existsSync(p)) {
      const bin = join(dirname(realpathSync(p)), `kubectl.1.${minor}`);
      check(existsSync(bin), `kubectl.1.${minor} not found beside kubectl on PATH`);
      return bin;
    }
  }
  check(false, 'kubectl not found on PATH');
}

const show = (r: ExecResult) => `exit=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 300))} stderr=${JSON.stringify(r.stderr.slice(0, 600))}`;

function kubectl(ctx: CaseContext, bin: string) {
  return async (...args: string[]): Promise<string> => {
    const r = await execFile(bin, ['--kubeconfig', ctx.cluster.kubeconfigPath, '--request-timeout=30s', '-n', ctx.ns, ...args], { timeoutMs: 40_000, signal: ctx.signal, cwd: ctx.tmp });
    check(r.code === 0, `kubectl ${args.join(' ')}: ${show(r)}`);
    return r.stdout;
  };
}

async function runningPod(k: ReturnType<typeof kubectl>, name: string): Promise<void> {
  // restartPolicy Always (kubectl run's default): simulated Never pods complete after 5 s, which a slow run outlasts.
  await k('run', name, '--image=busybox:1.36', '--', 'sleep', '3600');
  await k('wait', '--for=condition=Ready', `pod/${name}`, '--timeout=30s');
}

/** Every byte value, ascending then descending, repeated past SPDY's 64 KiB window and a WebSocket frame. */
const ALL = Buffer.concat(Array.from({ length: 160 }, (_, r) => Buffer.from(Array.from({ length: 256 }, (_, i) => (r % 2 ? 255 - i : i)))));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Every file under dir (relative path → content); directories listed with a trailing '/'. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) { out.set(`${relative(dir, p)}/`, ''); walk(p); } else out.set(relative(dir, p), md5(readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

function fileCase(minor: number, transport: string): Case {
  return {
    behavior: 'cp.file-both-ways', name: `cp-file-1.${minor}`,
    async run(ctx) {
      const k = kubectl(ctx, kubectlBin(minor));
      await runningPod(k, 'cpf');
      writeFileSync(join(ctx.tmp, 'all.bin'), ALL);
      await k('cp', join(ctx.tmp, 'all.bin'), 'cpf:/tmp/all.bin');
      const inPod = (await k('exec', 'cpf', '--', 'md5sum', '/tmp/all.bin')).split(/\s+/)[0];
      check(inPod === md5(ALL), `into the pod over ${transport}: md5 ${inPod}, want ${md5(ALL)}`);
      await k('cp', 'cpf:/tmp/all.bin', join(ctx.tmp, 'back.bin'));
      const back = readFileSync(join(ctx.tmp, 'back.bin'));
      check(back.equals(ALL), `out of the pod over ${transport}: ${back.length} bytes (want ${ALL.length}), md5 ${md5(back)}`);
      // With --retries kubectl reads through `sh -c 'tar cf - X | tail -c+N'`.
      await k('cp', '--retries=2', 'cpf:/tmp/all.bin', join(ctx.tmp, 'retried.bin'));
      const retried = readFileSync(join(ctx.tmp, 'retried.bin'));
      check(retried.equals(ALL), `out of the pod with --retries over ${transport}: ${retried.length} bytes, md5 ${md5(retried)}`);
      // A file made inside the container, by a shell script, copies out as written (relative pod path too).
      await k('exec', 'cpf', '--', 'sh', '-c', 'mkdir -p /var/made && printf "caf\\303\\251 \\000\\377\\n" > /var/made/note');
      await k('cp', 'cpf:var/made/note', join(ctx.tmp, 'note'));
      const note = readFileSync(join(ctx.tmp, 'note'));
      check(note.equals(Buffer.from([...Buffer.from('café '), 0, 255, 10])), `file made in the pod: ${JSON.stringify(note.toString('latin1'))}`);
    },
    timeoutMs: 90_000,
  };
}

function dirCase(minor: number, transport: string): Case {
  return {
    behavior: 'cp.dir-both-ways', name: `cp-dir-1.${minor}`,
    async run(ctx) {
      const k = kubectl(ctx, kubectlBin(minor));
      await runningPod(k, 'cpd');
      const src = join(ctx.tmp, 'site');
      mkdirSync(join(src, 'assets', 'img'), { recursive: true });
      mkdirSync(join(src, 'empty-dir'));
      writeFileSync(join(src, 'index.html'), '<h1>héllo</h1>\n');
      writeFileSync(join(src, 'assets', 'img', 'all.bin'), ALL);
      writeFileSync(join(src, 'assets', 'empty'), '');
      await k('cp', src, 'cpd:/srv/site');
      const listed = (await k('exec', 'cpd', '--', 'find', '/srv/site')).trim().split('\n').sort();
      const want = ['/srv/site', '/srv/site/assets', '/srv/site/assets/empty', '/srv/site/assets/img', '/srv/site/assets/img/all.bin', '/srv/site/empty-dir', '/srv/site/index.html'];
      check(JSON.stringify(listed) === JSON.stringify(want), `tree in the pod over ${transport}: ${JSON.stringify(listed)}`);
      await k('cp', 'cpd:/srv/site', join(ctx.tmp, 'back'));
      const a = [...tree(src)], b = [...tree(join(ctx.tmp, 'back'))];
      check(JSON.stringify(a) === JSON.stringify(b), `tree copied back over ${transport}:\n  sent ${JSON.stringify(a)}\n  got  ${JSON.stringify(b)}`);
    },
    timeoutMs: 90_000,
  };
}

export const cpCases: Case[] = [
  fileCase(32, 'WebSocket v5'), fileCase(29, 'SPDY'),
  dirCase(32, 'WebSocket v5'), dirCase(29, 'SPDY'),
];
