// Bearer-token authentication for the admin user (full RBAC is a later issue: the admin may do everything).
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { errors } from '../errors.ts';
import type { Authenticator } from '../api/app.ts';
import type { Clock } from '../clock.ts';

export const ADMIN_USER = { name: 'skiff-admin', groups: ['system:masters', 'system:authenticated'] };

export function tokenAuthenticator(adminToken: string): Authenticator {
  const want = Buffer.from(adminToken);
  return {
    authenticate(req: IncomingMessage) {
      const h = req.headers.authorization;
      if (!h) return undefined;
      const m = /^Bearer\s+(\S+)$/i.exec(h);
      if (!m) throw errors.unauthorized();
      const got = Buffer.from(m[1]);
      if (got.length !== want.length || !timingSafeEqual(got, want)) throw errors.unauthorized();
      return ADMIN_USER;
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
