// Bearer-token authentication for the admin user (full RBAC is a later issue: the admin may do everything).
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.ts';
import type { Authenticator } from '../api/app.ts';

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
