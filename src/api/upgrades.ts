// Requests with an Upgrade header, which Node hands to the server's 'upgrade' event instead of the
// request pipeline. The streaming subresources (pods exec, attach, portforward) are upgraded after
// authentication, every refusal a Status; on any other path the Upgrade header is ignored, as Go's
// server ignores one its handler does not take up, and the ordinary pipeline answers on the socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errors, StatusError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { KObject } from '../registry/strategy.ts';
import { writeHttpError } from '../streaming/common.ts';
import type { Authenticator } from './app.ts';
import { reportInternalError } from './app.ts';
import { writeGoBadRequest } from './go-http.ts';
import { parseRequestTarget } from './request-info.ts';
import { secureRequest } from '../auth/request-auth.ts';
import { isLogWebSocket, serveLogWebSocket } from '../streaming/logs-ws.ts';
import { connectTarget } from '../streaming/connect-options.ts';
import { asUser } from '../util/request-scope.ts';
import type { RequestSecurity } from '../auth/request-auth.ts';

const { ServerResponse: Response } = process.getBuiltinModule('node:http');

const STREAMING_PATH = /\/pods\/[^/]*\/(exec|attach|portforward)\/*$/;
const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';

export interface UpgradeDeps extends RequestSecurity {
  app: (req: IncomingMessage, res: ServerResponse) => void;
  auth: Authenticator;
  resolvePod: (ns: string, name: string) => Promise<KObject>;
  clock: Clock;
  log: (msg: string) => void;
  metrics: () => { internalError(): void } | undefined;
  /** Admission of the CONNECT (webhooks and policies on pods/exec, attach, portforward); refusals are StatusErrors. */
  admitConnect?: (ns: string, name: string, subresource: string, options: KObject) => Promise<void>;
}

/** Answer an upgrade request through the ordinary pipeline, on its socket, then close it. */
function serveWithoutUpgrade(app: UpgradeDeps['app'], req: IncomingMessage, socket: Duplex): void {
  const res = new Response(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
  res.on('close', () => { if (!res.writableFinished && !socket.destroyed) socket.destroy(); });
  app(req, res);
}

/** The server's 'upgrade' listener. */
export function upgradeHandler(deps: UpgradeDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const target = parseRequestTarget(req.url ?? '/');
    if (!target) { writeGoBadRequest(socket); return; }
    if (isLogWebSocket(target.pathname, req) && !hasBody(req)) { serveLogWebSocket(deps.app, req, socket, head); return; }
    if (!STREAMING_PATH.test(target.pathname) && !hasBody(req)) { serveWithoutUpgrade(deps.app, req, socket); return; }
    // A GET upgrade is authorized as `get` and, as upstream's AuthorizePodWebsocketUpgradeCreatePermission, `create`.
    Promise.resolve().then(() => secureRequest(deps, req, target.pathname, target.searchParams, false, req.method === 'GET' ? ['create'] : [])).then((user) => {
      if (!user) { writeHttpError(socket, errors.unauthorized()); return; }
      const connect = connectTarget(target.pathname, target.searchParams);
      const admitted = connect && deps.admitConnect
        ? asUser(user, () => deps.admitConnect!(connect.namespace, connect.name, connect.subresource, connect.options))
        : Promise.resolve();
      // The streaming machinery (exec, attach, port-forward: ws, SPDY, the simulated network) loads on the first upgrade.
      admitted.then(() => import('../streaming/exec.ts')).then(({ handleUpgrade }) => handleUpgrade(req, socket, head, deps.resolvePod, deps.clock)).then((handled) => {
        if (!handled) writeHttpError(socket, errors.badRequest(`upgrade is not supported for ${target.pathname.slice(0, 256)}`));
      }, (e) => {
        if (!(e instanceof StatusError)) reportInternalError(e, req, deps.log, deps.metrics());
        writeHttpError(socket, e);
      });
    }, (e) => writeHttpError(socket, e instanceof StatusError ? e : errors.unauthorized()));
  };
}
