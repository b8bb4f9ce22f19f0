// GET pods/{name}/log: simulated container output.
//
// A simulated container "prints" a startup line when it starts and then one line every
// LOG_INTERVAL_MS of simulated time, all derived from the pod uid, container name and restart
// count, so the same container always shows the same log. The annotation `skiff.dev/logs`
// (or `skiff.dev/logs.<container>` for one container) replaces that output with literal text,
// printed once at the container's start. Time comes from the store's clock, so `follow=true`
// delivers new lines as simulated time passes (and a FakeClock drives it in tests).
import { createHash } from 'node:crypto';
import type { SubresourceHandler } from '../api/extensions.ts';
import { errors, field } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { findResource } from '../registry/resources.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Store } from '../registry/store.ts';
import type { TimerHandle } from '../clock.ts';
import { boolParam, containerStatus, intParam, pickContainer } from './common.ts';
import type { ContainerRef } from './common.ts';
import { runtimeLog, serveRuntimeLog } from './container-logs.ts';

/** Simulated time between two generated log lines. */
export const LOG_INTERVAL_MS = 10_000;
export const LOGS_ANNOTATION = 'skiff.dev/logs';

export interface LogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  sinceTime?: number; // ms since epoch
}

/** Parse and validate PodLogOptions from the query (upstream ValidatePodLogOptions). */
export function parseLogOptions(q: URLSearchParams, podName: string): LogOptions {
  const o: LogOptions = {
    container: q.get('container') ?? undefined,
    follow: boolParam(q, 'follow') ?? false,
    previous: boolParam(q, 'previous') ?? false,
    timestamps: boolParam(q, 'timestamps') ?? false,
    tailLines: intParam(q, 'tailLines'),
    limitBytes: intParam(q, 'limitBytes'),
    sinceSeconds: intParam(q, 'sinceSeconds'),
  };
  boolParam(q, 'insecureSkipTLSVerifyBackend'); // accepted and ignored: there is no backend
  const st = q.get('sinceTime');
  if (st !== null && st !== '') {
    const t = Date.parse(st);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(st) || Number.isNaN(t)) {
      throw errors.badRequest(`parsing time ${JSON.stringify(st)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(st)} as RFC3339`);
    }
    o.sinceTime = t;
  }
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(field.invalid('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(field.invalid('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) errs.push(field.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) errs.push(field.invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  if (errs.length) throw errors.invalid('', 'PodLogOptions', podName, errs);
  return o;
}

/** One run of a container whose output we can print. */
export interface LogSource {
  pod: KObject;
  container: ContainerRef;
  restartCount: number;
  startedAt: number;
  /** Set when this run has ended (terminated state or a previous run). */
  finishedAt?: number;
  /** Whether the run can still produce lines (running, not `previous`). */
  live: boolean;
  /** containerID or startedAt, to notice a restart while following. */
  identity: string;
}

function ms(t: unknown): number | undefined {
  if (typeof t !== 'string' || !t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

/**
 * Which run of the container to print, with the kubelet's errors (validateContainerLogStatus).
 * Returns undefined when the pod has not been scheduled: upstream then answers an empty 200.
 */
export function resolveLogSource(pod: KObject, c: ContainerRef, previous: boolean): LogSource | undefined {
  const podName = String(pod.metadata?.name ?? '');
  if (!(pod as any).spec?.nodeName) return undefined;
  const cs = containerStatus(pod, c);
  if (!cs) throw errors.badRequest(`container "${c.name}" in pod "${podName}" is not available`);
  const restartCount = Number(cs.restartCount ?? 0) || 0;
  const last = cs.lastState?.terminated;
  const { waiting, running, terminated } = cs.state ?? {};
  const fromTerminated = (t: any, restarts: number): LogSource => {
    const started = ms(t.startedAt) ?? ms(t.finishedAt) ?? 0;
    return { pod, container: c, restartCount: restarts, startedAt: started, finishedAt: ms(t.finishedAt) ?? started, live: false, identity: String(t.containerID ?? t.startedAt ?? '') };
  };
  if (previous) {
    if (!last) throw errors.badRequest(`previous terminated container "${c.name}" in pod "${podName}" not found`);
    return fromTerminated(last, Math.max(0, restartCount - 1));
  }
  if (running) {
    const started = ms(running.startedAt) ?? 0;
    return { pod, container: c, restartCount, startedAt: started, live: true, identity: String(cs.containerID ?? running.startedAt ?? '') };
  }
  if (terminated) return fromTerminated(terminated, restartCount);
  if (last) return fromTerminated(last, Math.max(0, restartCount - 1)); // e.g. CrashLoopBackOff shows the last run
  if (waiting) {
    const reason = String(waiting.reason ?? '');
    if (reason === 'ErrImagePull') throw errors.badRequest(`container "${c.name}" in pod "${podName}" is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw errors.badRequest(`container "${c.name}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
    throw errors.badRequest(`container "${c.name}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  throw errors.badRequest(`container "${c.name}" in pod "${podName}" is waiting to start - no logs yet`);
}

/** Literal log text set by annotation, if any (per container first). */
function annotatedText(src: LogSource): string | undefined {
  const a = src.pod.metadata?.annotations ?? {};
  return a[`${LOGS_ANNOTATION}.${src.container.name}`] ?? a[LOGS_ANNOTATION];
}

/** Generated line `i` (0 = startup line) of a run; deterministic in uid, container and restart. */
export function generatedLine(src: LogSource, i: number): string {
  const seed = `${src.pod.metadata?.uid ?? ''}/${src.container.name}/${src.restartCount}`;
  const tag = createHash('sha256').update(seed).digest('hex').slice(0, 8);
  if (i === 0) {
    return `[${tag}] starting container ${src.container.name} (image ${src.container.image ?? '<none>'}, restart ${src.restartCount})`;
  }
  const n = createHash('sha256').update(`${seed}/${i}`).digest().readUInt32BE(0);
  return `[${tag}] ${src.container.name} tick ${i} value=${n % 100000}`;
}

/** Go's RFC3339Nano with a fixed 9-digit fraction, as the kubelet prefixes timestamps. */
export function rfc3339NanoFixed(t: number): string {
  return new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

interface Line { ts: number; text: string }

/**
 * The lines of a run with timestamps in [from, to], generated lazily: `first`/`last` are line
 * indices so a long-running container does not materialise its whole history.
 */
class RunLines {
  readonly src: LogSource;
  private readonly literal?: string[];
  constructor(src: LogSource) {
    this.src = src;
    const text = annotatedText(src);
    if (text !== undefined) {
      const parts = text.split('\n');
      if (parts.length && parts[parts.length - 1] === '') parts.pop();
      this.literal = parts;
    }
  }
  /** Number of lines that exist at simulated time `t`. */
  countAt(t: number): number {
    const end = this.src.finishedAt !== undefined ? Math.min(t, this.src.finishedAt) : t;
    if (end < this.src.startedAt) return 0;
    if (this.literal) return this.literal.length;
    return Math.floor((end - this.src.startedAt) / LOG_INTERVAL_MS) + 1;
  }
  /** Index of the first line with timestamp >= t. */
  firstAtOrAfter(t: number): number {
    if (t <= this.src.startedAt) return 0;
    if (this.literal) return this.literal.length; // all literal lines carry the start time
    return Math.ceil((t - this.src.startedAt) / LOG_INTERVAL_MS);
  }
  line(i: number): Line {
    if (this.literal) return { ts: this.src.startedAt, text: this.literal[i] };
    return { ts: this.src.startedAt + i * LOG_INTERVAL_MS, text: generatedLine(this.src, i) };
  }
}

/** Writes lines to the response, honouring timestamps and limitBytes and backpressure. */
class LogWriter {
  private written = 0;
  done = false;
  private readonly res: import('node:http').ServerResponse;
  private readonly opts: LogOptions;
  constructor(res: import('node:http').ServerResponse, opts: LogOptions) { this.res = res; this.opts = opts; }
  /** Write one line; returns false when the byte limit ended the output. */
  async write(l: Line): Promise<boolean> {
    if (this.done) return false;
    let buf = Buffer.from(`${this.opts.timestamps ? rfc3339NanoFixed(l.ts) + ' ' : ''}${l.text}\n`);
    if (this.opts.limitBytes !== undefined) {
      const left = this.opts.limitBytes - this.written;
      if (buf.length >= left) { buf = buf.subarray(0, left); this.done = true; }
    }
    this.written += buf.length;
    if (buf.length && !this.res.write(buf) && !this.res.destroyed) {
      await new Promise<void>((resolve) => {
        const fin = () => { this.res.off('drain', fin); this.res.off('close', fin); resolve(); };
        this.res.on('drain', fin);
        this.res.on('close', fin);
      });
    }
    if (this.res.destroyed) this.done = true;
    return !this.done;
  }
}

const podsResource = () => findResource('', 'v1', 'pods')!;

/** The pods/log subresource handler. */
export const logHandler: SubresourceHandler = async (s) => {
  const { req, res, info, query, store } = s;
  if (info.verb !== 'get') throw errors.methodNotSupported({ group: '', resource: 'pods/log' }, info.verb);
  const opts = parseLogOptions(query, info.name);
  const pod = await store.get(podsResource(), info.namespace, info.name);
  const container = pickContainer(pod, opts.container);
  const src = resolveLogSource(pod, container, opts.previous);

  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.flushHeaders();
  if (!src) { res.end(); return; }
  // A container the kubelet's runtime runs prints its real output.
  const book = runtimeLog(pod, container, opts.previous);
  if (book) { await serveRuntimeLog(req, res, book, opts, store.clock.now()); return; }

  const now = store.clock.now();
  const run = new RunLines(src);
  const out = new LogWriter(res, opts);
  const total = run.countAt(now);
  let first = 0;
  const since = opts.sinceSeconds !== undefined ? now - opts.sinceSeconds * 1000 : opts.sinceTime;
  if (since !== undefined) first = Math.max(first, run.firstAtOrAfter(since));
  if (opts.tailLines !== undefined) first = Math.max(first, total - opts.tailLines);
  for (let i = first; i < total; i++) {
    if (!(await out.write(run.line(i)))) { res.end(); return; }
  }
  if (!opts.follow || !src.live) { res.end(); return; }
  await follow(s.store, req, res, run, out, total);
};

/**
 * Keep writing lines as simulated time passes. Ends when the client goes away, the byte limit is
 * reached, or the run ends (pod deleted or replaced, container restarted or terminated).
 */
function follow(store: Store, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, run: RunLines, out: LogWriter, printed: number): Promise<void> {
  const src = run.src;
  const ns = src.pod.metadata?.namespace;
  const name = String(src.pod.metadata?.name ?? '');
  return new Promise<void>((resolve) => {
    let timer: TimerHandle | undefined;
    let finished = false;
    let busy = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      timer?.cancel();
      if (!res.writableEnded) res.end();
      resolve();
    };
    res.on('close', finish);
    req.on('close', () => { if (res.destroyed) finish(); });
    const emitUntil = async (t: number): Promise<boolean> => {
      const n = run.countAt(t);
      for (; printed < n; printed++) if (!(await out.write(run.line(printed)))) return false;
      return true;
    };
    const tick = async () => {
      if (finished || busy) return;
      busy = true;
      try {
        const now = store.clock.now();
        const cur = await store.tryGet(podsResource(), ns, name);
        let ended = false;
        let endAt = now;
        if (!cur || cur.metadata?.uid !== src.pod.metadata?.uid) ended = true;
        else {
          const cs = containerStatus(cur, src.container);
          const running = cs?.state?.running;
          const sameRun = running && String(cs.containerID ?? running.startedAt ?? '') === src.identity;
          if (!sameRun) {
            ended = true;
            const term = cs?.state?.terminated ?? cs?.lastState?.terminated;
            const f = ms(term?.finishedAt);
            if (f !== undefined) endAt = Math.min(now, f);
          }
        }
        const more = await emitUntil(endAt);
        if (!more || ended) { finish(); return; }
        schedule();
      } catch {
        finish();
      } finally {
        busy = false;
      }
    };
    const schedule = () => {
      if (finished) return;
      // Wake at the next line's timestamp (never later than one interval, so deletions are noticed).
      const next = src.startedAt + printed * LOG_INTERVAL_MS - store.clock.now();
      const wait = next > 0 && next <= LOG_INTERVAL_MS ? next : LOG_INTERVAL_MS;
      timer = store.clock.setTimeout(() => { void tick(); }, wait);
    };
    schedule();
  });
}
