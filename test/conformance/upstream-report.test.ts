// conformance/upstream/report.ts: ginkgo's JSON report of an e2e.test run becomes Skiff's summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECTION_END, SECTION_START, extractSection, failureReasons, failurePattern, formatSummary, reportSection, resultsMarkdown, spliceSection, summarize } from '../../conformance/upstream/report.ts';
import { KNOWN_FAILURES, NOT_YET_EXPLAINED, knownReason } from '../../conformance/upstream/known-failures.ts';
import type { GinkgoReport } from '../../conformance/upstream/report.ts';

const META = { skiffCommit: 'abc', focus: ['CustomResource'], skip: [], procs: 2, started: 's', finished: 'f' };
const loc = (line: number) => ({ FileName: '/root/go/pkg/mod/k8s.io/kubernetes@v1.32.13/test/e2e/apimachinery/crd.go', LineNumber: line });
const utilLoc = { FileName: '/root/go/pkg/mod/k8s.io/kubernetes@v1.32.13/test/utils/crd/crd_util.go', LineNumber: 100 };

const report: GinkgoReport[] = [{
  SuiteDescription: 'Kubernetes e2e suite',
  SpecReports: [
    { LeafNodeType: 'SynchronizedBeforeSuite', State: 'passed', RunTime: 2e9 },
    { ContainerHierarchyTexts: ['[sig-api-machinery] CRD'], LeafNodeType: 'It', LeafNodeText: 'creates [Conformance]', State: 'passed', RunTime: 1.25e9 },
    { ContainerHierarchyTexts: ['[sig-api-machinery] CRD'], LeafNodeType: 'It', LeafNodeText: 'lists', State: 'failed', RunTime: 3e9,
      Failure: { Message: 'creating CustomResourceDefinition "e2e-test-crd-4821-crds.example.com": the server could not find the requested resource', Location: loc(70) } },
    { ContainerHierarchyTexts: ['[sig-api-machinery] CRD'], LeafNodeType: 'It', LeafNodeText: 'watches', State: 'timedout', RunTime: 6e10,
      Failure: { Message: 'creating CustomResourceDefinition "e2e-test-crd-9911-crds.example.com": the server could not find the requested resource', Location: loc(99) } },
    { ContainerHierarchyTexts: ['[sig-node] Pods'], LeafNodeType: 'It', LeafNodeText: 'needs a provider', State: 'skipped', RunTime: 1e6,
      Failure: { Message: 'Only supported for providers [gce]' } },
    { ContainerHierarchyTexts: ['[sig-apps] Deployment'], LeafNodeType: 'It', LeafNodeText: 'filtered out', State: 'skipped' },
    { LeafNodeType: 'ReportAfterSuite', State: 'panicked', Failure: { Message: 'boom', Location: utilLoc } },
  ],
}];

test('summarize keeps executed specs, counts filtered ones, and reports failed suite nodes', () => {
  const s = summarize(report, META);
  assert.deepEqual(s.counts, { passed: 1, failed: 3, skipped: 1, notSelected: 1 });
  assert.deepEqual(s.conformance, { passed: 1, failed: 0, skipped: 0 });
  assert.deepEqual(s.specs.map((x) => [x.name, x.state]), [
    ['[ReportAfterSuite]', 'failed'],
    ['[sig-api-machinery] CRD creates [Conformance]', 'passed'],
    ['[sig-api-machinery] CRD lists', 'failed'],
    ['[sig-api-machinery] CRD watches', 'failed'],
    ['[sig-node] Pods needs a provider', 'skipped'],
  ]);
  assert.deepEqual(s.areas, {
    'api-machinery': { passed: 1, failed: 2, skipped: 0 }, node: { passed: 0, failed: 0, skipped: 1 }, other: { passed: 0, failed: 1, skipped: 0 },
  });
  const lists = s.specs.find((x) => x.name.endsWith('lists'))!;
  assert.equal(lists.location, 'test/e2e/apimachinery/crd.go:70');
  assert.equal(lists.seconds, 3);
  assert.equal(s.specs[0].location, 'test/utils/crd/crd_util.go:100');
  assert.equal(s.specs.find((x) => x.name.endsWith('watches'))!.ginkgoState, 'timedout');
});

test('failures with the same cause form one cluster, most common first', () => {
  const s = summarize(report, META);
  assert.equal(s.failureClusters.length, 2);
  assert.equal(s.failureClusters[0].count, 2);
  assert.match(s.failureClusters[0].pattern, /^creating CustomResourceDefinition "…": the server could not find/);
  assert.deepEqual(s.failureClusters[1], { pattern: 'boom', count: 1, specs: ['[ReportAfterSuite]'] });
});

test('failurePattern blurs generated names, numbers and durations but keeps the words', () => {
  assert.equal(failurePattern('namespace crd-publish-openapi-5821 not ready after 30s\nstack'), 'namespace <name> not ready after <dur>');
  assert.equal(failurePattern('expected 3 got 4'), 'expected N got N');
  assert.equal(failurePattern('CustomResourceDefinition.apiextensions.k8s.io is invalid'), 'CustomResourceDefinition.apiextensions.kNs.io is invalid');
  assert.equal(failurePattern(''), '');
});

test('long failure messages are cut and the summary ends with the counts line', () => {
  const long: GinkgoReport[] = [{ SpecReports: [{ LeafNodeType: 'It', LeafNodeText: 'x', State: 'failed', Failure: { Message: 'y'.repeat(5000) } }] }];
  const s = summarize(long, META);
  assert.ok(s.specs[0].message!.length < 1600);
  const text = formatSummary(s);
  assert.match(text, /^FAIL {2}x/m);
  assert.match(text.split('\n').at(-1)!, /^0 passed, 1 failed, 0 skipped \(0 not selected\)$/);
});

test('an empty or missing report gives zero counts', () => {
  assert.deepEqual(summarize([], META).counts, { passed: 0, failed: 0, skipped: 0, notSelected: 0 });
  assert.deepEqual(summarize([{ SpecReports: null }], META).counts, { passed: 0, failed: 0, skipped: 0, notSelected: 0 });
});

test('the REPORT.md section is replaced in place, appended when missing, and extracted intact', () => {
  const s = summarize(report, META);
  const section = reportSection(s, 'upstream/RESULTS.md');
  assert.match(section, /\*\*1 passed, 3 failed, 1 skipped\*\*/);
  assert.match(section, /\| api-machinery \| 1 \| 2 \| 0 \|/);
  const appended = spliceSection('# Report\n\ntable\n', section);
  assert.equal(extractSection(appended), section);
  assert.ok(appended.startsWith('# Report\n\ntable\n\n<!--'));
  const replaced = spliceSection(appended + 'after\n', `${SECTION_START}\nnew\n${SECTION_END}`);
  assert.equal(replaced, `# Report\n\ntable\n\n${SECTION_START}\nnew\n${SECTION_END}\nafter\n`);
  assert.equal(extractSection('# no section'), undefined);
});

test('RESULTS.md has one row per executed spec, with pipes and newlines of messages escaped', () => {
  const md = resultsMarkdown(summarize([{ SpecReports: [{ LeafNodeType: 'It', LeafNodeText: 'a|b', State: 'failed', Failure: { Message: 'x | y\nz' } }] }], META));
  assert.match(md, /^\| a\\\|b \| \*\*failed\*\* \| 0 \| x \\\| y z \| \*\*not yet explained\*\* \|$/m);
});

const KNOWN = [{ spec: /CRD lists$/, reason: 'needs a real | thing\nfor sure' }];

test('every failed spec gets its known reason or "not yet explained"; passed and skipped specs get none', () => {
  const s = summarize(report, META);
  assert.deepEqual(failureReasons(s, KNOWN), [
    { spec: '[ReportAfterSuite]', reason: NOT_YET_EXPLAINED, explained: false },
    { spec: '[sig-api-machinery] CRD lists', reason: 'needs a real | thing\nfor sure', explained: true },
    { spec: '[sig-api-machinery] CRD watches', reason: NOT_YET_EXPLAINED, explained: false },
  ]);
  const md = resultsMarkdown(s, KNOWN);
  assert.match(md, /3 failed, 1 skipped\*\* \(1 not selected\); of the failed, 2 not yet explained\./);
  assert.match(md, /^\| \[sig-api-machinery\] CRD lists \| \*\*failed\*\* \|.*\| needs a real \\\| thing for sure \|$/m);
  assert.match(md, /^\| \[sig-api-machinery\] CRD watches \| \*\*timedout\*\* \|.*\| \*\*not yet explained\*\* \|$/m);
  assert.match(md, /^\| \[sig-api-machinery\] CRD creates \[Conformance\] \| passed \| 1\.3 \|  \|  \|$/m);
});

test('the REPORT.md section lists the failing specs and why, counting the unexplained ones', () => {
  const section = reportSection(summarize(report, META), 'upstream/RESULTS.md', KNOWN);
  assert.match(section, /### Failing specs and why\n\n3 failed: 1 with a known reason \(conformance\/upstream\/known-failures\.ts\), \*\*2 not yet explained\*\*\./);
  assert.match(section, /^- \[sig-api-machinery\] CRD lists: needs a real \\\| thing for sure$/m);
  assert.match(section, /^- \[sig-api-machinery\] CRD watches: \*\*not yet explained\*\*$/m);
  assert.match(section, /^- \[ReportAfterSuite\]: \*\*not yet explained\*\*$/m);
  assert.ok(section.endsWith(SECTION_END));
  // No failures: no list at all.
  const clean = reportSection(summarize([{ SpecReports: [{ LeafNodeType: 'It', LeafNodeText: 'ok', State: 'passed' }] }], META), 'r.md', KNOWN);
  assert.doesNotMatch(clean, /Failing specs/);
});

test('the recorded reasons are well formed and match the specs they name', () => {
  assert.ok(KNOWN_FAILURES.length > 0);
  for (const k of KNOWN_FAILURES) {
    assert.ok(k.reason.trim().length > 20, `${k.spec}: a reason that says why`);
    assert.notEqual(k.reason, NOT_YET_EXPLAINED);
  }
  assert.match(knownReason('[sig-api-machinery] Aggregator Should be able to support the 1.17 Sample API Server using the current Aggregator [Conformance]')!, /sample-apiserver/);
  assert.equal(knownReason('[sig-node] Pods should be submitted and removed [NodeConformance] [Conformance]'), undefined);
});

test('the console summary names a failed spec\'s known reason', () => {
  const s = summarize([{ SpecReports: [{ ContainerHierarchyTexts: ['[sig-api-machinery] Aggregator'], LeafNodeType: 'It', LeafNodeText: 'Should be able to support the 1.17 Sample API Server using the current Aggregator [Conformance]', State: 'failed', Failure: { Message: 'gave up' } }] }], META);
  assert.match(formatSummary(s), /^FAIL {2}\[sig-api-machinery\] Aggregator .*\n {6}known: needs the sample-apiserver image/m);
});
