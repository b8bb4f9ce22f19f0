// The proxy subresources of pods, Services and nodes (GET/HEAD/POST/PUT/PATCH/DELETE/OPTIONS
// .../{name}/proxy[/path]): the target is located as upstream does (location.ts) and reached over
// the simulated network (forward.ts), the node's kubelet answered in process. Nothing dials a real
// address.
import { errors } from '../errors.ts';
import type { SubresourceHandler, SubresourceRequest } from '../api/extensions.ts';
import { networkOf } from '../netsim/index.ts';
import { nodeLocation, podLocation, serviceLocation } from './location.ts';
import type { Location } from './location.ts';
import { dialPort, dialTarget, roundTrip } from './forward.ts';
import { answerKubelet } from './kubelet.ts';
import { proxyPath } from './path.ts';

async function locate(s: SubresourceRequest): Promise<Location> {
  const { resource, namespace, name } = s.info;
  if (resource.resource === 'pods') return podLocation(s.store, namespace!, name);
  if (resource.resource === 'services') return serviceLocation(s.store, namespace!, name, () => s.store.clock.random());
  if (resource.resource === 'nodes') return nodeLocation(s.store, name);
  throw errors.notFound({ group: resource.group, resource: `${resource.resource}/proxy` }, name);
}

export const proxyHandler: SubresourceHandler = async (s) => {
  const method = String(s.req.method ?? 'GET');
  if (!['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method)) {
    throw errors.methodNotSupported({ group: s.info.resource.group, resource: `${s.info.resource.resource}/proxy` }, method.toLowerCase());
  }
  const target = proxyPath(s.req.url ?? '/');
  const loc = await locate(s);
  // Upstream's redirect for an empty proxy path (issue 4958): GET/HEAD ".../proxy" → ".../proxy/".
  if (target.empty && (method === 'GET' || method === 'HEAD')) {
    s.req.resume();
    s.res.statusCode = 301;
    s.res.setHeader('Location', `${target.requestPath}/${target.rawQuery ? `?${target.rawQuery}` : ''}`);
    s.res.end();
    return;
  }
  if (loc.kubelet) { s.req.resume(); await answerKubelet(s.store, loc.kubelet, method, target.path, s.res); return; }
  const port = dialPort(loc);
  const socket = await dialTarget(networkOf(s.store), loc, port);
  await roundTrip(socket, loc, port, target, s.req, s.res);
};
