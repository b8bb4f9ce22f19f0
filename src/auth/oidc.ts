// Service-account issuer discovery (upstream's pkg/routes/openidmetadata.go): the OpenID configuration
// and the JSON Web Key Set that verifies tokens, so a relying party can check them without calling the
// API server. Authenticated like every non-public path (any authenticated user may read them).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../errors.ts';
import type { ServiceAccountTokens } from './sa-tokens.ts';

export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

function serve(res: ServerResponse, contentType: string, body: object): void {
  const text = JSON.stringify(body);
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'public, max-age=3600');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** `serverUrl()` is this server's external URL (known once it listens), for jwks_uri. */
export function oidcRoute(tokens: ServiceAccountTokens, serverUrl: () => string) {
  return (req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>): boolean => {
    const p = url.pathname.replace(/\/+$/, '');
    if (p !== OPENID_CONFIG_PATH && p !== JWKS_PATH) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotSupported({ group: '', resource: p }, req.method ?? '');
    if (p === JWKS_PATH) { serve(res, 'application/jwk-set+json', { keys: [tokens.key.jwk] }); return true; }
    serve(res, 'application/json', {
      issuer: tokens.issuer,
      jwks_uri: `${serverUrl()}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [tokens.key.alg],
    });
    return true;
  };
}
