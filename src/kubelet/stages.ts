// The simulated pod lifecycle (after kwok's stages): each stage says which pods it applies to, how
// long after it becomes applicable it fires (simulated time, with jitter), the status it writes, the
// events it emits, and whether it deletes the pod. The engine (engine.ts) picks the first applicable
// stage in table order, waits, re-checks, applies, and looks again.
//
// The table is data: stages.default.yaml, compiled once at start by stage-config.ts; --stages FILE
// (SKIFF_STAGES) replaces it or, with `extends: default`, puts its stages first. The built-in
// transforms, delays and predicates it names live in builtins.ts.
import { readFileSync } from 'node:fs';
import type { Pod } from '../types/generated.ts';
import { parseStages } from './stage-config.ts';
import type { EventContext } from './builtins.ts';

export { ANN_CRASH_LOOP, ANN_EXIT, ANN_FLAP, ANN_NEVER_READY, ANN_PULL_ERROR, ANN_RUN, ANN_START, MAX_GRACE_SECONDS, PULL_BACKOFF_SECONDS, backOffSeconds, qosClass, setCondition } from './builtins.ts';

export interface StageContext {
  now: number;
  nodeName: string;
  hostIP: string;
  /** Allocates (or returns) the pod's IP. */
  podIP: () => string | undefined;
}

export interface StageEvent { type: 'Normal' | 'Warning'; reason: string; message: string; fieldPath?: string }

export interface Stage {
  name: string;
  when: (pod: Pod) => boolean;
  /** Milliseconds of simulated time before the stage fires. */
  delay: (pod: Pod, now: number) => number;
  /** Fraction of the delay used as ± jitter (0.2 = ±10%). */
  jitter?: number;
  /** The new status (given a private copy of the pod). */
  status?: (pod: Pod, ctx: StageContext) => Record<string, any>;
  /** The events (`x`: what they may consult beyond the pod, the node's images). */
  events?: (pod: Pod, x?: EventContext) => StageEvent[];
  delete?: boolean;
}

let defaults: Stage[] | undefined;

/**
 * The default table, from stages.default.yaml, compiled on first use: the YAML library and the parse
 * are ~40 ms that start-up does not need (the first pod on a simulated node does; the server warms it
 * after ready).
 */
export function defaultStages(): Stage[] {
  return (defaults ??= parseStages(readFileSync(new URL('./stages.default.yaml', import.meta.url), 'utf8')));
}

/** A stage file's table (`extends: default` puts its stages before the default table). Throws one-line errors. */
export const loadStages = (text: string): Stage[] => parseStages(text, defaultStages());

/** The first applicable stage, in table order. */
export function nextStage(stages: Stage[], pod: Pod): Stage | undefined {
  for (const s of stages) if (s.when(pod)) return s;
  return undefined;
}
