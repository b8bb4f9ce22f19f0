// The OpenAPI routes of one server's CRDs: /openapi/v3 (index with the custom group-versions added),
// /openapi/v3/apis/<group>/<version> for custom group-versions, and /openapi/v2 in JSON with the
// custom definitions merged. Everything else falls through to the built-in openapiRoute.
import type { RequestUrl } from './request-info.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceTable } from '../registry/resource-table.ts';
import { openapiV3Index } from '../openapi/index.ts';
import type { OpenAPIDocument } from '../openapi/index.ts';
import { lazyModule } from '../util/lazy-module.ts';

/** The custom OpenAPI documents (and the schema publishing under them): loaded with the first CRD. */
export const customOpenapi = lazyModule(new URL('../openapi/custom.ts', import.meta.url), () => import('../openapi/custom.ts'));
import { parseAccept } from './negotiate.ts';
import { sendDoc, sendHashedDoc } from './openapi-routes.ts';
import { onPaths } from './route-paths.ts';

/** Whether the client takes JSON for /openapi/v2 before any protobuf form (the first acceptable range wins). */
function wantsJson(req: IncomingMessage): boolean {
  for (const m of parseAccept(req.headers.accept)) {
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*') return true;
    if (m.type.includes('protobuf')) return false;
  }
  return false;
}

export function customOpenapiRoute(table: ResourceTable) {
  return onPaths(['/openapi/'], (req: IncomingMessage, res: ServerResponse, url: RequestUrl): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (!table.customResources().length) return false;
    const { customV3Document, customV3Paths, mergedV2 } = customOpenapi.get();
    const p = url.pathname.replace(/\/+$/, '');
    if (p === '/openapi/v2') {
      if (!wantsJson(req)) return false; // the gnostic protobuf form stays the built-in document
      res.setHeader('Vary', 'Accept');
      sendDoc(req, res, mergedV2(table), false);
      return true;
    }
    if (p === '/openapi/v3') {
      const index = openapiV3Index();
      for (const gv of customV3Paths(table)) index.paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${customV3Document(table, gv)!.hash}` };
      index.paths = Object.fromEntries(Object.entries(index.paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const body = JSON.stringify(index);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(body);
      return true;
    }
    if (!p.startsWith('/openapi/v3/apis/')) return false;
    const doc = customV3Document(table, p.slice('/openapi/v3/'.length));
    if (!doc) return false;
    sendHashedDoc(req, res, p, doc, url.searchParams.get('hash'));
    return true;
  });
}
