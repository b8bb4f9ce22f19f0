// Requests for a group-version served by an extension API server are proxied to it, as upstream's
// aggregator does: the client's identity travels in front-proxy headers (X-Remote-User,
// X-Remote-Group, X-Remote-Extra-*) over a connection authenticated by the front-proxy client
// certificate (front-proxy.ts); the client's own credentials do not. An APIService that is not
// available answers 503 `service unavailable`. Request bodies are buffered (3 MiB at most, as the
// apiserver's own limit); answers stream through, so watches work.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KObject } from '../registry/strategy.ts';
import type { WebhookClient } from '../webhook/client.ts';
import { CallError } from '../webhook/client.ts';
import { requestUser } from '../auth/user.ts';
import { errors } from '../errors.ts';
import type { TlsMaterial } from '../auth/certs.ts';
import { EXTRA_PREFIX, GROUP_HEADER, USER_HEADER } from './front-proxy.ts';

const MAX_BODY = 3 * 1024 * 1024;
const TIMEOUT_MS = 60_000;
const HOP = new Set(['authorization', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'te', 'trailer', 'impersonate-user', 'impersonate-group', 'impersonate-uid']);

export function frontProxyHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    const lk = k.toLowerCase();
    if (HOP.has(lk) || lk.startsWith('x-remote-') || lk.startsWith('impersonate-extra-') || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  const user = requestUser(req);
  if (user) {
    // One header line per group and extra value, as Go's Header.Add sends them.
    out[USER_HEADER] = user.name;
    if (user.groups?.length) out[GROUP_HEADER] = [...user.groups];
    for (const [key, values] of Object.entries(user.extra ?? {})) out[`${EXTRA_PREFIX}${encodeURIComponent(key)}`] = [...values];
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw errors.tooLarge();
    chunks.push(c as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks) : undefined;
}

export async function proxyTo(api: KObject, available: boolean, client: WebhookClient, identity: TlsMaterial | undefined, req: IncomingMessage, res: ServerResponse, pathAndQuery: string): Promise<void> {
  if (!available) throw errors.serviceUnavailable('service unavailable');
  const body = await readBody(req);
  const s = api.spec.service;
  const cc = { service: { namespace: s.namespace, name: s.name, port: s.port ?? 443 }, caBundle: api.spec.insecureSkipTLSVerify ? undefined : api.spec.caBundle };
  let answer;
  try {
    answer = await client.call(cc, { method: req.method ?? 'GET', path: pathAndQuery, headers: frontProxyHeaders(req), body, timeoutMs: TIMEOUT_MS, timeoutParam: false, insecure: !!api.spec.insecureSkipTLSVerify, cert: identity?.certPem, key: identity?.keyPem, stream: true });
  } catch (e) {
    if (e instanceof CallError) throw errors.serviceUnavailable(`error trying to reach service: ${e.message.replace(/^[A-Z][a-z]+ "[^"]*": /, '')}`);
    throw e;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP.has(k.toLowerCase())) headers[k] = v;
  res.writeHead(answer.status, headers);
  const upstream = answer.stream!;
  // A client that goes away ends the upstream request too (watches).
  res.on('close', () => upstream.destroy());
  upstream.on('error', () => res.destroy());
  upstream.pipe(res);
}
