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
  private partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private listeners = new Set<(l: LogLine | undefined) => void>();
  closed = false;
  private readonly now: () => number;
  constructor(now: () => number) { this.now = now; }

  write(stream: 'stdout' | 'stderr', chunk: string): void {
    if (this.closed || !chunk) return;
    const text = this.partial[stream] + chunk;
    const parts = text.split('\n');
    this.partial[stream] = parts.pop()!;
    for (const p of parts) this.push({ ts: this.now(), stream, text: p });
  }

  /** The run ended: flush unterminated lines and wake followers. */
  close(): void {
    if (this.closed) return;
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) { this.push({ ts: this.now(), stream: s, text: this.partial[s], partial: true }); this.partial[s] = ''; }
    this.closed = true;
    for (const l of this.listeners) l(undefined);
    this.listeners.clear();
  }

  private push(l: LogLine): void {
    this.lines.push(l);
    this.bytes += l.text.length + 1;
    while (this.bytes > MAX_LOG_BYTES && this.lines.length > 1) this.bytes -= this.lines.shift()!.text.length + 1;
    for (const f of this.listeners) f(l);
  }

  /** Calls `f` for each new line, and with undefined when the run ends. Returns the unsubscriber. */
  follow(f: (l: LogLine | undefined) => void): () => void {
    if (this.closed) { f(undefined); return () => {}; }
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** The last `bytes` of output, as FallbackToLogsOnError reads it (upstream: 80 lines, 2048 bytes). */
  tail(maxLines = 80, maxBytes = 2048): string {
    const text = this.lines.slice(-maxLines).map(lineText).join('');
    return text.length > maxBytes ? text.slice(text.length - maxBytes) : text;
  }
}
