// A namespace's Pod Security policy from its labels (upstream's api.PolicyToEvaluate): enforce,
// audit and warn, each a level and a version; privileged:latest where unlabelled (upstream's default
// configuration); warn follows a stricter enforce level unless set. Bad labels are field errors.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { Level } from './checks.ts';

export const PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];

/** A level and a version (a minor number; undefined is `latest`). */
export interface LevelVersion { level: Level; minor?: number }
export interface Policy { enforce: LevelVersion; audit: LevelVersion; warn: LevelVersion }

export const levelVersionString = (lv: LevelVersion) => `${lv.level}:${lv.minor === undefined ? 'latest' : `v1.${lv.minor}`}`;
export const sameLevelVersion = (a: LevelVersion, b: LevelVersion) => a.level === b.level && a.minor === b.minor;
const rank = (l: Level) => LEVELS.indexOf(l);

function parseLevel(v: string): Level | undefined { return (LEVELS as string[]).includes(v) ? v as Level : undefined; }

function parseVersion(v: string): { ok: boolean; minor?: number } {
  if (v === 'latest') return { ok: true };
  const m = /^v1\.([0-9]|[1-9][0-9]*)$/.exec(v);
  return m ? { ok: true, minor: Number(m[1]) } : { ok: false };
}

/** Whether any Pod Security label is set (unlabelled namespaces are privileged: nothing to check). */
export function hasPolicyLabels(labels: Record<string, string> | undefined): boolean {
  for (const k in labels ?? {}) if (k.startsWith(PREFIX)) return true;
  return false;
}

export function policyOf(labels: Record<string, string> | undefined): { policy: Policy; errors: FieldError[] } {
  const p: Policy = { enforce: { level: 'privileged' }, audit: { level: 'privileged' }, warn: { level: 'privileged' } };
  const errors: FieldError[] = [];
  const l = labels ?? {};
  let hasEnforceLevel = false, hasWarnLevel = false, hasWarnVersion = false;
  const bad = (label: string, value: string, msg: string) => errors.push(field.invalid(`metadata.labels[${PREFIX}${label}]`, value, msg));
  const levelMsg = `must be one of ${LEVELS.join(', ')}`;
  const versionMsg = 'must be "latest" or "v1.x"';
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const level = l[`${PREFIX}${mode}`];
    if (level !== undefined) {
      const parsed = parseLevel(level);
      if (parsed) p[mode].level = parsed;
      else { bad(mode, level, levelMsg); p[mode].level = mode === 'enforce' ? 'restricted' : 'privileged'; }
      if (mode === 'enforce') hasEnforceLevel = !!parsed;
      if (mode === 'warn') hasWarnLevel = true;
    }
    const version = l[`${PREFIX}${mode}-version`];
    if (version !== undefined) {
      const parsed = parseVersion(version);
      p[mode].minor = parsed.minor;
      if (!parsed.ok) bad(`${mode}-version`, version, versionMsg);
      if (mode === 'warn') hasWarnVersion = true;
    }
  }
  if (!hasWarnLevel && hasEnforceLevel && rank(p.enforce.level) > rank(p.warn.level)) {
    p.warn.level = p.enforce.level;
    if (!hasWarnVersion) p.warn.minor = p.enforce.minor;
  }
  return { policy: p, errors };
}

export function compareLevels(a: Level, b: Level): number { return rank(a) - rank(b); }
