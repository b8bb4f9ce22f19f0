// Client-certificate authentication (k8s.io/apiserver authentication/request/x509): a certificate the
// TLS layer verified against the cluster CA, valid for client authentication, names the user (its
// common name) and their groups (its organizations). A certificate that fails verification is an
// error (401) unless another credential on the request authenticates it.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import type { User } from './user.ts';
import type { Authenticator } from '../api/app.ts';
import { errors } from '../errors.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

export type CertResult = { user: User } | { invalid: string } | undefined;

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Per connection: the TLS socket, or over HTTP/2 the session (each stream has its own socket proxy). */
const cache = new WeakMap<object, CertResult>();

function fromSocket(sock: TLSSocket): CertResult {
  const cert = sock.getPeerCertificate() as PeerCertificate & { ext_key_usage?: string[] };
  if (!cert || Object.keys(cert).length === 0) return undefined;
  if (!sock.authorized) return { invalid: `x509: ${String(sock.authorizationError ?? 'certificate signed by unknown authority')}` };
  const eku = cert.ext_key_usage;
  if (eku && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU)) return { invalid: 'x509: certificate specifies an incompatible key usage' };
  const name = asList(cert.subject?.CN)[0];
  if (!name) return undefined; // upstream's CommonNameUserConversion: no common name, no user
  const groups = asList(cert.subject?.O);
  return { user: { name, groups: [...groups, ...(groups.includes('system:authenticated') ? [] : ['system:authenticated'])] } };
}

/** What the connection's client certificate says (computed once per connection). */
export function clientCertificateUser(req: IncomingMessage): CertResult {
  const session = (req as { stream?: { session?: { socket: TLSSocket } } }).stream?.session;
  const key: object | undefined = session ?? req.socket;
  if (!key) return undefined;
  if (cache.has(key)) return cache.get(key);
  const sock = session ? session.socket : req.socket as TLSSocket;
  if (!sock || !(sock as { encrypted?: boolean }).encrypted || typeof sock.getPeerCertificate !== 'function') return undefined;
  const r = fromSocket(sock);
  cache.set(key, r);
  return r;
}

/**
 * Client certificates first, then `next` (bearer tokens), as upstream's union authenticator: a
 * verified certificate names the user; one that fails verification is a 401 unless a token succeeds.
 */
export function withClientCertificates(next: Authenticator): Authenticator {
  const settle = (user: User | undefined, cert: CertResult) => {
    if (!user && cert) throw errors.unauthorized();
    return user;
  };
  return {
    // Synchronous when the next authenticator answers synchronously (the admin token).
    authenticate(req) {
      const cert = clientCertificateUser(req);
      if (cert && 'user' in cert) return cert.user;
      const user = next.authenticate(req);
      return user instanceof Promise ? user.then((u) => settle(u, cert)) : settle(user, cert);
    },
  };
}
