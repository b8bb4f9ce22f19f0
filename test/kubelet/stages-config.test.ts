// Stage files: the schema, every error message, a custom table driving the kubelet, and the CLI's
// exit-2 start-up error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStages } from '../../src/kubelet/stage-config.ts';
import { defaultStages, loadStages, nextStage } from '../../src/kubelet/stages.ts';
import { startCluster, R } from '../controllers/harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const T0 = Date.UTC(2026, 0, 1);
const ctx = { now: T0, nodeName: 'n', hostIP: '10.0.0.2', podIP: () => '10.244.0.7' };
const pod = (annotations: Record<string, string> = {}, status?: Record<string, any>): KObject => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1', annotations },
  spec: { nodeName: 'n', containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis:7' }] }, status,
});
const MARKED = `
extends: default
stages:
  - name: fail-marked
    selector: {bound: true, annotations: {x: "y"}, notPhase: [Failed]}
    delay: {seconds: 3}
    action: {patch: {phase: Failed, reason: Marked, message: "failed on {{nodeName}} at {{now}}"}}
    events:
      - {type: Warning, reason: Marked, message: "{{pod}} marked", scope: pod}
      - {type: Normal, reason: Seen, message: "{{container}} runs {{image}}"}
`;

test('a custom stage: selector, delay, patch with computed values, pod and container events; extends puts it first', () => {
  const stages = loadStages(MARKED);
  assert.deepEqual(stages.map((s) => s.name), ['fail-marked', ...defaultStages().map((s) => s.name)]);
  const s = nextStage(stages, pod({ x: 'y' }))!;
  assert.equal(s.name, 'fail-marked');
  assert.equal(s.delay(pod(), T0), 3000);
  assert.deepEqual(s.events!(pod()), [
    { type: 'Warning', reason: 'Marked', message: 'p marked' },
    { type: 'Normal', reason: 'Seen', message: 'a runs nginx', fieldPath: 'spec.containers{a}' },
    { type: 'Normal', reason: 'Seen', message: 'b runs redis:7', fieldPath: 'spec.containers{b}' },
  ]);
  const st = s.status!(pod({ x: 'y' }, { phase: 'Running', podIP: '1.2.3.4' }), ctx);
  assert.deepEqual(st, { phase: 'Failed', podIP: '1.2.3.4', reason: 'Marked', message: 'failed on n at 2026-01-01T00:00:00Z' });
  // Once applied the stage no longer matches (its literal values are in place); other pods take the defaults.
  assert.equal(nextStage(stages, pod({ x: 'y' }, st))?.name, undefined);
  assert.equal(nextStage(stages, pod({ x: 'z' }))?.name, 'pending');
  // Without extends the file replaces the table.
  assert.deepEqual(parseStages(MARKED.replace('extends: default', ''), defaultStages()).map((s) => s.name), ['fail-marked']);
});

test('selector vocabulary compiles to matchers', () => {
  const one = (selector: string) => parseStages(`stages: [{name: s, selector: ${selector}, delete: true}]`)[0].when;
  const running = pod({ k: 'v' }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ ready: true, state: { running: {} } }] });
  assert.equal(one('{phase: Running, bound: true, deleting: false}')(running), true);
  assert.equal(one('{phase: [""]}')(pod()), true);
  assert.equal(one('{notPhase: [Running]}')(running), false);
  assert.equal(one('{restartPolicy: Always}')(running), true);
  assert.equal(one('{restartPolicy: [Never, OnFailure]}')(running), false);
  assert.equal(one('{annotations: {k: v}, notAnnotations: {k: w}}')(running), true);
  assert.equal(one('{notAnnotations: {k: v}}')(running), false);
  assert.equal(one('{labels: {app: web}}')(running), false);
  assert.equal(one('{conditions: {Ready: "True"}}')(running), true);
  assert.equal(one('{containers: {statuses: true, allRunning: true, allReady: true}}')(running), true);
  assert.equal(one('{containers: {allReady: false}}')(running), false);
  assert.equal(one('{is: [restarting]}')(running), false);
  assert.equal(one('{not: [restarting, pull-fails]}')(running), true);
  assert.equal(one('{is: [pull-fails]}')(pod({ 'skiff.dev/image-pull-error': 'true' })), true);
});

test('delay: seconds, fromAnnotation, since containerStart, jitter, function', () => {
  const [s] = parseStages('stages: [{name: s, delay: {seconds: 2, fromAnnotation: run, since: containerStart, jitter: 0.5}, delete: true}]');
  const started = pod({ run: '4' }, { containerStatuses: [{ state: { running: { startedAt: '2026-01-01T00:00:01Z' } } }] });
  assert.equal(s.delay(started, T0 + 2000), 3000);
  assert.equal(s.delay(pod({ run: 'x' }, started.status), T0 + 2000), 1000);
  assert.equal(s.jitter, 0.5);
  const [g] = parseStages('stages: [{name: g, delay: {function: grace-period}, delete: true}]');
  assert.equal(g.delay({ ...pod(), metadata: { ...pod().metadata, deletionGracePeriodSeconds: 30 } }, T0), 1000);
});

const ERRORS: [string, string][] = [
  ['stages: [', 'not valid YAML: '],
  ['- a', 'expected a mapping with a top-level "stages" list'],
  ['stages: []', 'expected a top-level "stages" list with at least one stage'],
  ['stage: []', 'unknown top-level field "stage" (known: extends, stages)'],
  ['extends: mine\nstages: [{name: a, delete: true}]', 'extends: only "default" is supported, got "mine"'],
  ['stages: [x]', 'stages[0]: must be a mapping'],
  ['stages: [{name: a, delete: true, when: 1}]', 'stages[0]: unknown field "when" (known: name, selector, delay, action, events, delete)'],
  ['stages: [{name: A, delete: true}]', 'stages[0].name: must be a lower-case name such as crash-loop, got "A"'],
  ['stages: [{name: a, delete: true}, {name: a, delete: true}]', 'stages[1].name: "a" is used by another stage'],
  ['extends: default\nstages: [{name: running, delete: true}]', 'stages[0].name: "running" is a default stage; with extends: default pick another name'],
  ['stages: [{name: a}]', 'stages[0]: needs an action or delete: true (a stage that changes nothing would fire again and again)'],
  ['stages: [{name: a, delete: 1}]', 'stages[0].delete: must be true or false, got 1'],
  ['stages: [{name: a, delete: true, selector: {phase: Done}}]', 'stages[0].selector.phase: "Done" is not one of "", "Pending", "Running", "Succeeded", "Failed", "Unknown"'],
  ['stages: [{name: a, delete: true, selector: {bound: yes please}}]', 'stages[0].selector.bound: must be true or false, got "yes please"'],
  ['stages: [{name: a, delete: true, selector: {podPhase: Running}}]', 'stages[0].selector: unknown field "podPhase" (known: bound, deleting, phase, notPhase, restartPolicy, labels, annotations, notAnnotations, conditions, containers, is, not)'],
  ['stages: [{name: a, delete: true, selector: {restartPolicy: []}}]', 'stages[0].selector.restartPolicy: must not be empty'],
  ['stages: [{name: a, delete: true, selector: {annotations: {x: true}}}]', 'stages[0].selector.annotations.x: must be a string (quote it: "true"), got true'],
  ['stages: [{name: a, delete: true, selector: {conditions: {Ready: yes}}}]', 'stages[0].selector.conditions.Ready: "yes" is not one of "True", "False", "Unknown"'],
  ['stages: [{name: a, delete: true, selector: {containers: {ready: true}}}]', 'stages[0].selector.containers: unknown field "ready" (known: statuses, allRunning, allReady, waitingReason)'],
  ['stages: [{name: a, delete: true, selector: {is: [sleepy]}}]', 'stages[0].selector.is: "sleepy" is not one of "pull-fails", "restarting", "flapping", "emulated", "removable", "gates-changed"'],
  ['stages: [{name: a, delete: true, delay: {seconds: -1}}]', 'stages[0].delay.seconds: must be a number of seconds from 0 to 31536000, got -1'],
  ['stages: [{name: a, delete: true, delay: {seconds: 1, jitter: 2}}]', 'stages[0].delay.jitter: must be a fraction from 0 to 1 (0.2 = ±10%), got 2'],
  ['stages: [{name: a, delete: true, delay: {function: readiness, seconds: 1}}]', 'stages[0].delay.seconds: cannot be used with delay.function'],
  ['stages: [{name: a, delete: true, delay: {function: soon}}]', 'stages[0].delay.function: "soon" is not one of "grace-period", "readiness", "readiness-flap", "crash-back-off"'],
  ['stages: [{name: a, delete: true, delay: {since: bind}}]', 'stages[0].delay.since: "bind" is not one of "containerStart"'],
  ['stages: [{name: a, delete: true, delay: {fromAnnotation: 3}}]', 'stages[0].delay.fromAnnotation: must be an annotation key, got 3'],
  ['stages: [{name: a, delete: true, action: {builtin: running}}]', 'stages[0].action: cannot be used with delete: true'],
  ['stages: [{name: a, action: {}}]', 'stages[0].action: must have exactly one of builtin or patch'],
  ['stages: [{name: a, action: {builtin: fly}}]', 'stages[0].action.builtin: "fly" is not one of "terminate", "pending", "pull-failed", "pull-backoff", "running", "ready", "readiness-gates", "unready", "crash", "restart", "complete"'],
  ['stages: [{name: a, action: {patch: {}}}]', 'stages[0].action.patch: must be a non-empty mapping of status fields'],
  ['stages: [{name: a, action: {patch: {message: "{{when}}"}}}]', 'stages[0].action.patch.message: unknown placeholder {{when}} (known: now, hostIP, podIP, nodeName, pod, namespace)'],
  ['stages: [{name: a, action: {patch: {startTime: "{{now}}"}}}]', 'stages[0].action.patch: needs at least one value without a {{placeholder}}, so the stage stops applying once the pod has it'],
  ['stages: [{name: a, delete: true, events: {reason: X}}]', 'stages[0].events: must be a list'],
  ['stages: [{name: a, delete: true, events: [{reason: x}]}]', 'stages[0].events[0].reason: must be an UpperCamelCase word such as BackOff, got "x"'],
  ['stages: [{name: a, delete: true, events: [{reason: X, type: Error, message: m}]}]', 'stages[0].events[0].type: "Error" is not one of "Normal", "Warning"'],
  ['stages: [{name: a, delete: true, events: [{reason: X, message: "{{nope}}"}]}]', 'stages[0].events[0].message: unknown placeholder {{nope}} (known: pod, namespace, podRef, node, container, image, pullError, probeFailure)'],
  ['stages: [{name: a, delete: true, events: [{reason: X, scope: pod, message: "{{image}}"}]}]', 'stages[0].events[0].message: unknown placeholder {{image}} (known: pod, namespace, podRef, node, pullError, probeFailure)'],
  ['stages: [{name: a, delete: true, events: [{reason: X}]}]', 'stages[0].events[0].message: must be a string, got undefined'],
  ['stages: [{name: a, delete: true, events: [{builtin: pulled, reason: X}]}]', 'stages[0].events[0]: unknown field "reason" (known: builtin)'],
  ['stages: [{name: a, delete: true, events: [{builtin: shout}]}]', 'stages[0].events[0].builtin: "shout" is not one of "killing", "pulling", "pulled"'],
];
for (const [text, msg] of ERRORS) {
  test(`stage file error: ${msg.slice(0, 60)}`, () => {
    assert.throws(() => parseStages(text, defaultStages()), (e: Error) => {
      assert.ok(msg.endsWith(': ') ? e.message.startsWith(msg) : e.message === msg, e.message);
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    });
  });
}

test('a custom stage table drives the kubelet: annotated pods go Failed after 3 s with the custom event', async () => {
  const c = await startCluster({ stages: loadStages(MARKED) });
  try {
    await c.store.create(R.pods, 'default', { metadata: { name: 'marked', annotations: { x: 'y' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    await c.store.create(R.pods, 'default', { metadata: { name: 'plain' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    const t0 = c.clock.now();
    await c.until(async () => (await c.store.get(R.pods, 'default', 'marked')).status?.phase === 'Failed', { what: 'marked pod fails' });
    const p = await c.store.get(R.pods, 'default', 'marked');
    assert.ok(c.clock.now() - t0 >= 3000, `failed after ${c.clock.now() - t0} ms of simulated time`);
    assert.equal(p.status.reason, 'Marked');
    assert.match(p.status.message, /^failed on \S+ at \d{4}-\d\d-\d\dT/);
    assert.equal(p.status.containerStatuses, undefined); // the defaults never ran for it
    await c.until(async () => (await c.store.get(R.pods, 'default', 'plain')).status?.phase === 'Running', { what: 'plain pod runs (defaults)' });
    const ev = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.name === 'marked').map((e) => `${e.type} ${e.reason}: ${e.message}`);
    assert.ok(ev.includes('Warning Marked: marked marked'), ev.join('\n'));
    assert.ok(ev.includes('Normal Seen: web runs nginx'), ev.join('\n'));
  } finally { await c.close(); }
});

test('skiff --stages with a bad file: one line naming the stage and field, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-stages-'));
  const file = join(dir, 'stages.yaml');
  writeFileSync(file, 'stages:\n  - name: a\n    delete: true\n  - name: b\n    delay: {seconds: soon}\n    delete: true\n');
  const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [cli, 'serve', '--in-memory', '--port', '0', '--data-dir', dir, '--stages', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, `skiff: --stages ${file}: stages[1].delay.seconds: must be a number of seconds from 0 to 31536000, got "soon"\n`);
  const env = spawnSync(process.execPath, [cli, 'serve', '--in-memory', '--port', '0', '--data-dir', dir], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, SKIFF_STAGES: join(dir, 'missing.yaml') } });
  assert.equal(env.status, 2, env.stderr);
  assert.equal(env.stderr, `skiff: --stages ${join(dir, 'missing.yaml')}: cannot read: ENOENT\n`);
});
