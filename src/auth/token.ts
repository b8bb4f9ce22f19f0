// Bearer-token authentication: the admin token, or a service-account token (a JWT signed by this server;
// see sa-tokens.ts). No RBAC yet: every authenticated user may do everything, as the admin does.
import type { IncomingMessage } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { errors } from '../errors.ts';
import type { Authenticator } from '../api/app.ts';
import type { Clock } from '../clock.ts';
import type { ServiceAccountTokens } from './sa-tokens.ts';
import type { User } from './user.ts';

export const ADMIN_USER: User = { name: 'skiff-admin', groups: ['system:masters', 'system:authenticated'] };

/** The user for a bearer token; undefined if no authenticator knows it. Throws InvalidToken (sa-tokens.ts). */
export type TokenAuthenticator = (token: string, audiences?: string[]) => Promise<{ user: User; audiences?: string[] } | undefined>;

export function tokenUsers(adminToken: string, serviceAccounts?: ServiceAccountTokens): TokenAuthenticator {
  return async (token, audiences) => {
    if (sameSecret(token, adminToken)) return { user: ADMIN_USER };
    return serviceAccounts?.authenticate(token, audiences);
  };
}

/**
 * Whether two strings are equal, in time that depends on their length only (as Go's
 * subtle.ConstantTimeCompare): every code unit is compared, whatever the first difference. Compares
 * the strings as they are rather than as buffers: no copy of the token per request.
 */
export function sameSecret(got: string, want: string): boolean {
  if (got.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= got.charCodeAt(i) ^ want.charCodeAt(i);
  return diff === 0;
}

export function tokenAuthenticator(adminToken: string, serviceAccounts?: ServiceAccountTokens): Authenticator {
  const users = tokenUsers(adminToken, serviceAccounts);
  return {
    authenticate(req: IncomingMessage) {
      const h = req.headers.authorization;
      if (!h) return undefined;
      const m = /^Bearer\s+(\S+)$/i.exec(h);
      if (!m) throw errors.unauthorized();
      // The admin token is known at once (no promise, no turn of the event loop for most requests).
      if (sameSecret(m[1], adminToken)) return ADMIN_USER;
      // As upstream, why a token failed is not told to the client: every failure is a plain 401.
      return users(m[1]).catch(() => undefined).then((found) => {
        if (!found) throw errors.unauthorized();
        return found.user;
      });
    },
  };
}

/**
 * The admin token: read from `file` if it exists (kubeconfigs stay valid across restarts), else 24
 * bytes from the clock's random source in hex, written to `file` (when given) readable by its owner only.
 */
export function loadOrCreateAdminToken(file: string | undefined, clock: Pick<Clock, 'randomBytes'>): string {
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = Buffer.from(clock.randomBytes(24)).toString('hex');
  if (file) writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}
