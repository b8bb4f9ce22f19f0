// Turns ginkgo's JSON report (--json-report) of an e2e.test run into Skiff's summary: one entry per
// executed spec (passed / failed / skipped at run time, with the failure or skip message), counts, and
// failure clusters (failures grouped by the shape of their message, to show what to fix first).
// Specs that the focus/skip expressions filtered out are only counted ("notSelected").

/** The parts of ginkgo's types.Report / types.SpecReport that the summary reads. */
export interface GinkgoSpecReport {
  ContainerHierarchyTexts?: string[] | null;
  LeafNodeType?: string;
  LeafNodeText?: string;
  State?: string;
  RunTime?: number;
  Failure?: { Message?: string; Location?: { FileName?: string; LineNumber?: number }; FailureNodeType?: string };
}
export interface GinkgoReport { SuiteDescription?: string; SuiteSucceeded?: boolean; SpecReports?: GinkgoSpecReport[] | null }

export type SpecOutcome = 'passed' | 'failed' | 'skipped';
export interface SpecResult { name: string; state: SpecOutcome; ginkgoState: string; seconds: number; message?: string; location?: string }
export interface Summary {
  skiffCommit: string;
  focus: string[];
  skip: string[];
  procs: number;
  started: string;
  finished: string;
  counts: { passed: number; failed: number; skipped: number; notSelected: number };
  failureClusters: Array<{ pattern: string; count: number; specs: string[] }>;
  specs: SpecResult[];
}

const FAILURE_STATES = new Set(['failed', 'panicked', 'timedout', 'aborted', 'interrupted']);
const MESSAGE_LIMIT = 1500;

function specName(r: GinkgoSpecReport): string {
  const parts = [...(r.ContainerHierarchyTexts ?? []), r.LeafNodeText ?? ''].filter(Boolean);
  return parts.length ? parts.join(' ') : `[${r.LeafNodeType ?? 'node'}]`;
}

function trimMessage(m: string | undefined): string | undefined {
  if (!m) return undefined;
  const t = m.trim();
  return t.length > MESSAGE_LIMIT ? `${t.slice(0, MESSAGE_LIMIT)}…` : t;
}

/**
 * The shape of a failure message: its first line with generated names, numbers, quoted values and
 * durations blurred, so that one cause seen in many specs (or namespaces) forms one cluster.
 */
export function failurePattern(message: string): string {
  const first = message.trim().split('\n').find((l) => l.trim()) ?? '';
  return first
    .replace(/\b[a-z0-9]+(-[a-z0-9]+)*-\d{3,}(-[a-z0-9]+)*\b/g, '<name>')
    .replace(/"[^"]{0,200}"/g, '"…"')
    .replace(/\d+(\.\d+)?(ns|µs|ms|s|m|h)\b/g, '<dur>')
    .replace(/\d+/g, 'N')
    .slice(0, 200);
}

export function summarize(reports: GinkgoReport[], meta: Omit<Summary, 'counts' | 'failureClusters' | 'specs'>): Summary {
  const specs: SpecResult[] = [];
  let notSelected = 0;
  for (const report of reports) {
    for (const r of report.SpecReports ?? []) {
      const state = r.State ?? 'invalid';
      const isSpec = r.LeafNodeType === 'It';
      const message = trimMessage(r.Failure?.Message);
      if (state === 'skipped' && !message && !r.RunTime) { if (isSpec) notSelected++; continue; }
      // Suite-level nodes (BeforeSuite, ReportAfterSuite, …) are listed only when they failed.
      if (!isSpec && !FAILURE_STATES.has(state)) continue;
      const outcome: SpecOutcome = FAILURE_STATES.has(state) ? 'failed' : state === 'passed' ? 'passed' : 'skipped';
      const loc = r.Failure?.Location;
      specs.push({
        name: specName(r), state: outcome, ginkgoState: state, seconds: Math.round((r.RunTime ?? 0) / 1e8) / 10,
        ...(message ? { message } : {}),
        ...(outcome === 'failed' && loc?.FileName ? { location: `${loc.FileName.replace(/^.*\/(test\/e2e\/)/, '$1')}:${loc.LineNumber}` } : {}),
      });
    }
  }
  specs.sort((a, b) => a.name.localeCompare(b.name));
  const clusters = new Map<string, string[]>();
  for (const s of specs) {
    if (s.state !== 'failed') continue;
    const key = failurePattern(s.message ?? `(${s.ginkgoState}, no message)`);
    clusters.set(key, [...(clusters.get(key) ?? []), s.name]);
  }
  const count = (st: SpecOutcome) => specs.filter((s) => s.state === st).length;
  return {
    ...meta,
    counts: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), notSelected },
    failureClusters: [...clusters].map(([pattern, names]) => ({ pattern, count: names.length, specs: names }))
      .sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern)),
    specs,
  };
}

export function formatSummary(s: Summary): string {
  const lines: string[] = [];
  const mark = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;
  for (const spec of s.specs) {
    lines.push(`${mark[spec.state]}  ${spec.name}  (${spec.seconds}s)`);
    if (spec.state === 'failed') {
      if (spec.location) lines.push(`      at ${spec.location}`);
      for (const l of (spec.message ?? `(${spec.ginkgoState}, no message)`).split('\n').slice(0, 12)) lines.push(`      ${l}`);
    }
  }
  if (s.failureClusters.length) {
    lines.push('', 'Failure clusters (most common first):');
    for (const c of s.failureClusters.slice(0, 15)) lines.push(`  ${String(c.count).padStart(4)}  ${c.pattern}`);
  }
  lines.push('', `skiff ${s.skiffCommit}; focus ${s.focus.join(' | ')}${s.skip.length ? `; skip ${s.skip.join(' | ')}` : ''}; ${s.procs} procs`);
  lines.push(`${s.counts.passed} passed, ${s.counts.failed} failed, ${s.counts.skipped} skipped (${s.counts.notSelected} not selected)`);
  return lines.join('\n');
}
