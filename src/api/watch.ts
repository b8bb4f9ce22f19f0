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
import { chunked, WatchOutbox } from './watch-outbox.ts';
import { FrameCache } from './watch-frames.ts';
import type { ChunkedFrame } from './watch-outbox.ts';
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

const NEWLINE_CLOSE = Buffer.from('}\n');

/** Each event's frame per representation, shared by its watchers while the revision is recent (watch-frames.ts). */
const frames = new FrameCache({ maxEntries: 1024, maxBytes: 4 * 2 ** 20 });
/** Event frames built so far (each shared by every watcher of its revision, type and representation). */
export const watchFrameStats = { get built() { return frames.built; }, cache: () => frames.stats() };
// The frame last looked up: an event goes to every watcher of it in a row, most in one representation.
let last: { entry: object; type: string; rep: string; frame: ChunkedFrame } | undefined;
function sharedFrame(ev: ObjectEvent, rep: string, build: () => Uint8Array): ChunkedFrame {
  if (last && last.entry === ev.entry && last.type === ev.type && last.rep === rep) return last.frame;
  const frame = frames.get(ev.entry, `${ev.type} ${rep}`, () => chunked(build()));
  last = { entry: ev.entry, type: ev.type, rep, frame };
  return frame;
}
/** A JSON frame from the stored bytes themselves; no JSON text is kept per revision (see codec.ts). */
const jsonFrame = (ev: ObjectEvent) => Buffer.concat([Buffer.from(`{"type":"${ev.type}","object":`), ...jsonBytes(ev.entry), NEWLINE_CLOSE]);

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
  // Set once the store has handed over the initial events: later events count as live for the
  // slow-watcher cut-off (a large initial list may take a while to send; upstream does not count it).
  let live = false;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    watch?.cancel();
    for (const t of timers) clearTimeout(t);
    if (outbox.wasCut) outbox.discard(); else outbox.flush();
    if (!res.writableEnded) res.end();
  };
  const outbox = new WatchOutbox(res, finish);
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

  /** A frame of this watch's representation for an object made here (bookmarks, errors). */
  const frameOf = (type: string, obj: Record<string, any>): Uint8Array => {
    if (protobuf) return protobufFrames!(type, obj);
    return Buffer.from(`{"type":"${type}","object":${apiObjectJson(obj)}}\n`);
  };
  const line = (type: string, obj: Record<string, any>): void => {
    if (!closed) outbox.push(chunked(frameOf(type, obj)), false);
  };
  // Each event's frame in this watch's representation is built once and shared by every watcher of it.
  const includeObject = q.get('includeObject') ?? undefined;
  const repKey = `${protobuf ? 'pb' : 'json'} ${asTable ? `Table ${gvString(r)}/${r.resource} ${includeObject ?? ''}` : asMeta ? 'meta' : ''}`;
  const build = (ev: ObjectEvent): Uint8Array => {
    if (asTable) {
      const t = ext.toTable(r, [ev.entry.obj], { includeObject, resourceVersion: ev.entry.obj.metadata.resourceVersion });
      return frameOf(ev.type, t as Record<string, any>);
    }
    if (asMeta) return frameOf(ev.type, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: ev.entry.obj.metadata });
    if (protobuf) return protobufFrames!(ev.type, ev.entry.obj, true);
    return jsonFrame(ev);
  };
  const emit = (events: ObjectEvent[]) => {
    for (const ev of events) {
      if (closed) return;
      outbox.push(sharedFrame(ev, repKey, () => build(ev)), live);
    }
  };
  const bookmark = (rv: number, annotations?: Record<string, string>) => {
    const kind = asTable ? 'Table' : asMeta ? 'PartialObjectMetadata' : r.kind;
    const apiVersion = asTable || asMeta ? 'meta.k8s.io/v1' : gvString(r);
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (annotations) metadata.annotations = annotations;
    const obj = asTable ? { kind, apiVersion, metadata, columnDefinitions: null, rows: null } : { kind, apiVersion, metadata };
    line('BOOKMARK', obj);
  };
  const errorEvent = (status: Status) => {
    line('ERROR', status as unknown as Record<string, any>);
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
  live = true;
  if (closed) { watch.cancel(); return; }
  if (sendInitial) bookmark(watch.progress(), { 'k8s.io/initial-events-end': 'true' });
  if (bookmarks) {
    const tick = () => { if (!closed) { bookmark(watch!.progress()); timers.push(setTimeout(tick, watchSettings.bookmarkIntervalMs).unref()); } };
    timers.push(setTimeout(tick, watchSettings.bookmarkIntervalMs).unref());
  }
  timers.push(setTimeout(finish, timeoutMs).unref());
}
