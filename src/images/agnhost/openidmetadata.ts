// agnhost test-service-account-issuer-discovery: reads a projected service-account token and verifies
// it as a third-party relying party would, through the issuer's OIDC discovery: with in-cluster
// credentials (the pod's service-account token and CA, the kubernetes Service from its env) it
// fetches <issuer>/.well-known/openid-configuration, checks the issuer, fetches jwks_uri and checks
// the token's signature (RS256/ES256), audience and expiry; if that fails, it tries once more without
// credentials ("external discovery") and exits 1 on failure, as upstream's log.Fatal.
import { createPublicKey, verify } from 'node:crypto';
import type { ProgramIO } from '../types.ts';
import { forPod, httpRequest } from '../../netsim/index.ts';
import { cobraFlags, goLog } from '../program-kit.ts';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const ALGS = new Set(['RS256', 'ES256']);

interface Token { header: Record<string, any>; claims: Record<string, any>; input: string; sig: Buffer }

function parse(raw: string): Token {
  const parts = raw.trim().split('.');
  if (parts.length !== 3) throw new Error('square/go-jose: compact JWS format must have three parts');
  const json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  try {
    return { header: json(parts[0]), claims: json(parts[1]), input: `${parts[0]}.${parts[1]}`, sig: Buffer.from(parts[2], 'base64url') };
  } catch (e) { throw new Error(`square/go-jose: ${(e as Error).message}`); }
}

interface Client { token?: string; ca?: string }

async function getJson(io: ProgramIO, url: string, c: Client): Promise<any> {
  const r = await httpRequest(forPod(io.pod), {
    url, headers: c.token ? { Authorization: `Bearer ${c.token}` } : {}, ca: c.ca, timeoutMs: 30_000, sleep: io.sleep, signal: io.signal,
  });
  const body = r.body.toString('utf8');
  if (r.status !== 200) throw new Error(`${r.status} ${r.statusText}: ${body}`);
  try { return JSON.parse(body); } catch (e) { throw new Error(`oidc: failed to decode provider discovery object: ${(e as Error).message}`); }
}

function checkSignature(t: Token, keys: any[]): void {
  if (!ALGS.has(t.header.alg)) throw new Error(`oidc: id token signed with unsupported algorithm, expected ["RS256" "ES256"] got "${t.header.alg}"`);
  const candidates = keys.filter((k) => !t.header.kid || k?.kid === t.header.kid);
  for (const jwk of candidates) {
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      const ok = t.header.alg === 'ES256'
        ? verify('sha256', Buffer.from(t.input), { key, dsaEncoding: 'ieee-p1363' }, t.sig)
        : verify('sha256', Buffer.from(t.input), key, t.sig);
      if (ok) return;
    } catch { /* a key of another type: try the next */ }
  }
  throw new Error('failed to verify signature: failed to verify id token signature');
}

function checkClaims(io: ProgramIO, t: Token, issuer: string, audience: string): void {
  if (t.claims.iss !== issuer) throw new Error(`oidc: id token issued by a different provider, expected "${issuer}" got "${t.claims.iss}"`);
  const aud: string[] = Array.isArray(t.claims.aud) ? t.claims.aud : [t.claims.aud];
  if (!aud.includes(audience)) throw new Error(`oidc: expected audience "${audience}" got ${JSON.stringify(aud)}`);
  if (typeof t.claims.exp === 'number' && t.claims.exp * 1000 < io.now()) throw new Error(`oidc: token is expired (Token Expiry: ${new Date(t.claims.exp * 1000).toISOString()})`);
}

async function validate(io: ProgramIO, t: Token, audience: string, c: Client): Promise<void> {
  const issuer = String(t.claims.iss ?? '');
  goLog(io, `OK: got issuer ${issuer}`);
  const cfg = await getJson(io, `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, c);
  if (cfg.issuer !== issuer) throw new Error(`oidc: issuer did not match the issuer returned by provider, expected "${issuer}" got "${cfg.issuer}"`);
  goLog(io, `OK: Constructed OIDC provider for issuer ${issuer}`);
  const jwks = await getJson(io, String(cfg.jwks_uri ?? ''), c);
  checkSignature(t, Array.isArray(jwks?.keys) ? jwks.keys : []);
  checkClaims(io, t, issuer, audience);
  goLog(io, 'OK: Validated signature on JWT');
  goLog(io, 'OK: Got valid claims from token!');
  const k = t.claims['kubernetes.io'] ?? {};
  goLog(io, `Full, validated claims: \n${k.namespace ?? ''}/${k.serviceaccount?.name ?? ''} for ${JSON.stringify(t.claims.aud)}`);
}

async function inClusterClient(io: ProgramIO): Promise<Client> {
  if (!io.env.KUBERNETES_SERVICE_HOST || !io.env.KUBERNETES_SERVICE_PORT) throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const read = (f: string) => io.fs.readFile(`${SA_DIR}/${f}`);
  return { token: (await read('token')).trim(), ca: await read('ca.crt') };
}

export async function testServiceAccountIssuerDiscovery(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost test-service-account-issuer-discovery', args, {
    'token-path': { type: 'string', default: '' }, audience: { type: 'string', default: '' },
  });
  if (!f) return 1;
  const fatal = (m: string) => { goLog(io, m); return 1; };
  let token: Token;
  try { token = parse(await io.fs.readFile(String(f.values['token-path']))); } catch (e) { return fatal(`open ${f.values['token-path']}: ${(e as Error).message.includes('ENOENT') ? 'no such file or directory' : (e as Error).message}`); }
  goLog(io, 'OK: Got token');
  const audience = String(f.values.audience);
  goLog(io, 'validating with in-cluster discovery');
  let client: Client;
  try { client = await inClusterClient(io); } catch (e) { return fatal((e as Error).message); }
  try { await validate(io, token, audience, client); return 0; } catch (e) { goLog(io, `failed to validate with in-cluster discovery: ${(e as Error).message}`); }
  goLog(io, 'falling back to validating with external discovery');
  try { await validate(io, token, audience, {}); return 0; } catch (e) { return fatal((e as Error).message); }
}
