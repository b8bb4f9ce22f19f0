// `skiff kubeconfig --user NAME [--group G]…`: read the admin credential from a kubeconfig (its current
// context), obtain a client certificate for the user through the CertificateSigningRequest API and
// return a kubeconfig for them.
import { existsSync, readFileSync } from 'node:fs';
import { userKubeconfig } from './auth/user-kubeconfig.ts';

const b64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : undefined);

export async function userKubeconfigCommand(path: string, user: string, groups: string[]): Promise<string> {
  if (!user) throw new Error('--user needs a name');
  if (!existsSync(path)) throw new Error(`no kubeconfig at ${path}: set KUBECONFIG (or --kubeconfig) to an admin kubeconfig`);
  const { parse } = await import('yaml');
  const kc = parse(readFileSync(path, 'utf8')) ?? {};
  const ctxName = kc['current-context'];
  const ctx = (kc.contexts ?? []).find((c: any) => c?.name === ctxName)?.context ?? kc.contexts?.[0]?.context;
  const cluster = (kc.clusters ?? []).find((c: any) => c?.name === ctx?.cluster)?.cluster;
  const cred = (kc.users ?? []).find((u: any) => u?.name === ctx?.user)?.user;
  if (!cluster?.server) throw new Error(`${path}: no cluster server in the current context`);
  if (!cred?.token) throw new Error(`${path}: the current context's user has no token (an admin token is needed to approve the request)`);
  const caPem = b64(cluster['certificate-authority-data']) ?? (cluster['certificate-authority'] ? readFileSync(cluster['certificate-authority'], 'utf8') : undefined);
  return userKubeconfig({ server: cluster.server, caPem, token: cred.token }, { user, groups });
}
