// Service account tokens for projected volumes, as the kubelet's token manager gets them through
// the TokenRequest API: bound to the pod (and its node), for the volume's audience and lifetime.
// Without the API server's issuer (a controllers-only test cluster) the kubelet signs with a key of
// its own, which only it trusts.
import type { Clock } from '../../clock.ts';
import type { Store } from '../../registry/store.ts';
import { res } from '../../controllers/util.ts';
import { ServiceAccountTokens } from '../../auth/sa-tokens.ts';
import { generateSigningKey } from '../../auth/signing-key.ts';
import { ConfigError } from './sources.ts';
import type { TokenIssuer } from './volume-files.ts';

export function tokenIssuer(store: Store, clock: Clock, tokens?: ServiceAccountTokens): TokenIssuer {
  let own: Promise<ServiceAccountTokens> | undefined;
  return async (pod, audience, expirationSeconds) => {
    const t = tokens ?? await (own ??= generateSigningKey().then((k) => new ServiceAccountTokens(store, clock, k)));
    const ns = String(pod.metadata.namespace), name = String(pod.spec?.serviceAccountName || 'default');
    const sa = await store.tryGet(res('', 'v1', 'serviceaccounts'), ns, name);
    if (!sa) throw new ConfigError(`failed to fetch token: serviceaccounts "${name}" not found`);
    const node = pod.spec?.nodeName ? await store.tryGet(res('', 'v1', 'nodes'), undefined, pod.spec.nodeName) : undefined;
    const bound = { kind: 'Pod' as const, obj: pod, ...(node ? { node: { name: String(node.metadata.name), uid: String(node.metadata.uid) } } : {}) };
    return t.issue(sa, bound, expirationSeconds, audience ? [audience] : t.audiences).token;
  };
}
