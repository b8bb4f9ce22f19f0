// The log of one run of a container: its stdout and stderr as timestamped lines (the CRI log
// format's content), capped like the kubelet's containerLogMaxSize (older lines are dropped), with
// listeners for `kubectl logs -f`.
/** `partial`: the run ended without a newline after this text (CRI's "P" tag): it is shown without one. */
export interface LogLine { ts: number; stream: 'stdout' | 'stderr'; text: string; partial?: boolean }

/** The line as it reads back: its text and, unless it was cut off by the end of the run, a newline. */
export const lineText = (l: LogLine): string => (l.partial ? l.text : `${l.text}\n`);

/** Bytes of log text kept per run (upstream's default containerLogMaxSize is 10Mi). */
export const MAX_LOG_BYTES = 1 << 20;

export class Logbook {
  lines: LogLine[] = [];
  private bytes = 0;
  /** Unterminated text of each stream (most containers print nothing: nothing is kept for them). */
  private partOut = '';
  private partErr = '';
  private listeners?: Set<(l: LogLine | undefined) => void>;
  closed = false;
  private readonly clock: { now(): number } | (() => number);
  /** `clock`: where the lines' timestamps come from (a Clock, or a function giving the time). */
  constructor(clock: { now(): number } | (() => number)) { this.clock = clock; }
  private now(): number { return typeof this.clock === 'function' ? this.clock() : this.clock.now(); }

  write(stream: 'stdout' | 'stderr', chunk: string): void {
    if (this.closed || !chunk) return;
    const text = (stream === 'stdout' ? this.partOut : this.partErr) + chunk;
    const parts = text.split('\n');
    const rest = parts.pop()!;
    if (stream === 'stdout') this.partOut = rest; else this.partErr = rest;
    for (const p of parts) this.push({ ts: this.now(), stream, text: p });
  }

  /** The run ended: flush unterminated lines and wake followers. */
  close(): void {
    if (this.closed) return;
    if (this.partOut) this.push({ ts: this.now(), stream: 'stdout', text: this.partOut, partial: true });
    if (this.partErr) this.push({ ts: this.now(), stream: 'stderr', text: this.partErr, partial: true });
    this.partOut = this.partErr = '';
    this.closed = true;
    const ls = this.listeners;
    this.listeners = undefined;
    for (const l of ls ?? []) l(undefined);
  }

  private push(l: LogLine): void {
    this.lines.push(l);
    this.bytes += l.text.length + 1;
    while (this.bytes > MAX_LOG_BYTES && this.lines.length > 1) this.bytes -= this.lines.shift()!.text.length + 1;
    for (const f of this.listeners ?? []) f(l);
  }

  /** Calls `f` for each new line, and with undefined when the run ends. Returns the unsubscriber. */
  follow(f: (l: LogLine | undefined) => void): () => void {
    if (this.closed) { f(undefined); return () => {}; }
    (this.listeners ??= new Set()).add(f);
    return () => { this.listeners?.delete(f); };
  }

  /** The last `bytes` of output, as FallbackToLogsOnError reads it (upstream: 80 lines, 2048 bytes). */
  tail(maxLines = 80, maxBytes = 2048): string {
    const text = this.lines.slice(-maxLines).map(lineText).join('');
    return text.length > maxBytes ? text.slice(text.length - maxBytes) : text;
  }
}
