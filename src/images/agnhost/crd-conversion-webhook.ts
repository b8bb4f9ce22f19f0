// agnhost crd-conversion-webhook: converts the e2e "stable.example.com" custom resources between v1
// (hostPort: "host:port") and v2 (host, port) over TLS on --port (443), path /crdconvert.
import type { ProgramIO } from '../types.ts';
import { cobraFlags, stopped, SIGTERM_EXIT } from '../program-kit.ts';
import { serveReviews } from './review-server.ts';

const failed = (message: string) => ({ status: 'Failure', message });

export function convertExample(o: Record<string, any>, to: string): { obj?: Record<string, any>; status: Record<string, string> } {
  const from = String(o.apiVersion ?? '');
  if (to === from) return { status: failed(`conversion from a version to itself should not call the webhook: ${to}`) };
  const out = structuredClone(o);
  if (from === 'stable.example.com/v1') {
    if (to !== 'stable.example.com/v2') return { status: failed(`unexpected conversion version ${JSON.stringify(to)}`) };
    if ('hostPort' in out) {
      const parts = String(out.hostPort).split(':');
      if (parts.length !== 2) return { status: failed(`invalid hostPort value \`${out.hostPort}\``) };
      delete out.hostPort;
      out.host = parts[0]; out.port = parts[1];
    }
  } else if (from === 'stable.example.com/v2') {
    if (to !== 'stable.example.com/v1') return { status: failed(`unexpected conversion version ${JSON.stringify(to)}`) };
    if ('host' in out || 'port' in out) {
      out.hostPort = `${out.host ?? ''}:${out.port ?? ''}`;
      delete out.host; delete out.port;
    }
  } else return { status: failed(`unexpected conversion version ${JSON.stringify(from)}`) };
  out.apiVersion = to;
  return { obj: out, status: { status: 'Success' } };
}

export async function crdConversionWebhook(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost crd-conversion-webhook', args, {
    'tls-cert-file': { type: 'string', default: '' }, 'tls-private-key-file': { type: 'string', default: '' }, port: { type: 'int', default: 443 },
  });
  if (!f) return 1;
  const ok = await serveReviews(io, f.values.port as number, String(f.values['tls-cert-file']), String(f.values['tls-private-key-file']), {
    '/crdconvert': (review) => {
      const req = review?.request ?? {};
      const converted: object[] = [];
      for (const o of req.objects ?? []) {
        const r = convertExample(o ?? {}, String(req.desiredAPIVersion ?? ''));
        if (!r.obj) return { apiVersion: review.apiVersion ?? 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid: req.uid ?? '', convertedObjects: null, result: { metadata: {}, ...r.status } } };
        converted.push(r.obj);
      }
      return { apiVersion: review.apiVersion ?? 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid: req.uid ?? '', convertedObjects: converted, result: { metadata: {}, status: 'Success' } } };
    },
  });
  if (!ok) return 2;
  await stopped(io);
  return SIGTERM_EXIT;
}
