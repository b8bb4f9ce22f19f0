// agnhost logs-generator: --log-lines-total N lines spread evenly over --run-duration, each an
// API-server-like request line written through klog (stderr, "I1207 12:00:00.000000 ...").
import type { ProgramIO } from '../types.ts';
import { cobraFlags } from '../program-kit.ts';

const METHODS = ['GET', 'POST', 'PUT'];
const NAMESPACES = ['kube-system', 'default', 'ns'];
const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function klogPrefix(ms: number, level = 'I'): string {
  const d = new Date(ms);
  return `${level}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000       1 logs_generator.go:67]`;
}

export async function logsGenerator(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost logs-generator', args, { 'log-lines-total': { type: 'int', default: 0, short: 't' }, 'run-duration': { type: 'duration', default: 0, short: 'd' } });
  if (!f) return 1;
  const total = f.values['log-lines-total'] as number, duration = f.values['run-duration'] as number;
  if (total <= 0) { io.stderr(`${klogPrefix(io.now(), 'F')} Invalid total number of lines: ${total}\n`); return 255; }
  if (duration <= 0) { io.stderr(`${klogPrefix(io.now(), 'F')} Invalid duration: ${duration / 1000}s\n`); return 255; }
  const delay = duration / total;
  for (let id = 0; id < total; id++) {
    if (io.signal.aborted) return 143;
    const name = Array.from({ length: 3 + Math.floor(Math.random() * 2) }, () => pick([...ALNUM])).join('');
    io.stderr(`${klogPrefix(io.now())} ${id} ${pick(METHODS)} /api/v1/namespaces/${pick(NAMESPACES)}/pods/${name} ${200 + Math.floor(Math.random() * 400)}\n`);
    await io.sleep(delay, io.signal);
  }
  return 0;
}
