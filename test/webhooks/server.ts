// A TLS webhook server on 127.0.0.1 with its own CA, for the webhook tests: each path answers with a
// handler the test sets; every request it receives is recorded.
import { createServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { generateServingCertificate } from '../../src/auth/certs.ts';

export type Handler = (body: any, req: IncomingMessage, res: ServerResponse) => unknown | Promise<unknown>;

export interface WebhookServer {
  port: number;
  caPem: string;
  caBundle: string;
  url(path: string): string;
  handle(path: string, h: Handler): void;
  received: { path: string; body: any; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startWebhookServer(hosts = ['127.0.0.1', 'localhost'], opts: { requestCert?: boolean } = {}): Promise<WebhookServer> {
  const tls = await generateServingCertificate(hosts, { now: () => Date.now(), randomBytes: (n) => randomBytes(n) });
  const handlers = new Map<string, Handler>();
  const received: WebhookServer['received'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem, ...(opts.requestCert ? { requestCert: true, rejectUnauthorized: false } : {}) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try { body = JSON.parse(text); } catch { body = text; }
      const path = (req.url ?? '').split('?')[0];
      received.push({ path: req.url ?? '', body, headers: req.headers });
      const h = handlers.get(path);
      if (!h) { res.writeHead(404).end('no handler'); return; }
      const out = await h(body, req, res);
      if (res.writableEnded || out === undefined) return;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  server.on('secureConnection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port, caPem: tls.caPem, caBundle: Buffer.from(tls.caPem).toString('base64'),
    url: (p) => `https://127.0.0.1:${port}${p}`,
    handle: (p, h) => handlers.set(p, h),
    received,
    close: () => new Promise<void>((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); }),
  };
}

/** An AdmissionReview v1 answer. */
export function allow(body: any, extra: Record<string, unknown> = {}): any {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: body.request.uid, allowed: true, ...extra } };
}

export function deny(body: any, message: string, code?: number): any {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: body.request.uid, allowed: false, status: { message, ...(code ? { code } : {}) } } };
}

export function patch(body: any, ops: unknown[]): any {
  return allow(body, { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });
}
