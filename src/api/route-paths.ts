// Extension routes (openapi, metrics.k8s.io, aggregated APIs, OIDC discovery, snapshots) run before the
// resource handlers on every request. A route that answers only under some path prefixes says so
// with `onPaths`, and the pipeline calls it only for those paths: a create of a ConfigMap then passes
// no route at all (no call, no promise, no event-loop hop per route).
export type RouteHandler<Req, Res, Url extends { pathname: string }> = (req: Req, res: Res, url: Url) => Promise<boolean> | boolean;

const PATHS = Symbol('routePaths');

/** `route`, marked as answering only paths that start with one of `prefixes` (it still checks them itself). */
export function onPaths<F extends (...a: any[]) => Promise<boolean> | boolean>(prefixes: readonly string[], route: F): F {
  return Object.assign(route, { [PATHS]: prefixes });
}

/** Whether `route` may answer `pathname` (routes without declared prefixes may answer anything). */
export function mayAnswer(route: object, pathname: string): boolean {
  const prefixes = (route as { [PATHS]?: readonly string[] })[PATHS];
  if (!prefixes) return true;
  for (const p of prefixes) if (pathname.startsWith(p)) return true;
  return false;
}
