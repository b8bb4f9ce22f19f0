// The API Priority and Fairness filter (server/filters/priority-and-fairness.go): after
// authentication, each request is classified by the first FlowSchema that matches it, answered with
// the X-Kubernetes-PF-FlowSchema-UID and X-Kubernetes-PF-PriorityLevel-UID headers, and admitted by
// its priority level: exempt levels never wait; limited ones run it, queue it or refuse it with 429
// (plain text and Retry-After, as upstream's http.Error). Long-running requests other than watches
// are not classified; watches are classified but hold no seat (upstream counts a watch only while it
// initialises).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { User } from '../auth/user.ts';
import { ANONYMOUS_USER } from '../auth/user.ts';
import { requestAttributes } from '../auth/rbac/attributes.ts';
import type { FlowControlConfig, Level, Schema } from './config.ts';
import { flowDistinguisher, matchesFlowSchema } from './match.ts';
import type { RequestDigest } from './match.ts';
import { flowHash } from './queueset.ts';
import type { Outcome } from './queueset.ts';

export const FLOW_SCHEMA_UID = 'X-Kubernetes-PF-FlowSchema-UID';
export const PRIORITY_LEVEL_UID = 'X-Kubernetes-PF-PriorityLevel-UID';

/** The matching schema (the imagined catch-all when nothing else matches). */
export function classify(config: FlowControlConfig, d: RequestDigest): Schema {
  for (const s of config.schemas) if (matchesFlowSchema(d, s.spec)) return s;
  // Only a user in neither system:authenticated nor system:unauthenticated gets here.
  return config.schemas.find((s) => s.name === 'catch-all')!;
}

/** Test hook: called with each request admitted to a limited level, before its handler runs. */
export type AdmittedHook = (req: IncomingMessage, level: Level) => void | Promise<void>;

export class FlowControlFilter {
  readonly config: FlowControlConfig;
  onAdmitted?: AdmittedHook;
  constructor(config: FlowControlConfig) { this.config = config; }

  /**
   * Classify and admit one request. Returns true when it may proceed (a seat is held until the
   * response ends), false when it was answered here (429). Synchronous unless it queues.
   */
  admit(req: IncomingMessage, res: ServerResponse, user: User | undefined, path: string, query: URLSearchParams, longRunning: boolean): boolean | Promise<boolean> {
    const w = longRunning ? query.get('watch') : null;
    const isWatch = w === 'true' || w === '1';
    if (longRunning && !isWatch) return true;
    const a = requestAttributes(user ?? ANONYMOUS_USER, req.method ?? 'GET', path, query);
    const d: RequestDigest = { user: a.user, resourceRequest: a.resourceRequest, verb: a.verb, apiGroup: a.apiGroup, resource: a.resource, subresource: a.subresource, namespace: a.namespace, path };
    const schema = classify(this.config, d);
    const level = schema.level;
    res.setHeader(PRIORITY_LEVEL_UID, level.uid);
    res.setHeader(FLOW_SCHEMA_UID, schema.uid);
    if (level.exempt || isWatch) return true;
    const out = level.queues!.acquire(() => flowHash(schema.name, flowDistinguisher(d, schema.spec)));
    if ('wait' in out) {
      const onClose = () => out.cancel();
      res.once('close', onClose);
      return out.wait.then((o) => { res.off('close', onClose); return this.settle(req, res, level, o); });
    }
    return this.settle(req, res, level, out);
  }

  private settle(req: IncomingMessage, res: ServerResponse, level: Level, o: Outcome): boolean | Promise<boolean> {
    if ('rejected' in o) {
      level.rejected.set(o.rejected, (level.rejected.get(o.rejected) ?? 0) + 1);
      if (o.rejected !== 'cancelled') tooManyRequests(req, res);
      return false;
    }
    res.once('finish', o.release);
    res.once('close', o.release);
    if (this.onAdmitted) return Promise.resolve(this.onAdmitted(req, level)).then(() => true);
    return true;
  }
}

/** Upstream's tooManyRequests: Retry-After and http.Error's plain-text body. */
function tooManyRequests(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (res.headersSent || res.destroyed) return;
  res.statusCode = 429;
  res.setHeader('Retry-After', '1');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end('Too many requests, please try again later.\n');
}
