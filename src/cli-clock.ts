// `skiff clock [show | advance DURATION | set-scale X]`: talks to a running server's clock admin
// endpoint (/skiff/v1/clock) with the server, CA and admin token of a kubeconfig.
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { parse as parseYaml } from 'yaml';

export interface ClockTarget { server: string; ca?: string; token: string }

/** The current context's server, CA and token from a kubeconfig file. */
export function targetFromKubeconfig(path: string): ClockTarget {
  const kc = parseYaml(readFileSync(path, 'utf8'));
  const ctxName = kc['current-context'];
  const ctx = (kc.contexts ?? []).find((c: any) => c.name === ctxName)?.context ?? kc.contexts?.[0]?.context;
  const cluster = (kc.clusters ?? []).find((c: any) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = (kc.users ?? []).find((u: any) => u.name === ctx?.user)?.user ?? kc.users?.[0]?.user;
  if (!cluster?.server || !user?.token) throw new Error(`${path} has no server and token for its current context`);
  const caData = cluster['certificate-authority-data'];
  return { server: cluster.server, ca: caData ? Buffer.from(caData, 'base64').toString() : undefined, token: user.token };
}

/** The request a verb makes, or an error message for a malformed verb. */
export function clockRequest(args: string[]): { method: string; path: string; body?: unknown } | string {
  const [verb = 'show', arg, extra] = args;
  if (extra !== undefined) return `unexpected argument ${JSON.stringify(extra)}`;
  switch (verb) {
    case 'show': return arg === undefined ? { method: 'GET', path: '/skiff/v1/clock' } : `unexpected argument ${JSON.stringify(arg)}`;
    case 'advance':
      if (arg === undefined) return 'advance needs a duration, e.g. skiff clock advance 1h30m (or a number of seconds)';
      return { method: 'POST', path: '/skiff/v1/clock/advance', body: /^[-+]?\d+(\.\d+)?$/.test(arg) ? { seconds: Number(arg) } : { duration: arg } };
    case 'set-scale':
      if (arg === undefined || !Number.isFinite(Number(arg))) return 'set-scale needs a number, e.g. skiff clock set-scale 10';
      return { method: 'POST', path: '/skiff/v1/clock/scale', body: { scale: Number(arg) } };
    default: return `unknown clock verb ${JSON.stringify(verb)}: use show, advance DURATION or set-scale X`;
  }
}

/** Send the request; resolves with the status code and parsed body. */
export function callClock(t: ClockTarget, req: { method: string; path: string; body?: unknown }): Promise<{ code: number; body: any }> {
  const url = new URL(req.path, t.server);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(url, {
      method: req.method, ca: t.ca,
      headers: { Authorization: `Bearer ${t.token}`, Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        try { resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }); } catch { resolve({ code: res.statusCode ?? 0, body: { message: text } }); }
      });
    });
    r.on('error', reject);
    r.end(payload);
  });
}
