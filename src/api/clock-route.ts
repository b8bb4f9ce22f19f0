// The clock admin endpoint (authenticated like every other path):
//   GET  /skiff/v1/clock           → {kind: Clock, now, scale}
//   POST /skiff/v1/clock/advance   {"seconds": N} or {"duration": "1h30m"}: jump simulated time forward
//   POST /skiff/v1/clock/scale     {"scale": X}: simulated time runs X times faster from now on
// Bad input answers with a 400 Status naming the problem; time never moves backwards.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rfc3339Micro } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { errors } from '../errors.ts';
import { parseJson, readBody } from './body.ts';
import { send } from './respond.ts';
import { notFoundPath } from './request-info.ts';

/** A clock the admin endpoint can move: advance always, setScale when it runs on real time. */
export interface AdjustableClock extends Clock {
  advance(ms: number): void;
  setScale?(scale: number): void;
  readonly scale?: number;
}

export const MAX_ADVANCE_MS = 366 * 24 * 3600 * 1000;
export const MAX_SCALE = 10_000;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go-style duration ("90s", "1h30m", "1.5h", "250ms", signed like "-5s") in milliseconds, or
 * undefined if malformed. A negative one parses, so the caller can say why it is refused.
 */
export function parseDuration(s: string): number | undefined {
  const signed = /^([-+]?)((\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (!signed) return undefined;
  let ms = 0;
  for (const m of signed[2].matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return signed[1] === '-' ? -ms : ms;
}

function clockDoc(clock: AdjustableClock) {
  return { kind: 'Clock', apiVersion: 'skiff.dev/v1', now: rfc3339Micro(clock.now()), scale: clock.scale ?? 1 };
}

async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = parseJson(await readBody(req));
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** How far to advance, from {"seconds": N} or {"duration": "..."}; throws a 400 naming the problem. */
export function advanceMs(body: Record<string, unknown>): number {
  const keys = Object.keys(body).filter((k) => k === 'seconds' || k === 'duration');
  const unknown = Object.keys(body).filter((k) => k !== 'seconds' && k !== 'duration');
  if (unknown.length) throw errors.badRequest(`unknown field ${JSON.stringify(unknown[0])}: expected "seconds" or "duration"`);
  if (keys.length !== 1) throw errors.badRequest('exactly one of "seconds" or "duration" is required');
  let ms: number | undefined;
  if (keys[0] === 'seconds') {
    const v = body.seconds;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw errors.badRequest(`"seconds" must be a number, got ${JSON.stringify(v)}`);
    ms = v * 1000;
  } else {
    const v = body.duration;
    if (typeof v !== 'string' || (ms = parseDuration(v)) === undefined) throw errors.badRequest(`"duration" must be a duration such as "90s" or "1h30m", got ${JSON.stringify(v)}`);
  }
  if (ms < 0) throw errors.badRequest('the clock only moves forward: the advance must not be negative');
  if (ms > MAX_ADVANCE_MS) throw errors.badRequest('an advance is limited to 366 days');
  return ms;
}

export function clockRoute(clock: AdjustableClock) {
  return async (req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>): Promise<boolean> => {
    const p = url.pathname.replace(/\/+$/, '');
    if (p !== '/skiff/v1/clock' && !p.startsWith('/skiff/v1/clock/')) return false;
    const method = req.method ?? 'GET';
    const wrongMethod = () => errors.methodNotSupported({ group: 'skiff.dev', resource: 'clock' }, method);
    if (p === '/skiff/v1/clock') {
      if (method !== 'GET' && method !== 'HEAD') throw wrongMethod();
      send(res, 200, clockDoc(clock));
      return true;
    }
    if (p === '/skiff/v1/clock/advance') {
      if (method !== 'POST') throw wrongMethod();
      clock.advance(advanceMs(await readObject(req)));
      send(res, 200, clockDoc(clock));
      return true;
    }
    if (p === '/skiff/v1/clock/scale') {
      if (method !== 'POST') throw wrongMethod();
      const v = (await readObject(req)).scale;
      if (typeof v !== 'number' || !(v > 0 && v <= MAX_SCALE)) throw errors.badRequest(`"scale" must be a number above 0 and at most ${MAX_SCALE}, got ${JSON.stringify(v)}`);
      if (!clock.setScale) throw errors.badRequest('this server runs on a manual clock: its time scale cannot be changed');
      clock.setScale(v);
      send(res, 200, clockDoc(clock));
      return true;
    }
    throw notFoundPath();
  };
}
