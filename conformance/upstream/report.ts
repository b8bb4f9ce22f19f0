// Turns ginkgo's JSON report (--json-report) of an e2e.test run into Skiff's summary: one entry per
// executed spec (passed / failed / skipped at run time, with the failure or skip message), counts, and
// failure clusters (failures grouped by the shape of their message, to show what to fix first).
// Specs that the focus/skip expressions filtered out are only counted ("notSelected"). Every failed
// spec is shown with the reason it cannot pass (known-failures.ts) or as "not yet explained".
import { KNOWN_FAILURES, NOT_YET_EXPLAINED, knownReason } from './known-failures.ts';
import type { KnownFailure } from './known-failures.ts';

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
  /** Executed specs whose name carries [Conformance] (v1.32 has 411). */
  conformance: { passed: number; failed: number; skipped: number };
  /** Executed specs per SIG ("api-machinery", "node", …; "other" for suite-level nodes). */
  areas: Record<string, { passed: number; failed: number; skipped: number }>;
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
    .replace(/\b\d+(\.\d+)?(ns|µs|ms|s|m|h)\b/g, '<dur>')
    .replace(/\d+/g, 'N')
    .slice(0, 200);
}

export function specArea(name: string): string {
  return /\[sig-([a-z0-9-]+)\]/.exec(name)?.[1] ?? 'other';
}

export function summarize(reports: GinkgoReport[], meta: Omit<Summary, 'counts' | 'conformance' | 'areas' | 'failureClusters' | 'specs'>): Summary {
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
        ...(outcome === 'failed' && loc?.FileName ? { location: `${loc.FileName.replace(/^.*\/k8s\.io\/kubernetes@[^/]+\//, '')}:${loc.LineNumber}` } : {}),
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
  const conf = specs.filter((x) => x.name.includes('[Conformance]'));
  const conformance = { passed: 0, failed: 0, skipped: 0 };
  for (const spec of conf) conformance[spec.state]++;
  const areas: Summary['areas'] = {};
  for (const spec of specs) (areas[specArea(spec.name)] ??= { passed: 0, failed: 0, skipped: 0 })[spec.state]++;
  return {
    ...meta,
    counts: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), notSelected },
    conformance,
    areas: Object.fromEntries(Object.entries(areas).sort(([a], [b]) => a.localeCompare(b))),
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
      const known = knownReason(spec.name);
      if (known) lines.push(`      known: ${known}`);
      if (spec.location) lines.push(`      at ${spec.location}`);
      for (const l of (spec.message ?? `(${spec.ginkgoState}, no message)`).split('\n').slice(0, 12)) lines.push(`      ${l}`);
    }
  }
  if (s.failureClusters.length) {
    lines.push('', 'Failure clusters (most common first):');
    for (const c of s.failureClusters.slice(0, 15)) lines.push(`  ${String(c.count).padStart(4)}  ${c.pattern}`);
  }
  lines.push('', 'By area:');
  for (const [area, c] of Object.entries(s.areas)) lines.push(`  ${area.padEnd(18)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  lines.push('', `skiff ${s.skiffCommit}; focus ${s.focus.join(' | ')}${s.skip.length ? `; skip ${s.skip.join(' | ')}` : ''}; ${s.procs} procs`);
  lines.push(`[Conformance] specs: ${s.conformance.passed} passed, ${s.conformance.failed} failed, ${s.conformance.skipped} skipped`);
  lines.push(`${s.counts.passed} passed, ${s.counts.failed} failed, ${s.counts.skipped} skipped (${s.counts.notSelected} not selected)`);
  return lines.join('\n');
}

export const SECTION_START = '<!-- upstream-conformance:start -->';
export const SECTION_END = '<!-- upstream-conformance:end -->';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();
}

/** Each failed spec with the reason it fails (or "not yet explained"), and how many have none. */
export function failureReasons(s: Summary, known: readonly KnownFailure[] = KNOWN_FAILURES): { spec: string; reason: string; explained: boolean }[] {
  return s.specs.filter((x) => x.state === 'failed').map((x) => {
    const reason = knownReason(x.name, known);
    return { spec: x.name, reason: reason ?? NOT_YET_EXPLAINED, explained: reason !== undefined };
  });
}

/** The short section of conformance/REPORT.md: counts, areas, the largest failure clusters and why each failed spec fails. */
export function reportSection(s: Summary, resultsFile: string, known: readonly KnownFailure[] = KNOWN_FAILURES): string {
  const c = s.counts;
  const out = [SECTION_START, '## Upstream e2e conformance (`npm run conformance:upstream`)', '',
    'Written by `npm run conformance:upstream -- [--focus REGEX] [--procs N] --record` (conformance/upstream/run.ts;'
    + ' README, "Tests and conformance"): upstream\'s `e2e.test` v1.32.13 and a fresh in-memory Skiff with 2 simulated nodes,'
    + ' together in a network namespace with only loopback. Not part of `npm test` or CI.', '',
    `Upstream Kubernetes' own \`e2e.test\` run against Skiff ${s.skiffCommit.slice(0, 12)} on ${s.started.slice(0, 10)}`
    + ` (focus \`${s.focus.join('` and `')}\`${s.skip.length ? `, skip \`${s.skip.join('` and `')}\`` : ''}, ${s.procs} processes):`,
    `**${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped** (${c.notSelected} specs not selected); of them \`[Conformance]\` specs:`
    + ` ${s.conformance?.passed ?? 0} passed, ${s.conformance?.failed ?? 0} failed, ${s.conformance?.skipped ?? 0} skipped. Every spec: [${resultsFile}](${resultsFile}).`, '',
    '| Area | Passed | Failed | Skipped |', '|---|---|---|---|'];
  for (const [area, a] of Object.entries(s.areas)) out.push(`| ${area} | ${a.passed} | ${a.failed} | ${a.skipped} |`);
  if (s.failureClusters.length) {
    out.push('', 'Largest failure clusters (first line of the failure, names and numbers blurred):', '');
    for (const f of s.failureClusters.slice(0, 12)) out.push(`- ${f.count} × \`${f.pattern.replace(/`/g, "'")}\``);
  }
  const reasons = failureReasons(s, known);
  if (reasons.length) {
    const open = reasons.filter((r) => !r.explained).length;
    out.push('', '### Failing specs and why', '',
      `${reasons.length} failed: ${reasons.length - open} with a known reason (conformance/upstream/known-failures.ts), **${open} not yet explained**.`, '');
    for (const r of reasons) out.push(`- ${cell(r.spec)}: ${r.explained ? cell(r.reason) : `**${NOT_YET_EXPLAINED}**`}`);
  }
  out.push(SECTION_END);
  return out.join('\n');
}

/** conformance/upstream/RESULTS.md: every executed spec with its state and failure message. */
export function resultsMarkdown(s: Summary, known: readonly KnownFailure[] = KNOWN_FAILURES): string {
  const out = ['# Upstream e2e conformance results', '',
    `Generated by \`npm run conformance:upstream -- --record\`. Skiff ${s.skiffCommit}; run ${s.started} to ${s.finished};`
    + ` focus \`${s.focus.join('` and `')}\`${s.skip.length ? `; skip \`${s.skip.join('` and `')}\`` : ''}; ${s.procs} processes.`, '',
    `**${s.counts.passed} passed, ${s.counts.failed} failed, ${s.counts.skipped} skipped** (${s.counts.notSelected} not selected);`
    + ` of the failed, ${failureReasons(s, known).filter((r) => !r.explained).length} not yet explained.`, '',
    '| Spec | Result | Seconds | Failure (or skip reason) | Why it cannot pass |', '|---|---|---|---|---|'];
  for (const spec of s.specs) {
    const why = spec.message ? cell(spec.message).slice(0, 400) : '';
    const reason = spec.state === 'failed' ? cell(knownReason(spec.name, known) ?? `**${NOT_YET_EXPLAINED}**`) : '';
    out.push(`| ${cell(spec.name)} | ${spec.state === 'failed' ? `**${spec.ginkgoState}**` : spec.state} | ${spec.seconds} | ${why}${spec.location ? ` (${spec.location})` : ''} | ${reason} |`);
  }
  return out.join('\n') + '\n';
}

/** Replaces (or appends) the marked upstream section of a REPORT.md text. */
export function spliceSection(report: string, section: string): string {
  const a = report.indexOf(SECTION_START);
  const b = report.indexOf(SECTION_END);
  if (a >= 0 && b > a) return report.slice(0, a) + section + report.slice(b + SECTION_END.length);
  return report.replace(/\n*$/, '\n\n') + section + '\n';
}

/** The marked section of a REPORT.md text, so that regenerating the rest keeps it. */
export function extractSection(report: string): string | undefined {
  const a = report.indexOf(SECTION_START);
  const b = report.indexOf(SECTION_END);
  return a >= 0 && b > a ? report.slice(a, b + SECTION_END.length) : undefined;
}
