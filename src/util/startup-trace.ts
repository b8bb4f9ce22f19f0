// Start-up phases, timed when SKIFF_STARTUP_TRACE is set (bench/startup.ts reads them; the README's
// start-up table comes from it). Off, `phase` does nothing: no marks accumulate in a process that
// starts many servers (tests, envtest).
import { monotonicMs } from '../clock.ts';
const on = !!process.env.SKIFF_STARTUP_TRACE;
const marks: [name: string, wallMs: number, cpuMs: number][] = [];

/** The main thread's CPU time in ms (all threads' where Node lacks threadCpuUsage). */
function cpuMs(): number {
  const u = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.() ?? process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * The monotonic clock in ms (clock.ts): not performance.now(), whose global loads perf_hooks on first
 * use (~1.5 ms, which the trace would add to the start it measures); traceLine converts to its origin.
 */
const nowMs = monotonicMs;

/** Record that start-up reached `name`. */
export function phase(name: string): void {
  if (on) marks.push([name, nowMs(), cpuMs()]);
}

/**
 * Write the trace line of the phases so far to stderr a moment later (200 ms), off the path of the first
 * requests: making it reads the global `performance`, whose first use loads perf_hooks (~1.5 ms). Phases
 * recorded meanwhile are not in it. Nothing when tracing is off.
 */
export function writeTraceLater(): void {
  if (!on) return;
  const upTo = marks.length;
  setTimeout(() => { process.stderr.write(traceLine(upTo)); }, 200);
}

/**
 * The first `upTo` phases as one line, `skiff-startup-trace {"phase": [wall ms, main-thread CPU ms], ...}`:
 * Node's own boot first (CPU unknown: counted in the first phase), then each phase's share since the
 * one before; empty when tracing is off.
 */
export function traceLine(upTo = marks.length): string {
  if (!on) return '';
  const boot = (performance as unknown as { nodeTiming: { bootstrapComplete: number } }).nodeTiming.bootstrapComplete;
  const toPerformance = performance.now() - nowMs();
  const out: Record<string, [number, number]> = { 'node boot': [round(boot), 0] };
  let prev = [boot, 0];
  for (const [name, hr, cpu] of marks.slice(0, upTo)) {
    const wall = hr + toPerformance;
    const [w0, c0] = out[name] ?? [0, 0];
    out[name] = [round(w0 + wall - prev[0]), round(c0 + cpu - prev[1])];
    prev = [wall, cpu];
  }
  return `skiff-startup-trace ${JSON.stringify(out)}\n`;
}

const round = (x: number) => Math.round(x * 10) / 10;
