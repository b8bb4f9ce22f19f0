// Walks scenario pods through a stage table (each stage fired as soon as it is due) and records
// every step: the stage's name, its delay, the status it writes and its events. The golden test
// compares the walk of the shipped default table with test/kubelet/fixtures/stages-golden.json,
// recorded from the TypeScript table the YAML file replaced.
import { nextStage } from '../../src/kubelet/stages.ts';
import type { Stage } from '../../src/kubelet/stages.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const T0 = Date.UTC(2026, 0, 1);
const base = (name: string, extra: { annotations?: Record<string, string>; spec?: Record<string, any>; metadata?: Record<string, any>; status?: Record<string, any> } = {}): KObject => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(extra.annotations ? { annotations: extra.annotations } : {}), ...(extra.metadata ?? {}) },
  spec: { nodeName: 'n', containers: [{ name: 'c', image: 'nginx' }], ...(extra.spec ?? {}) },
  ...(extra.status ? { status: extra.status } : {}),
});

export const SCENARIOS: KObject[] = [
  base('plain'),
  base('two', { spec: { containers: [{ name: 'a', image: 'nginx:1.27', imagePullPolicy: 'Always' }, { name: 'b', image: 'ghcr.io/x/y:2', readinessProbe: { initialDelaySeconds: 4 } }] } }),
  base('init', { spec: { initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] } }),
  base('never', { spec: { restartPolicy: 'Never' }, annotations: { 'skiff.dev/run-seconds': '3' } }),
  base('fails', { spec: { restartPolicy: 'Never' }, annotations: { 'skiff.dev/exit-code': '2' } }),
  base('onfailure', { spec: { restartPolicy: 'OnFailure' }, annotations: { 'skiff.dev/exit-code': '3', 'skiff.dev/run-seconds': '1' } }),
  base('crash', { annotations: { 'skiff.dev/crash-loop': 'true', 'skiff.dev/run-seconds': '2' } }),
  base('crash-never', { spec: { restartPolicy: 'Never' }, annotations: { 'skiff.dev/crash-loop': 'true' } }),
  base('pull', { annotations: { 'skiff.dev/image-pull-error': 'true', 'skiff.dev/start-seconds': '2' } }),
  base('pull-text', { annotations: { 'skiff.dev/image-pull-error': 'boom' } }),
  base('pull-false', { annotations: { 'skiff.dev/image-pull-error': 'false' } }),
  base('never-ready', { annotations: { 'skiff.dev/never-ready': 'true' } }),
  base('flap', { annotations: { 'skiff.dev/readiness-flap-seconds': '4' }, spec: { containers: [{ name: 'c', image: 'nginx', readinessProbe: { tcpSocket: { port: 80 } } }] } }),
  base('flap-exec', { annotations: { 'skiff.dev/readiness-flap-seconds': '2' }, spec: { containers: [{ name: 'c', image: 'nginx', readinessProbe: { exec: { command: ['x'] } } }] } }),
  base('deleted-pending', { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } }),
  base('finalized', { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0, finalizers: ['f'] }, spec: { restartPolicy: 'Never' } }),
  base('unbound', { spec: { nodeName: undefined } }),
  // Running and Ready when a readiness gate was found unmet (another controller removed its condition).
  base('gated', { spec: { readinessGates: [{ conditionType: 'example.com/lb' }] } }),
  base('gated-stale', { spec: { readinessGates: [{ conditionType: 'example.com/lb' }] }, status: { phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }],
    containerStatuses: [{ name: 'c', ready: true, started: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] } }),
];

export interface Step { stage: string; at: number; delay: number; status?: Record<string, any>; events?: unknown[]; delete?: boolean }

/** Up to `steps` stages of one pod, starting at T0; it is marked deleted after `deleteAfter` steps or when no stage applies. */
export function walk(stages: Stage[], p0: KObject, steps = 9, deleteAfter = 4): Step[] {
  const p = structuredClone(p0);
  let now = T0;
  const out: Step[] = [];
  for (let i = 0; i < steps; i++) {
    const markDeleted = () => { p.metadata.deletionTimestamp = new Date(now).toISOString(); p.metadata.deletionGracePeriodSeconds = 30; };
    if (i === deleteAfter && !p.metadata.deletionTimestamp) markDeleted();
    let s = nextStage(stages, p);
    if (!s && !p.metadata.deletionTimestamp) { markDeleted(); s = nextStage(stages, p); }
    if (!s) break;
    const delay = s.delay(p, now);
    now += delay;
    const events = s.events?.(p);
    const step: Step = { stage: s.name, at: now - T0, delay, ...(events ? { events } : {}), ...(s.delete ? { delete: true } : {}) };
    if (s.delete) { out.push(step); break; }
    if (s.status) p.status = step.status = s.status(structuredClone(p), { now, nodeName: 'n', hostIP: '10.0.0.2', podIP: () => '10.244.0.9' });
    out.push(step);
  }
  return out;
}

export const walkAll = (stages: Stage[]) => Object.fromEntries(SCENARIOS.map((p) => [p.metadata.name, walk(stages, p)]));
