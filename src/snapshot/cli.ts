// `skiff snapshot save FILE` / `skiff snapshot restore FILE`: talk to a running server's snapshot
// endpoint (/skiff/v1/snapshot) with the server, CA and admin token of a kubeconfig.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { ClockTarget } from '../cli-clock.ts';

interface Reply { code: number; body: Buffer }

function call(t: ClockTarget, method: string, path: string, payload?: Buffer): Promise<Reply> {
  const url = new URL(path, t.server);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(url, {
      method, ca: t.ca,
      headers: { Authorization: `Bearer ${t.token}`, Accept: 'application/octet-stream, application/json', ...(payload ? { 'Content-Type': 'application/octet-stream', 'Content-Length': payload.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    r.end(payload);
  });
}

const message = (r: Reply) => { try { return JSON.parse(r.body.toString()).message ?? `HTTP ${r.code}`; } catch { return `HTTP ${r.code}`; } };

/** Runs the verb; resolves with the line to print, rejects with an Error whose message is the failure. */
export async function snapshotCommand(target: () => ClockTarget, args: string[]): Promise<string> {
  const [verb, file, extra] = args;
  if (extra !== undefined) throw new Error(`unexpected argument ${JSON.stringify(extra)}`);
  if (verb !== 'save' && verb !== 'restore') throw new Error(`snapshot needs a verb: save FILE or restore FILE${verb ? ` (got ${JSON.stringify(verb)})` : ''}`);
  if (!file) throw new Error(`snapshot ${verb} needs a FILE`);
  const t = target();
  if (verb === 'save') {
    const r = await call(t, 'GET', '/skiff/v1/snapshot');
    if (r.code !== 200) throw new Error(message(r));
    // Written beside the target and renamed, so a failure never leaves half a snapshot under FILE.
    writeFileSync(`${file}.tmp`, r.body);
    renameSync(`${file}.tmp`, file);
    return `saved ${r.body.length} bytes to ${file}`;
  }
  let bytes: Buffer;
  try { bytes = readFileSync(file); } catch (e) { throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  const r = await call(t, 'POST', '/skiff/v1/snapshot/restore', bytes);
  if (r.code !== 200) throw new Error(message(r));
  const out = JSON.parse(r.body.toString());
  return `restored ${out.objects} objects at revision ${out.revision}; clock: ${out.now}`;
}
