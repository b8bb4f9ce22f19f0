// The watch stream: newline-delimited JSON events (or length-prefixed protobuf frames), headers
// flushed at once, bookmarks, timeouts, 410 as an ERROR event, and the streaming list
// (sendInitialEvents) that ends its initial events with an annotated bookmark.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, field, StatusError } from '../errors.ts';
import type { Status } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { gvString } from '../registry/resources.ts';
import type { ObjectEvent, Store, StoreWatch } from '../registry/store.ts';
import { jsonBytes } from '../registry/codec.ts';
import { apiObjectJson } from '../registry/wire-form.ts';
import type { Representation } from './negotiate.ts';
import type { Extensions } from './extensions.ts';
import type { FieldRequirement, LabelSelector } from './selectors.ts';

/** `shared`: obj is the store's immutable per-revision object, whose encoding may be reused. */
export type WatchFrameEncoder = (type: string, obj: Record<string, any>, shared?: boolean) => Uint8Array;
let protobufFrames: WatchFrameEncoder | undefined;
export function setWatchFrameEncoder(e: WatchFrameEncoder): void { protobufFrames = e; }

export interface WatchSettings { bookmarkIntervalMs: number }
export const watchSettings: WatchSettings = { bookmarkIntervalMs: 60_000 };

/** Buffered bytes after which a watcher is considered too slow and is closed (it will re-watch). */
const MAX_BUFFERED = 64 * 1024 * 1024;
const NEWLINE_CLOSE = Buffer.from('}\n');

/** A JSON watch frame of one revision, built once whoever else watches it (the store's entries are per revision). */
const framed = new WeakMap<object, { type: string; bytes: Buffer }>();
function framedJson(ev: ObjectEvent): Buffer {
  const hit = framed.get(ev.entry);
  if (hit && hit.type === ev.type) return hit.bytes;
  // The stored bytes themselves; no JSON text is kept per revision (see codec.ts).
  const bytes = Buffer.concat([Buffer.from(`{"type":"${ev.type}","object":`), ...jsonBytes(ev.entry), NEWLINE_CLOSE]);
  framed.set(ev.entry, { type: ev.type, bytes });
  return bytes;
}

// Frames are written once per event-loop turn, after the write that produced them has answered its
// own client: one socket write per watcher and turn however many events the turn produced.
interface Outbox { chunks: Buffer[]; finish: () => void }
const outboxes = new Map<ServerResponse, Outbox>();
let flushScheduled = false;
function queue(res: ServerResponse, bytes: Buffer, finish: () => void): void {
  let box = outboxes.get(res);
  if (!box) outboxes.set(res, box = { chunks: [], finish });
  box.chunks.push(bytes);
  if (!flushScheduled) { flushScheduled = true; setImmediate(flushOutboxes); }
}
function flushOutboxes(): void {
  flushScheduled = false;
  const boxes = [...outboxes];
  outboxes.clear();
  for (const [res, box] of boxes) {
    if (res.writableEnded || res.destroyed) continue;
    res.write(box.chunks.length === 1 ? box.chunks[0] : Buffer.concat(box.chunks));
    // A watcher that cannot keep up is closed (its client re-watches) rather than buffered without end.
    if (res.writableLength > MAX_BUFFERED) box.finish();
  }
}
/** Frames still queued for `res` go out before anything else it writes. */
function drainOutbox(res: ServerResponse): void {
  const box = outboxes.get(res);
  if (!box) return;
  outboxes.delete(res);
  if (!res.writableEnded && !res.destroyed) res.write(box.chunks.length === 1 ? box.chunks[0] : Buffer.concat(box.chunks));
}

export async function serveWatch(w: {
  req: IncomingMessage; res: ServerResponse; store: Store; resource: ResourceInfo; namespace?: string;
  query: URLSearchParams; rep: Representation; ext: Extensions;
  opts: { labelSelector?: LabelSelector; fieldSelector?: FieldRequirement[]; resourceVersion?: string; resourceVersionMatch?: string };
}): Promise<void> {
  const { req, res, store, resource: r, query: q, rep, ext } = w;
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const sendInitial = q.has('sendInitialEvents') ? q.get('sendInitialEvents') === 'true' : undefined;
  if (sendInitial !== undefined && w.opts.resourceVersionMatch !== 'NotOlderThan') {
    throw errors.invalid('meta.k8s.io', 'ListOptions', '', [field.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan')]);
  }
  if (sendInitial && !bookmarks) {
    throw errors.invalid('meta.k8s.io', 'ListOptions', '', [field.forbidden('allowWatchBookmarks', 'allowWatchBookmarks must be set to true when sendInitialEvents is true')]);
  }
  if (w.opts.resourceVersionMatch && sendInitial === undefined) {
    throw errors.invalid('meta.k8s.io', 'ListOptions', '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided')]);
  }
  const timeoutParam = q.get('timeoutSeconds');
  let timeoutMs = (1800 + Math.floor(w.store.clock.random() * 1800)) * 1000;
  if (timeoutParam !== null) {
    if (!/^\d+$/.test(timeoutParam)) throw errors.badRequest(`invalid value for timeoutSeconds: ${JSON.stringify(timeoutParam)}`);
    // 0 means "the default", as upstream.
    if (Number(timeoutParam) > 0) timeoutMs = Number(timeoutParam) * 1000;
  }
  // Metadata-only watches (client-go's metadata informers) stream protobuf frames too; Tables stay JSON.
  const protobuf = rep.format === 'protobuf' && (!rep.as || rep.as === 'PartialObjectMetadata') && protobufFrames !== undefined;
  const asTable = rep.as === 'Table';
  const asMeta = rep.as === 'PartialObjectMetadata';
  const contentType = protobuf ? 'application/vnd.kubernetes.protobuf;stream=watch'
    : asTable ? ext.tableContentType
      : asMeta ? 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' : 'application/json';

  let closed = false;
  let watch: StoreWatch | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    watch?.cancel();
    for (const t of timers) clearTimeout(t);
    drainOutbox(res);
    if (!res.writableEnded) res.end();
  };
  req.on('close', finish);
  res.on('error', finish);

  const started = () => {
    if (res.headersSent) return;
    res.statusCode = 200;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-cache, private');
    res.setHeader('Transfer-Encoding', 'chunked');
    res.flushHeaders();
  };

  const line = (type: string, objJson: string, obj?: Record<string, any>, shared = false): void => {
    if (closed) return;
    drainOutbox(res);
    if (protobuf) res.write(protobufFrames!(type, obj ?? JSON.parse(objJson), shared));
    else res.write(`{"type":"${type}","object":${objJson}}\n`);
    if (res.writableLength > MAX_BUFFERED) finish();
  };
  const emit = (events: ObjectEvent[]) => {
    if (closed) return;
    for (const ev of events) {
      if (asTable) {
        const t = ext.toTable(r, [ev.entry.obj], { includeObject: q.get('includeObject') ?? undefined, resourceVersion: ev.entry.obj.metadata.resourceVersion });
        line(ev.type, apiObjectJson(t as Record<string, unknown>), t as Record<string, any>);
      } else if (asMeta) {
        const m = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: ev.entry.obj.metadata };
        line(ev.type, apiObjectJson(m), m);
      } else if (protobuf) {
        line(ev.type, '', ev.entry.obj, true);
      } else if (!closed) {
        // The stored bytes themselves, framed once per event and shared by every watcher.
        queue(res, framedJson(ev), finish);
      }
    }
  };
  const bookmark = (rv: number, annotations?: Record<string, string>) => {
    const kind = asTable ? 'Table' : asMeta ? 'PartialObjectMetadata' : r.kind;
    const apiVersion = asTable || asMeta ? 'meta.k8s.io/v1' : gvString(r);
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (annotations) metadata.annotations = annotations;
    const obj = asTable ? { kind, apiVersion, metadata, columnDefinitions: null, rows: null } : { kind, apiVersion, metadata };
    line('BOOKMARK', apiObjectJson(obj), obj);
  };
  const errorEvent = (status: Status) => {
    line('ERROR', apiObjectJson(status as unknown as Record<string, unknown>), status as unknown as Record<string, any>);
  };

  try {
    watch = await store.watch(r, w.namespace, {
      labelSelector: w.opts.labelSelector,
      fieldSelector: w.opts.fieldSelector,
      resourceVersion: w.opts.resourceVersion,
      sendInitialEvents: sendInitial,
    }, (events) => { started(); emit(events); }, (err: StatusError) => { started(); errorEvent(err.status); finish(); });
  } catch (e) {
    if (e instanceof StatusError && e.code === 410) {
      // Upstream answers an expired watch with 200 and a single ERROR event.
      started(); errorEvent(e.status); finish(); return;
    }
    throw e;
  }
  started();
  if (closed) { watch.cancel(); return; }
  if (sendInitial) bookmark(watch.progress(), { 'k8s.io/initial-events-end': 'true' });
  if (bookmarks) {
    const tick = () => { if (!closed) { bookmark(watch!.progress()); timers.push(setTimeout(tick, watchSettings.bookmarkIntervalMs).unref()); } };
    timers.push(setTimeout(tick, watchSettings.bookmarkIntervalMs).unref());
  }
  timers.push(setTimeout(finish, timeoutMs).unref());
}
