// Service-account issuer discovery (upstream's pkg/routes/openidmetadata.go): the OpenID configuration
// and the JSON Web Key Set that verifies tokens, so a relying party can check them without calling the
// API server. Authenticated like every non-public path (any authenticated user may read them).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../errors.ts';
import { SA_ISSUER } from './sa-tokens.ts';
import type { ServiceAccountTokens } from './sa-tokens.ts';
import { onPaths } from '../api/route-paths.ts';

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

/**
 * Where the JWKS is published. Upstream defaults it to the server's external address; Skiff's is a
 * loopback address that in-cluster relying parties (emulated pods) cannot reach, so with the default
 * in-cluster issuer it is served as kube-apiserver's --service-account-jwks-uri would set it, on the
 * issuer's host (the kubernetes Service); with another issuer, on the external URL as upstream.
 */
export function jwksUri(issuer: string, serverUrl: string): string {
  return `${issuer === SA_ISSUER ? issuer : serverUrl}${JWKS_PATH}`;
}

/** `serverUrl()` is this server's external URL (known once it listens), for jwks_uri. */
export function oidcRoute(tokens: ServiceAccountTokens, serverUrl: () => string) {
  return onPaths([OPENID_CONFIG_PATH, JWKS_PATH], (req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>): boolean => {
    const p = url.pathname.replace(/\/+$/, '');
    if (p !== OPENID_CONFIG_PATH && p !== JWKS_PATH) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotSupported({ group: '', resource: p }, req.method ?? '');
    if (p === JWKS_PATH) { serve(res, 'application/jwk-set+json', { keys: [tokens.key.jwk] }); return true; }
    serve(res, 'application/json', {
      issuer: tokens.issuer,
      jwks_uri: jwksUri(tokens.issuer, serverUrl()),
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [tokens.key.alg],
    });
    return true;
  });
}
