// pods/log for containers the runtime runs (src/kubelet/containers/): the run's real stdout and
// stderr lines, with timestamps, sinceSeconds/sinceTime, tailLines, limitBytes, follow (new lines
// as they are written, until the run ends) and previous (the last terminated run).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../errors.ts';
import type { KObject } from '../registry/strategy.ts';
import { workerFor } from '../kubelet/containers/workers.ts';
import type { LogLine, Logbook } from '../kubelet/containers/logbook.ts';
import { lineText } from '../kubelet/containers/logbook.ts';
import type { ContainerRef } from './common.ts';
import type { LogOptions } from './logs.ts';

/** The logbook of the run a request is about; undefined when the runtime does not run this container. */
export function runtimeLog(pod: KObject, c: ContainerRef, previous: boolean): Logbook | undefined {
  const w = workerFor(pod.metadata?.uid);
  if (!w || w.pod.metadata.name !== pod.metadata?.name) return undefined;
  const s = w.slot(c.name, c.kind === 'init' ? 'init' : c.kind === 'ephemeral' ? 'ephemeral' : 'container');
  if (!s) return undefined;
  if (previous) {
    // While the container waits to restart, its last run is `current`; the one before is `last`.
    const prev = s.waiting && s.current?.exit ? s.current : s.last;
    if (!prev) throw errors.badRequest(`previous terminated container "${c.name}" in pod "${pod.metadata?.name}" not found`);
    return prev.log;
  }
  return s.current?.log;
}

const rfc3339Nano = (t: number) => new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

export async function serveRuntimeLog(req: IncomingMessage, res: ServerResponse, log: Logbook, opts: LogOptions, now: number): Promise<void> {
  let written = 0;
  let done = false;
  const write = (l: LogLine): boolean => {
    if (done) return false;
    let buf = Buffer.from(`${opts.timestamps ? `${rfc3339Nano(l.ts)} ` : ''}${lineText(l)}`, 'latin1');
    if (opts.limitBytes !== undefined && written + buf.length >= opts.limitBytes) { buf = buf.subarray(0, opts.limitBytes - written); done = true; }
    written += buf.length;
    if (buf.length) res.write(buf);
    return !done;
  };
  const since = opts.sinceSeconds !== undefined ? now - opts.sinceSeconds * 1000 : opts.sinceTime;
  let lines = since !== undefined ? log.lines.filter((l) => l.ts >= since) : log.lines;
  if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
  for (const l of lines) if (!write(l)) break;
  if (done || !opts.follow || log.closed) { res.end(); return; }
  await new Promise<void>((resolve) => {
    const stop = log.follow((l) => {
      if (l && write(l)) return;
      stop();
      if (!res.writableEnded) res.end();
      resolve();
    });
    const gone = () => { stop(); resolve(); };
    res.on('close', gone);
    req.on('close', () => { if (res.destroyed) gone(); });
  });
}
