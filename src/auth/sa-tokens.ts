// Service-account tokens as upstream's (k8s.io/kubernetes/pkg/serviceaccount): a JWT whose subject is
// system:serviceaccount:<ns>:<name>, with the account (and the Pod, Secret or Node it is bound to; for a
// Pod also the pod's node) in the private "kubernetes.io" claim. Issued by the serviceaccounts/token
// subresource; accepted by the authenticator only while the signature, issuer, audience and time window
// hold and the account (and bound object) still exist with the same uid. Time comes from the injected Clock.
import type { Clock } from '../clock.ts';
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { decodeJwt, signJwt, verifyJwt } from './jwt.ts';
import type { DecodedJwt } from './jwt.ts';
import type { SigningKey } from './signing-key.ts';
import type { User } from './user.ts';

/** The issuer, and the API server's one audience (upstream's --api-audiences defaults to the issuer). */
export const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** go-jose's DefaultLeeway, which upstream's validator uses for exp/nbf/iat and for deletions. */
const LEEWAY_S = 60;
/** Tokens whose signature has been checked: a token's signature stays valid for the life of the key. */
const VERIFIED_CACHE = 1024;

/** What a token is bound to; for a Pod, `node` is its node (name only if the Node cannot be read). */
export type BoundObject = { kind: 'Secret' | 'Node'; obj: KObject } | { kind: 'Pod'; obj: KObject; node?: Ref };
interface Ref { name?: string; uid?: string }
interface Private { namespace?: string; serviceaccount?: Ref; pod?: Ref; secret?: Ref; node?: Ref }

/** A token that does not authenticate; the message says why (kept out of the 401 the client sees). */
export class InvalidToken extends Error {}

export interface Authenticated { user: User; audiences: string[] }

export class ServiceAccountTokens {
  readonly issuer = SA_ISSUER;
  readonly audiences = [SA_ISSUER];
  private readonly verified = new Map<string, DecodedJwt>();
  private readonly store: Store;
  private readonly clock: Clock;
  readonly key: SigningKey;
  constructor(store: Store, clock: Clock, key: SigningKey) { this.store = store; this.clock = clock; this.key = key; }

  issue(sa: KObject, bound: BoundObject | undefined, expirationSeconds: number, audiences: string[]): { token: string; expiresAt: number } {
    const t = this.prepare(sa, bound, expirationSeconds, audiences);
    return { token: t.sign(), expiresAt: t.expiresAt };
  }

  /**
   * A token whose claims (times, jti, bound objects) are fixed now and whose signature is made on the
   * first sign() (then kept): the kubelet mounts a token into every pod, and most are never read.
   */
  prepare(sa: KObject, bound: BoundObject | undefined, expirationSeconds: number, audiences: string[]): { jti: string; expiresAt: number; sign(): string } {
    const now = Math.floor(this.clock.now() / 1000);
    const exp = now + expirationSeconds;
    const k8s: Private = { namespace: sa.metadata.namespace, serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid } };
    const ref = (o: KObject): Ref => ({ name: o.metadata.name, uid: o.metadata.uid });
    if (bound?.kind === 'Pod') {
      k8s.pod = ref(bound.obj);
      if (bound.node) k8s.node = bound.node;
    }
    if (bound?.kind === 'Secret') k8s.secret = ref(bound.obj);
    if (bound?.kind === 'Node') k8s.node = ref(bound.obj);
    const claims = {
      aud: audiences, exp, iat: now, iss: this.issuer, jti: this.clock.uuid(), 'kubernetes.io': k8s, nbf: now,
      sub: `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`,
    };
    let token: string | undefined;
    return { jti: claims.jti, expiresAt: exp * 1000, sign: () => (token ??= signJwt(claims, this.key)) };
  }

  /**
   * The user a token names, checked against `wanted` audiences (default: the API server's).
   * undefined: not a token of this issuer (another authenticator may know it). Throws InvalidToken.
   */
  async authenticate(token: string, wanted: string[] = this.audiences): Promise<Authenticated | undefined> {
    const c = this.verifiedClaims(token);
    if (!c) return undefined;
    const now = this.clock.now() / 1000;
    if (typeof c.exp !== 'number' || now > c.exp + LEEWAY_S) throw new InvalidToken('Token has expired.');
    if (typeof c.nbf === 'number' && now < c.nbf - LEEWAY_S) throw new InvalidToken('Token is not valid yet.');
    if (typeof c.iat === 'number' && now < c.iat - LEEWAY_S) throw new InvalidToken('Token was issued in the future.');
    const tokenAuds = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud.filter((a): a is string => typeof a === 'string') : [];
    const audiences = tokenAuds.filter((a) => wanted.includes(a));
    if (!audiences.length) throw new InvalidToken(`token audiences ${JSON.stringify(tokenAuds)} is invalid for the target audiences ${JSON.stringify(wanted)}`);

    const k = (c['kubernetes.io'] ?? {}) as Private;
    const ns = k.namespace;
    const saRef = k.serviceaccount;
    if (!ns || !saRef?.name || !saRef.uid || c.sub !== `system:serviceaccount:${ns}:${saRef.name}`) throw new InvalidToken('Token could not be validated.');
    const deletedBefore = now - LEEWAY_S;
    const sa = await this.current('serviceaccounts', ns, saRef.name);
    if (!sa || isDeleted(sa, deletedBefore)) throw new InvalidToken(`ServiceAccount ${ns}/${saRef.name} has been deleted`);
    if (sa.metadata.uid !== saRef.uid) throw new InvalidToken(`ServiceAccount UID (${sa.metadata.uid}) does not match claim (${saRef.uid})`);
    // A pod-bound token's node is information only; a node-bound token needs the Node.
    const bound = [['secrets', k.secret, 'Secret'], ['pods', k.pod, 'Pod'], ['nodes', k.pod ? undefined : k.node, 'Node']] as const;
    for (const [resource, ref, kind] of bound) {
      if (!ref) continue;
      const obj = ref.name ? await this.current(resource, kind === 'Node' ? undefined : ns, ref.name) : undefined;
      if (!obj || isDeleted(obj, deletedBefore)) throw new InvalidToken('Token has been invalidated');
      if (obj.metadata.uid !== ref.uid) throw new InvalidToken(`${kind} UID (${obj.metadata.uid}) does not match claim (${ref.uid})`);
    }

    const extra: Record<string, string[]> = {};
    if (k.pod) Object.assign(extra, { 'authentication.kubernetes.io/pod-name': [k.pod.name!], 'authentication.kubernetes.io/pod-uid': [k.pod.uid!] });
    if (k.node?.name) extra['authentication.kubernetes.io/node-name'] = [k.node.name];
    if (k.node?.uid) extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    if (typeof c.jti === 'string' && c.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${c.jti}`];
    return {
      user: {
        name: `system:serviceaccount:${ns}:${saRef.name}`, uid: saRef.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
        ...(Object.keys(extra).length ? { extra } : {}),
      },
      audiences,
    };
  }

  /** The claims of a token of this issuer with a good signature; undefined if not of this issuer. */
  private verifiedClaims(token: string): Record<string, unknown> | undefined {
    const hit = this.verified.get(token);
    if (hit) return hit.payload;
    const jwt = decodeJwt(token);
    if (!jwt || jwt.payload.iss !== this.issuer) return undefined;
    if (!verifyJwt(jwt, this.key)) throw new InvalidToken('invalid signature');
    if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, jwt);
    return jwt.payload;
  }

  private current(resource: string, ns: string | undefined, name: string): Promise<KObject | undefined> {
    return this.store.tryGet(findResource('', 'v1', resource)!, ns, name);
  }
}

/** Upstream counts an object as gone once its deletionTimestamp is older than the leeway. */
function isDeleted(obj: KObject, beforeS: number): boolean {
  const ts = obj.metadata.deletionTimestamp;
  return !!ts && Date.parse(ts) / 1000 < beforeS;
}
