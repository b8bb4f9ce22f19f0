// Helpers shared by the pods/log and pods/exec handlers: query parameter parsing with Go's
// conversion rules, and container lookup with upstream's (registry pod rest/log.go) messages.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, toStatus } from '../errors.ts';
import { apiObjectJson } from '../registry/wire-form.ts';
import { parseRequestTarget } from '../api/request-info.ts';
import type { RequestUrl } from '../api/request-info.ts';

/** An upgrade's target, read as the request pipeline reads it (no dot resolution); the server has refused malformed ones. */
export function upgradeTarget(rawUrl: string): RequestUrl {
  return parseRequestTarget(rawUrl) ?? { pathname: '', searchParams: new URLSearchParams() };
}
import type { KObject } from '../registry/strategy.ts';

/** Annotation kubectl uses to pick a container when none is named. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** strconv.ParseBool: absent → undefined; bad values → 400. */
export function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False', ''].includes(v)) return false;
  throw errors.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** strconv.ParseInt(v, 10, 64): absent → undefined; bad values → 400. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}

export interface ContainerRef { name: string; image?: string; env?: { name: string; value?: string }[]; kind: 'container' | 'init' | 'ephemeral' }

function names(list: any[] | undefined): string[] {
  return Array.isArray(list) ? list.map((c) => String(c?.name ?? '')) : [];
}

/** All containers of a pod spec (regular, init, ephemeral). */
export function allContainers(pod: KObject): ContainerRef[] {
  const spec = (pod as any).spec ?? {};
  const out: ContainerRef[] = [];
  for (const c of spec.containers ?? []) out.push({ ...c, kind: 'container' });
  for (const c of spec.initContainers ?? []) out.push({ ...c, kind: 'init' });
  for (const c of spec.ephemeralContainers ?? []) out.push({ ...c, kind: 'ephemeral' });
  return out;
}

/**
 * Choose the container a log/exec request is about, as the pods/log REST storage does: the named
 * one (which must exist), else the only container, else the default-container annotation (a
 * kubectl convention that Skiff also honours server-side), else a 400 listing the choices.
 */
export function pickContainer(pod: KObject, requested: string | null | undefined): ContainerRef {
  const podName = String(pod.metadata?.name ?? '');
  const all = allContainers(pod);
  if (requested) {
    const c = all.find((x) => x.name === requested);
    if (!c) throw errors.badRequest(`container ${requested} is not valid for pod ${podName}`);
    return c;
  }
  const regular = all.filter((c) => c.kind === 'container');
  if (regular.length === 1) return regular[0];
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated) {
    const c = regular.find((x) => x.name === annotated);
    if (c) return c;
  }
  if (regular.length === 0) throw errors.badRequest(`a container name must be specified for pod ${podName}`);
  const spec = (pod as any).spec ?? {};
  let msg = `a container name must be specified for pod ${podName}, choose one of: [${names(spec.containers).join(' ')}]`;
  const inits = names(spec.initContainers);
  if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
  throw errors.badRequest(msg);
}

/** The status entry of a container, from whichever status list matches its kind. */
export function containerStatus(pod: KObject, c: ContainerRef): any | undefined {
  const st = (pod as any).status ?? {};
  const list = c.kind === 'init' ? st.initContainerStatuses : c.kind === 'ephemeral' ? st.ephemeralContainerStatuses : st.containerStatuses;
  return Array.isArray(list) ? list.find((s: any) => s?.name === c.name) : undefined;
}

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The WebSocket handshake checks the ws library makes, made first so that a malformed handshake is
 * answered with a Status like every other refusal (ws itself would write a bare text/html 400).
 * `protocols`: whether Sec-WebSocket-Protocol reaches ws (portforward's tunnel hides it).
 */
export function checkWebSocketHandshake(req: IncomingMessage, protocols: boolean): void {
  if (req.method !== 'GET') throw errors.badRequest('a WebSocket upgrade must be a GET request');
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !WS_KEY.test(key.trim())) throw errors.badRequest('missing or invalid Sec-WebSocket-Key header');
  const version = Number(req.headers['sec-websocket-version']);
  if (version !== 8 && version !== 13) throw errors.badRequest('missing or invalid Sec-WebSocket-Version header: supported versions are 13 and 8');
  const offered = req.headers['sec-websocket-protocol'];
  if (protocols && offered !== undefined) {
    const list = offered.split(',').map((p) => p.trim());
    if (list.some((p) => !TOKEN.test(p)) || new Set(list).size !== list.length) throw errors.badRequest('invalid Sec-WebSocket-Protocol header');
  }
}

/** Refuse an upgrade on its raw socket with a Status body (the connection never became HTTP/1.1 responses). */
export function writeHttpError(socket: Duplex, err: unknown): void {
  const st = toStatus(err);
  // As the API writes a Status: wire form, json.Encoder's trailing newline.
  const body = `${apiObjectJson(st as unknown as Record<string, unknown>)}\n`;
  const text: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };
  try {
    socket.end(`HTTP/1.1 ${st.code} ${text[st.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } catch { socket.destroy(); }
}
