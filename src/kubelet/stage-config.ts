// The stage table as data: parseStages checks a YAML stage list and compiles it, once, into Stage
// objects (selectors become matcher functions, templates become string builders). Schema:
//
//   extends: default          # optional: these stages go BEFORE the default table; without it they replace it
//   stages:
//     - name: fail-marked                       # unique
//       selector:                               # every field given must match (all optional)
//         bound: true                           # spec.nodeName is set
//         deleting: false                       # metadata.deletionTimestamp is set
//         phase: [Running]                      # status.phase is one of ("" = no phase yet)
//         notPhase: [Succeeded, Failed]         # status.phase is none of
//         restartPolicy: [Never, OnFailure]     # spec.restartPolicy (default Always) is one of
//         labels: {app: web}                    # each label has exactly this value
//         annotations: {x: "y"}                 # each annotation has exactly this value
//         notAnnotations: {skiff.dev/never-ready: "true"}  # no annotation has this value (absent matches)
//         conditions: {Ready: "True"}           # each status condition has this status
//         containers: {statuses: true, allRunning: true, allReady: false, waitingReason: CrashLoopBackOff}
//         is: [restarting]                      # built-in predicates that must hold (PREDICATES in builtins.ts)
//         not: [pull-fails]                     # built-in predicates that must not hold
//       delay: {seconds: 3, fromAnnotation: skiff.dev/run-seconds, since: containerStart, jitter: 0.2}
//              # or {function: readiness} (DELAYS in builtins.ts); default 0
//       action: {builtin: crash}                # a status transform of builtins.ts, or
//       action: {patch: {phase: Failed, reason: Marked, message: "failed at {{now}}"}}  # a JSON merge patch of status
//       events:                                 # one per container, container by container
//         - {type: Warning, reason: Marked, message: "{{container}} ({{image}}) of {{pod}}"}
//         - {builtin: pulled}                   # a per-container event of builtins.ts (pulling, pulled, killing)
//         - {type: Normal, reason: Marked, message: "{{pod}}", scope: pod}  # once per pod (before per-container ones)
//       delete: true                            # delete the pod (instead of an action)
//
// Every error is one line naming the stage index and field, e.g. `stages[2].delay.seconds: must be ...`.
import { yaml } from '../util/yaml.ts';
import { rfc3339 } from '../clock.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Stage, StageContext, StageEvent } from './stages.ts';
import { DELAYS, EVENT_BUILTINS, PLACEHOLDERS, PREDICATES, STATUS_TRANSFORMS, annotationSeconds, containersStartedAt } from './builtins.ts';
import type { EventContext } from './builtins.ts';

const STAGE_KEYS = ['name', 'selector', 'delay', 'action', 'events', 'delete'];
const SELECTOR_KEYS = ['bound', 'deleting', 'phase', 'notPhase', 'restartPolicy', 'labels', 'annotations', 'notAnnotations', 'conditions', 'containers', 'is', 'not'];
const CONTAINER_KEYS = ['statuses', 'allRunning', 'allReady', 'waitingReason'];
const DELAY_KEYS = ['seconds', 'fromAnnotation', 'since', 'jitter', 'function'];
const PHASES = ['', 'Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
const POLICIES = ['Always', 'OnFailure', 'Never'];
/** Computed values of status patch templates. */
const PATCH_VALUES = ['now', 'hostIP', 'podIP', 'nodeName', 'pod', 'namespace'];

type Matcher = (p: KObject) => boolean;
type Container = { name: string; image?: string };
const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (o: string[]) => o.join(', ');

class ConfigError extends Error {}
const bad = (at: string, msg: string): never => { throw new ConfigError(`${at}: ${msg}`); };

function onlyKeys(at: string, v: unknown, keys: string[]): Record<string, unknown> {
  if (!isMap(v)) bad(at, 'must be a mapping');
  const m = v as Record<string, unknown>;
  const k = Object.keys(m).find((x) => !keys.includes(x));
  if (k !== undefined) bad(at, `unknown field "${k}" (known: ${list(keys)})`);
  return m;
}
function bool(at: string, v: unknown): boolean {
  if (typeof v !== 'boolean') bad(at, `must be true or false, got ${JSON.stringify(v)}`);
  return v as boolean;
}
function oneOf(at: string, v: unknown, allowed: string[]): string[] {
  const xs = Array.isArray(v) ? v : [v];
  if (!xs.length) bad(at, 'must not be empty');
  for (const x of xs) if (typeof x !== 'string' || !allowed.includes(x)) bad(at, `${JSON.stringify(x)} is not one of ${list(allowed.map((a) => JSON.stringify(a)))}`);
  return xs as string[];
}
function strMap(at: string, v: unknown): [string, string][] {
  if (!isMap(v)) bad(at, 'must be a mapping of names to string values');
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => {
    if (typeof x !== 'string') bad(`${at}.${k}`, `must be a string (quote it: "${String(x)}"), got ${JSON.stringify(x)}`);
    return [k, x as string];
  });
}

function compileSelector(at: string, raw: unknown): Matcher {
  if (raw === undefined) return () => true;
  const s = onlyKeys(at, raw, SELECTOR_KEYS);
  const ms: Matcher[] = [];
  if (s.bound !== undefined) { const b = bool(`${at}.bound`, s.bound); ms.push((p) => !!p.spec?.nodeName === b); }
  if (s.deleting !== undefined) { const b = bool(`${at}.deleting`, s.deleting); ms.push((p) => !!p.metadata.deletionTimestamp === b); }
  if (s.phase !== undefined) { const ph = new Set(oneOf(`${at}.phase`, s.phase, PHASES)); ms.push((p) => ph.has(p.status?.phase ?? '')); }
  if (s.notPhase !== undefined) { const ph = new Set(oneOf(`${at}.notPhase`, s.notPhase, PHASES)); ms.push((p) => !ph.has(p.status?.phase ?? '')); }
  if (s.restartPolicy !== undefined) { const rp = new Set(oneOf(`${at}.restartPolicy`, s.restartPolicy, POLICIES)); ms.push((p) => rp.has(p.spec?.restartPolicy ?? 'Always')); }
  if (s.labels !== undefined) for (const [k, v] of strMap(`${at}.labels`, s.labels)) ms.push((p) => p.metadata.labels?.[k] === v);
  if (s.annotations !== undefined) for (const [k, v] of strMap(`${at}.annotations`, s.annotations)) ms.push((p) => p.metadata.annotations?.[k] === v);
  if (s.notAnnotations !== undefined) for (const [k, v] of strMap(`${at}.notAnnotations`, s.notAnnotations)) ms.push((p) => p.metadata.annotations?.[k] !== v);
  if (s.conditions !== undefined) {
    for (const [t, v] of strMap(`${at}.conditions`, s.conditions)) {
      oneOf(`${at}.conditions.${t}`, v, ['True', 'False', 'Unknown']);
      ms.push((p) => ((p.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === t && c.status === v));
    }
  }
  if (s.containers !== undefined) {
    const c = onlyKeys(`${at}.containers`, s.containers, CONTAINER_KEYS);
    type CS = { ready?: boolean; state?: { running?: unknown; waiting?: { reason?: string } } };
    const st = (p: KObject) => (p.status?.containerStatuses ?? []) as CS[];
    if (c.statuses !== undefined) { const b = bool(`${at}.containers.statuses`, c.statuses); ms.push((p) => !!p.status?.containerStatuses === b); }
    if (c.allRunning !== undefined) { const b = bool(`${at}.containers.allRunning`, c.allRunning); ms.push((p) => st(p).every((x) => !!x.state?.running) === b); }
    if (c.allReady !== undefined) { const b = bool(`${at}.containers.allReady`, c.allReady); ms.push((p) => st(p).every((x) => !!x.ready) === b); }
    if (c.waitingReason !== undefined) {
      if (typeof c.waitingReason !== 'string' || !c.waitingReason) bad(`${at}.containers.waitingReason`, `must be a reason such as CrashLoopBackOff, got ${JSON.stringify(c.waitingReason)}`);
      const r = c.waitingReason as string;
      ms.push((p) => st(p)[0]?.state?.waiting?.reason === r); // the first container's, as the kubelet's status summary
    }
  }
  for (const [field, want] of [['is', true], ['not', false]] as const) {
    if (s[field] === undefined) continue;
    for (const n of oneOf(`${at}.${field}`, s[field], Object.keys(PREDICATES))) { const f = PREDICATES[n]; ms.push((p) => f(p) === want); }
  }
  return (p) => { for (const m of ms) if (!m(p)) return false; return true; };
}

function compileDelay(at: string, raw: unknown): { delay: Stage['delay']; jitter?: number } {
  if (raw === undefined) return { delay: () => 0 };
  const d = onlyKeys(at, raw, DELAY_KEYS);
  let jitter: number | undefined;
  if (d.jitter !== undefined) {
    if (typeof d.jitter !== 'number' || !(d.jitter >= 0 && d.jitter <= 1)) bad(`${at}.jitter`, `must be a fraction from 0 to 1 (0.2 = ±10%), got ${JSON.stringify(d.jitter)}`);
    jitter = d.jitter as number;
  }
  if (d.function !== undefined) {
    const other = ['seconds', 'fromAnnotation', 'since'].find((k) => d[k] !== undefined);
    if (other) bad(`${at}.${other}`, 'cannot be used with delay.function');
    const [n] = oneOf(`${at}.function`, d.function, Object.keys(DELAYS));
    return { delay: DELAYS[n], jitter };
  }
  const secs = d.seconds ?? 0;
  if (typeof secs !== 'number' || !(secs >= 0 && secs <= 86400 * 365)) bad(`${at}.seconds`, `must be a number of seconds from 0 to 31536000, got ${JSON.stringify(d.seconds)}`);
  if (d.fromAnnotation !== undefined && (typeof d.fromAnnotation !== 'string' || !d.fromAnnotation)) bad(`${at}.fromAnnotation`, `must be an annotation key, got ${JSON.stringify(d.fromAnnotation)}`);
  if (d.since !== undefined) oneOf(`${at}.since`, d.since, ['containerStart']);
  const key = d.fromAnnotation as string | undefined, s = secs as number;
  const seconds = key ? (p: KObject) => annotationSeconds(p, key, s) : () => s;
  const delay: Stage['delay'] = d.since ? (p, now) => Math.max(0, containersStartedAt(p) + 1000 * seconds(p) - now) : (p) => 1000 * seconds(p);
  return { delay, jitter };
}

/** "{{name}}" placeholders → a builder; names outside `known` are an error. */
function template<A extends unknown[]>(at: string, text: unknown, known: string[], value: (name: string, ...a: A) => string): (...a: A) => string {
  if (typeof text !== 'string') bad(at, `must be a string, got ${JSON.stringify(text)}`);
  const parts = (text as string).split(/\{\{\s*([A-Za-z]+)\s*\}\}/);
  for (let i = 1; i < parts.length; i += 2) if (!known.includes(parts[i])) bad(at, `unknown placeholder {{${parts[i]}}} (known: ${list(known)})`);
  if (parts.length === 1) return () => parts[0];
  return (...a) => { let s = ''; for (let i = 0; i < parts.length; i++) s += i % 2 ? value(parts[i], ...a) : parts[i]; return s; };
}

function compileEvents(at: string, raw: unknown): Stage['events'] {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) bad(at, 'must be a list');
  const podEvents: ((p: KObject) => StageEvent)[] = [];
  const perContainer: ((p: KObject, c: Container, x?: EventContext) => StageEvent | undefined)[] = [];
  const ph = Object.keys(PLACEHOLDERS);
  (raw as unknown[]).forEach((e, i) => {
    const eat = `${at}[${i}]`;
    if (isMap(e) && e.builtin !== undefined) {
      onlyKeys(eat, e, ['builtin']);
      const [n] = oneOf(`${eat}.builtin`, e.builtin, Object.keys(EVENT_BUILTINS));
      perContainer.push(EVENT_BUILTINS[n]);
      return;
    }
    const m = onlyKeys(eat, e, ['type', 'reason', 'message', 'scope']);
    const [type] = oneOf(`${eat}.type`, m.type ?? 'Normal', ['Normal', 'Warning']) as ('Normal' | 'Warning')[];
    if (typeof m.reason !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(m.reason)) bad(`${eat}.reason`, `must be an UpperCamelCase word such as BackOff, got ${JSON.stringify(m.reason)}`);
    const reason = m.reason as string;
    const [scope] = oneOf(`${eat}.scope`, m.scope ?? 'container', ['container', 'pod']);
    if (scope === 'pod') {
      const msg = template(`${eat}.message`, m.message, ph.filter((n) => n !== 'container' && n !== 'image'), (n, p: KObject) => PLACEHOLDERS[n](p));
      podEvents.push((p) => ({ type, reason, message: msg(p) }));
    } else {
      const msg = template(`${eat}.message`, m.message, ph, (n, p: KObject, c: Container) => PLACEHOLDERS[n](p, c));
      perContainer.push((p, c) => ({ type, reason, message: msg(p, c), fieldPath: `spec.containers{${c.name}}` }));
    }
  });
  return (p, x) => {
    const out = podEvents.map((f) => f(p));
    if (perContainer.length) {
      for (const c of (p.spec?.containers ?? []) as Container[]) for (const f of perContainer) { const e = f(p, c, x); if (e) out.push(e); }
    }
    return out;
  };
}

/** A status merge patch (RFC 7386) whose strings may hold {{now}}, {{podIP}}, ... */
function compilePatch(at: string, raw: unknown): { apply: NonNullable<Stage['status']>; done: Matcher } {
  if (!isMap(raw) || !Object.keys(raw).length) bad(at, 'must be a non-empty mapping of status fields');
  let literal = false;
  const check = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      template(path, v, PATCH_VALUES, () => '');
      if (!v.includes('{{')) literal = true;
    } else if (isMap(v)) for (const [k, x] of Object.entries(v)) check(x, `${path}.${k}`);
    else if (Array.isArray(v)) v.forEach((x, i) => check(x, `${path}[${i}]`));
    else literal = true;
  };
  check(raw, at);
  if (!literal) bad(at, 'needs at least one value without a {{placeholder}}, so the stage stops applying once the pod has it');
  const render = (v: unknown, vals: Record<string, string>): unknown => {
    if (typeof v === 'string') return v.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, n: string) => vals[n] ?? '');
    if (Array.isArray(v)) return v.map((x) => render(x, vals));
    if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x, vals)]));
    return v;
  };
  const merge = (target: unknown, patch: unknown): unknown => {
    if (!isMap(patch)) return patch;
    const out: Record<string, unknown> = isMap(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) { if (v === null) delete out[k]; else out[k] = merge(out[k], v); }
    return out;
  };
  // Already applied: every literal value of the patch is in place (templated values are not compared).
  const has = (cur: unknown, v: unknown): boolean => {
    if (typeof v === 'string' && v.includes('{{')) return true;
    if (isMap(v)) return Object.entries(v).every(([k, x]) => (x === null ? !isMap(cur) || !(k in cur) : has(isMap(cur) ? cur[k] : undefined, x)));
    if (Array.isArray(v) && JSON.stringify(v).includes('{{')) return true;
    return JSON.stringify(cur) === JSON.stringify(v);
  };
  return {
    apply: (p: KObject, ctx: StageContext) => merge(p.status ?? {}, render(raw, {
      now: rfc3339(ctx.now), hostIP: ctx.hostIP, nodeName: ctx.nodeName, pod: p.metadata.name ?? '', namespace: p.metadata.namespace ?? '',
      get podIP() { return ctx.podIP() ?? ''; },
    } as Record<string, string>)) as Record<string, any>,
    done: (p) => has(p.status ?? {}, raw),
  };
}

function compileStage(at: string, raw: unknown, names: Set<string>): Stage {
  const s = onlyKeys(at, raw, STAGE_KEYS);
  if (typeof s.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s.name)) bad(`${at}.name`, `must be a lower-case name such as crash-loop, got ${JSON.stringify(s.name)}`);
  const name = s.name as string;
  if (names.has(name)) bad(`${at}.name`, `"${name}" is used by another stage`);
  names.add(name);
  let when = compileSelector(`${at}.selector`, s.selector);
  const { delay, jitter } = compileDelay(`${at}.delay`, s.delay);
  const events = compileEvents(`${at}.events`, s.events);
  const del = s.delete === undefined ? false : bool(`${at}.delete`, s.delete);
  let status: Stage['status'];
  if (s.action !== undefined) {
    if (del) bad(`${at}.action`, 'cannot be used with delete: true');
    const a = onlyKeys(`${at}.action`, s.action, ['builtin', 'patch']);
    if ((a.builtin === undefined) === (a.patch === undefined)) bad(`${at}.action`, 'must have exactly one of builtin or patch');
    if (a.builtin !== undefined) status = STATUS_TRANSFORMS[oneOf(`${at}.action.builtin`, a.builtin, Object.keys(STATUS_TRANSFORMS))[0]];
    else {
      const patch = compilePatch(`${at}.action.patch`, a.patch);
      const sel = when;
      when = (p) => sel(p) && !patch.done(p);
      status = patch.apply;
    }
  } else if (!del) bad(at, 'needs an action or delete: true (a stage that changes nothing would fire again and again)');
  return { name, when, delay, ...(jitter ? { jitter } : {}), ...(status ? { status } : {}), ...(events ? { events } : {}), ...(del ? { delete: true } : {}) };
}

/** Parses and compiles a stage file; `defaults` are what `extends: default` puts after its stages. Throws one-line errors. */
export function parseStages(text: string, defaults?: Stage[]): Stage[] {
  let doc: unknown;
  try { doc = yaml().parse(text); } catch (e) { throw new ConfigError(`not valid YAML: ${(e as Error).message.split('\n')[0]}`); }
  if (!isMap(doc)) throw new ConfigError('expected a mapping with a top-level "stages" list');
  const other = Object.keys(doc).find((k) => k !== 'stages' && k !== 'extends');
  if (other) throw new ConfigError(`unknown top-level field "${other}" (known: extends, stages)`);
  if (doc.extends !== undefined && doc.extends !== 'default') throw new ConfigError(`extends: only "default" is supported, got ${JSON.stringify(doc.extends)}`);
  if (!Array.isArray(doc.stages) || !doc.stages.length) throw new ConfigError('expected a top-level "stages" list with at least one stage');
  const base = doc.extends === 'default' ? defaults ?? [] : [];
  const names = new Set<string>();
  const own = doc.stages.map((s, i) => compileStage(`stages[${i}]`, s, names));
  const clash = base.find((s) => names.has(s.name));
  if (clash) throw new ConfigError(`stages[${own.findIndex((s) => s.name === clash.name)}].name: "${clash.name}" is a default stage; with extends: default pick another name`);
  return [...own, ...base];
}
