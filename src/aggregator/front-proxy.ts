// The aggregator's identity towards extension API servers, as kube-apiserver's --proxy-client-cert
// and --requestheader-* flags give it: a client certificate (CN front-proxy-client) from a front-proxy
// CA, and the kube-system/extension-apiserver-authentication ConfigMap that tells extension servers
// (k8s.io/apiserver's delegated authentication) which CA and names to trust and which headers carry
// the user.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import { findResource } from '../registry/resources.ts';
import { generateClientCertificate } from '../auth/certs.ts';
import type { TlsMaterial } from '../auth/certs.ts';

export const FRONT_PROXY_CLIENT = 'front-proxy-client';
export const USER_HEADER = 'X-Remote-User', GROUP_HEADER = 'X-Remote-Group', EXTRA_PREFIX = 'X-Remote-Extra-';

export function frontProxyIdentity(clock: Clock): Promise<TlsMaterial> {
  return generateClientCertificate(FRONT_PROXY_CLIENT, 'front-proxy-ca', clock);
}

/** Writes (or refreshes) kube-system/extension-apiserver-authentication's requestheader keys. */
export async function publishAuthenticationConfig(store: Store, id: TlsMaterial): Promise<void> {
  const cms = findResource('', 'v1', 'configmaps')!;
  const data = {
    'requestheader-allowed-names': JSON.stringify([FRONT_PROXY_CLIENT]),
    'requestheader-client-ca-file': id.caPem,
    'requestheader-extra-headers-prefix': JSON.stringify([EXTRA_PREFIX]),
    'requestheader-group-headers': JSON.stringify([GROUP_HEADER]),
    'requestheader-username-headers': JSON.stringify([USER_HEADER]),
  };
  const name = 'extension-apiserver-authentication';
  const cur = await store.tryGet(cms, 'kube-system', name);
  if (!cur) await store.create(cms, 'kube-system', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' }, data });
  else await store.guaranteedUpdate(cms, 'kube-system', name, (c) => ({ ...c, data: { ...(c.data ?? {}), ...data } }));
}
