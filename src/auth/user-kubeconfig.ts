// A kubeconfig for another user, obtained as a cluster administrator would: make a key, send a
// CertificateSigningRequest for signer kubernetes.io/kube-apiserver-client (CN = user, O = groups),
// approve it, wait for the signed certificate, and write both into a kubeconfig. Used by
// `skiff kubeconfig --user` and startCluster()'s kubeconfigFor().
import { generateKeyPairSync, sign } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { ctx, oid, seq, set, utf8, bits, int } from './der.ts';
import { toPem } from './certs.ts';

export interface AdminAccess { server: string; caPem?: string; token: string }
export interface UserIdentity { user: string; groups?: string[]; /** Certificate lifetime (default: the signer's, one year). */ expirationSeconds?: number }

/** A PKCS#10 request for CN=user, O=each group, signed by a new P-256 key. */
export function makeCsr(id: UserIdentity): { csrPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  const name = seq(...(id.groups ?? []).map((g) => rdn('2.5.4.10', g)), rdn('2.5.4.3', id.user));
  const info = seq(int(0), name, publicKey.export({ type: 'spki', format: 'der' }), ctx(0, Buffer.alloc(0)));
  const der = seq(info, seq(oid('1.2.840.10045.4.3.2')), bits(sign('sha256', info, privateKey)));
  return { csrPem: toPem(der, 'CERTIFICATE REQUEST'), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

async function call(admin: AdminAccess, method: string, path: string, body?: object): Promise<{ code: number; body: any }> {
  const url = new URL(path, admin.server);
  const payload = body ? Buffer.from(JSON.stringify(body)) : undefined;
  const headers = { authorization: `Bearer ${admin.token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) };
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const mod = url.protocol === 'https:' ? httpsRequest : process.getBuiltinModule('node:http').request;
    const req = mod(url, { method, headers, ...(url.protocol === 'https:' ? { ca: admin.caPem } : {}) }, resolve);
    req.on('error', reject);
    req.end(payload);
  });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: any = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { code: res.statusCode ?? 0, body: parsed };
}

function failure(what: string, r: { code: number; body: any }): Error {
  return new Error(`${what}: ${r.body?.message ?? `HTTP ${r.code}`}`);
}

const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

/** Create, approve and wait for a client certificate for `id`; PEM of the certificate and its key. */
export async function obtainClientCertificate(admin: AdminAccess, id: UserIdentity, opts: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<{ certPem: string; keyPem: string }> {
  if (!admin.server.startsWith('https:')) throw new Error('client certificates need an HTTPS server (this one serves plain HTTP)');
  if (!id.user) throw new Error('a user name is required');
  const { csrPem, keyPem } = makeCsr(id);
  const name = `skiff-user-${id.user.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 200) || 'user'}-${Date.now().toString(36)}`;
  const created = await call(admin, 'POST', CSR_PATH, {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...(id.expirationSeconds ? { expirationSeconds: id.expirationSeconds } : {}) },
  });
  if (created.code !== 201) throw failure('creating the CertificateSigningRequest', created);
  const csr = created.body;
  csr.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'SkiffKubeconfig', message: `approved by skiff kubeconfig for user ${id.user}` }] };
  const approved = await call(admin, 'PUT', `${CSR_PATH}/${encodeURIComponent(name)}/approval`, csr);
  if (approved.code !== 200) throw failure('approving the CertificateSigningRequest', approved);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (let wait = 5; ; wait = Math.min(wait * 2, 500)) {
    const got = await call(admin, 'GET', `${CSR_PATH}/${encodeURIComponent(name)}`);
    if (got.code !== 200) throw failure('reading the CertificateSigningRequest', got);
    const failed = (got.body.status?.conditions ?? []).find((c: any) => c.type === 'Failed' && c.status === 'True');
    if (failed) throw new Error(`the signer refused the request: ${failed.message}`);
    if (got.body.status?.certificate) return { certPem: Buffer.from(got.body.status.certificate, 'base64').toString('utf8'), keyPem };
    if (Date.now() > deadline) throw new Error(`no certificate for CertificateSigningRequest ${name} after ${opts.timeoutMs ?? 30_000} ms (is the signing controller running?)`);
    await sleep(wait);
  }
}

/** A kubeconfig (YAML) for the user with client-certificate and key data. */
export function certKubeconfigYaml(o: { server: string; caPem?: string; user: string; certPem: string; keyPem: string; clusterName?: string }): string {
  const cluster = o.clusterName ?? 'skiff';
  const q = JSON.stringify;
  const b64 = (s: string) => q(Buffer.from(s).toString('base64'));
  return [
    'apiVersion: "v1"', 'kind: "Config"', 'preferences: {}', 'clusters:', `  - name: ${q(cluster)}`, '    cluster:', `      server: ${q(o.server)}`,
    ...(o.caPem ? [`      certificate-authority-data: ${b64(o.caPem)}`] : []),
    'users:', `  - name: ${q(o.user)}`, '    user:', `      client-certificate-data: ${b64(o.certPem)}`, `      client-key-data: ${b64(o.keyPem)}`,
    'contexts:', `  - name: ${q(`${o.user}@${cluster}`)}`, '    context:', `      cluster: ${q(cluster)}`, `      user: ${q(o.user)}`, '      namespace: "default"',
    `current-context: ${q(`${o.user}@${cluster}`)}`, '',
  ].join('\n');
}

/** The whole flow: a kubeconfig for `id` on the server `admin` reaches. */
export async function userKubeconfig(admin: AdminAccess, id: UserIdentity): Promise<string> {
  const { certPem, keyPem } = await obtainClientCertificate(admin, id);
  return certKubeconfigYaml({ server: admin.server, caPem: admin.caPem, user: id.user, certPem, keyPem });
}
