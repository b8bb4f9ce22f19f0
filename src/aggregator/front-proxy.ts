// The aggregator's identity towards extension API servers, as kube-apiserver's --proxy-client-cert
// and --requestheader-* flags give it: a client certificate (CN front-proxy-client) from a front-proxy
// CA, and the kube-system/extension-apiserver-authentication ConfigMap that tells extension servers
// (k8s.io/apiserver's delegated authentication) which CA and names to trust and which headers carry
// the user.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import { findResource } from '../registry/resources.ts';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClientCertificate } from '../auth/certs.ts';
import type { TlsMaterial } from '../auth/certs.ts';

export const FRONT_PROXY_CLIENT = 'front-proxy-client';
export const USER_HEADER = 'X-Remote-User', GROUP_HEADER = 'X-Remote-Group', EXTRA_PREFIX = 'X-Remote-Extra-';

const FILES = { caPem: 'front-proxy-ca.crt', certPem: 'front-proxy-client.crt', keyPem: 'front-proxy-client.key' } as const;

/**
 * The front-proxy CA and client certificate: kept in `dir` beside the serving CA (as kube-apiserver's
 * --proxy-client-cert-file and --requestheader-client-ca-file are files), made on first start or when
 * the certificate has expired; `dir` undefined (in memory): made afresh.
 */
export async function frontProxyIdentity(clock: Clock, dir?: string): Promise<TlsMaterial> {
  const path = (f: string) => join(dir!, f);
  if (dir && Object.values(FILES).every((f) => existsSync(path(f)))) {
    const kept = { caPem: readFileSync(path(FILES.caPem), 'utf8'), certPem: readFileSync(path(FILES.certPem), 'utf8'), keyPem: readFileSync(path(FILES.keyPem), 'utf8') };
    if (Date.parse(new X509Certificate(kept.certPem).validTo) > clock.now()) return kept;
  }
  const made = await generateClientCertificate(FRONT_PROXY_CLIENT, 'front-proxy-ca', clock);
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path(FILES.caPem), made.caPem);
    writeFileSync(path(FILES.certPem), made.certPem);
    writeFileSync(path(FILES.keyPem), made.keyPem, { mode: 0o600 });
  }
  return made;
}

/** kube-system's ConfigMap that publishes the front-proxy CA (FRONT_PROXY_CA_KEY) and the request headers. */
export const AUTHENTICATION_CONFIG = 'extension-apiserver-authentication';
/** Its key holding the front-proxy CA's certificate (PEM). */
export const FRONT_PROXY_CA_KEY = 'requestheader-client-ca-file';

/** Writes (or refreshes) kube-system/extension-apiserver-authentication's requestheader keys. */
export async function publishAuthenticationConfig(store: Store, id: TlsMaterial): Promise<void> {
  const cms = findResource('', 'v1', 'configmaps')!;
  const data = {
    'requestheader-allowed-names': JSON.stringify([FRONT_PROXY_CLIENT]),
    [FRONT_PROXY_CA_KEY]: id.caPem,
    'requestheader-extra-headers-prefix': JSON.stringify([EXTRA_PREFIX]),
    'requestheader-group-headers': JSON.stringify([GROUP_HEADER]),
    'requestheader-username-headers': JSON.stringify([USER_HEADER]),
  };
  const cur = await store.tryGet(cms, 'kube-system', AUTHENTICATION_CONFIG);
  if (!cur) await store.create(cms, 'kube-system', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: AUTHENTICATION_CONFIG, namespace: 'kube-system' }, data });
  // Already as wanted (a data directory's restart, an in-memory start from its image): nothing to write.
  else if (!Object.entries(data).every(([k, v]) => cur.data?.[k] === v)) {
    await store.guaranteedUpdate(cms, 'kube-system', AUTHENTICATION_CONFIG, (c) => ({ ...c, data: { ...(c.data ?? {}), ...data } }));
  }
}
