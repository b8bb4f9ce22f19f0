// X.509 client-certificate authentication (kube-apiserver's --client-ca-file): a certificate that
// verifies against the client CA names the user in its subject's CN and the groups in its O values.
// The TLS server asks for a certificate without requiring one (requestCert, rejectUnauthorized false),
// so a request without one, or with one that does not verify, falls through to the next authenticator.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Authenticator } from '../api/app.ts';
import type { User } from './user.ts';

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The user of a verified client certificate on this request's connection, if any. */
export function certificateUser(req: IncomingMessage): User | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const subject = socket.getPeerCertificate().subject as Record<string, string | string[] | undefined> | undefined;
  const name = asList(subject?.CN)[0];
  if (!name) return undefined;
  return { name, groups: [...asList(subject?.O), 'system:authenticated'] };
}

/** Client certificates first, as upstream's authenticator chain orders them; then `next`. */
export function withClientCertificates(next: Authenticator): Authenticator {
  return {
    async authenticate(req: IncomingMessage) {
      return certificateUser(req) ?? next.authenticate(req);
    },
  };
}
