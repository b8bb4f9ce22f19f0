// Service account tokens for projected volumes, as the kubelet's token manager gets them through
// the TokenRequest API: bound to the pod (and its node), for the volume's audience and lifetime.
// Without the API server's issuer (a controllers-only test cluster) the kubelet signs with a key of
// its own, which only it trusts.
// As upstream's token manager (pkg/kubelet/token), a token is kept and handed out again until it is
// due for renewal: past 80% of its lifetime, or 24 hours after it was issued (each less a jitter of up
// to 10 s), so a volume's periodic refresh does not sign a new token for every pod every time.
// A token's claims are fixed when it is issued; its signature is made when the file is first read
// (see LazyContent): most pods never read theirs, and signing was a large part of starting a pod.
import type { Clock } from '../../clock.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { res } from '../../controllers/util.ts';
import { ServiceAccountTokens } from '../../auth/sa-tokens.ts';
import { generateSigningKey } from '../../auth/signing-key.ts';
import { ConfigError } from './sources.ts';
import type { LazyContent, TokenIssuer } from './volume-files.ts';

const MAX_TTL_MS = 24 * 3600_000;
const MAX_JITTER_MS = 10_000;

interface Held { token: LazyContent; issuedAt: number; expiresAt: number }

/** Whether a held token is due for renewal at `now` (upstream's requiresRefresh). */
export function dueForRenewal(t: { issuedAt: number; expiresAt: number }, now: number, jitterMs: number): boolean {
  if (now > t.issuedAt + MAX_TTL_MS - jitterMs) return true;
  return now > t.expiresAt - (t.expiresAt - t.issuedAt) * 0.2 - jitterMs;
}

export function tokenIssuer(store: Store, clock: Clock, tokens?: ServiceAccountTokens): TokenIssuer {
  let own: Promise<ServiceAccountTokens> | undefined;
  // Per holder (a worker's volumes; else the pod object): dropped with it.
  const held = new WeakMap<object, Map<string, Held>>();
  return async (pod, audience, expirationSeconds, holder: object = pod) => {
    const ns = String(pod.metadata.namespace), name = String(pod.spec?.serviceAccountName || 'default');
    const key = `${name}\u0000${audience ?? ''}\u0000${expirationSeconds}`;
    let mine = held.get(holder);
    const cur = mine?.get(key);
    if (cur && !dueForRenewal(cur, clock.now(), clock.random() * MAX_JITTER_MS)) return cur.token;
    const t = tokens ?? await (own ??= generateSigningKey().then((k) => new ServiceAccountTokens(store, clock, k)));
    const sa = await store.tryGet(res('', 'v1', 'serviceaccounts'), ns, name);
    if (!sa) throw new ConfigError(`failed to fetch token: serviceaccounts "${name}" not found`);
    const node = pod.spec?.nodeName ? await store.tryGet(res('', 'v1', 'nodes'), undefined, pod.spec.nodeName) : undefined;
    const bound = { kind: 'Pod' as const, obj: pod, ...(node ? { node: { name: String(node.metadata.name), uid: String(node.metadata.uid) } } : {}) };
    const issuedAt = clock.now();
    const out = t.prepare(sa, bound, expirationSeconds, audience ? [audience] : t.audiences);
    const token: LazyContent = { id: `token ${out.jti}`, value: out.sign };
    if (!mine) held.set(holder, mine = new Map());
    mine.set(key, { token, issuedAt, expiresAt: out.expiresAt });
    return token;
  };
}
