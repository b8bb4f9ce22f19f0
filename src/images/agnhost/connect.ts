// agnhost connect host:port [--timeout 5s] [--protocol tcp|sctp]: tries one connection and prints why
// it failed on stderr (exit 1 for refused/timeout with "TIMEOUT"/"REFUSED" as upstream's codes, 2 otherwise).
import type { ProgramIO } from '../types.ts';
import { forPod, NetError } from '../../netsim/index.ts';
import { cobraFlags } from '../program-kit.ts';

export async function connect(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost connect', args, { timeout: { type: 'duration', default: 5000 }, protocol: { type: 'string', default: 'tcp' }, 'sctp-wait-data': { type: 'bool', default: false } });
  if (!f) return 1;
  if (f.rest.length !== 1) { io.stderr(`Error: accepts 1 arg(s), received ${f.rest.length}\n`); return 1; }
  const m = /^(.*):(\d+)$/.exec(f.rest[0]);
  if (!m) { io.stderr(`OTHER: address ${f.rest[0]}: missing port in address\n`); return 2; }
  const proto = String(f.values.protocol).toUpperCase() === 'SCTP' ? 'SCTP' : 'TCP';
  try {
    const c = await forPod(io.pod).connect(m[1].replace(/^\[(.*)\]$/, '$1'), Number(m[2]), { proto, timeoutMs: f.values.timeout as number, sleep: io.sleep, signal: io.signal });
    c.socket.destroy();
    return 0;
  } catch (e) {
    const code = e instanceof NetError ? e.code : '';
    if (code === 'ETIMEDOUT') { io.stderr(`TIMEOUT\n`); return 1; }
    if (code === 'ECONNREFUSED') { io.stderr(`REFUSED\n`); return 1; }
    if (code === 'ENOTFOUND') { io.stderr(`DNS: ${(e as Error).message}\n`); return 1; }
    io.stderr(`OTHER: ${(e as Error).message}\n`);
    return 1;
  }
}
