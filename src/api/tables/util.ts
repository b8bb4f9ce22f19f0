// Shared pieces for the server-side table printers: the printer shape, column helpers and the
// human-readable formatting rules kubectl users expect (ages, selectors, container lists).
import type { KObject } from '../../registry/strategy.ts';

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';
export type Cell = string | number | boolean | null;

export interface Column {
  name: string;
  type: ColumnType;
  format: string;
  description: string;
  priority: number;
}

export interface RowCondition { type: string; status: string }

export interface Printer {
  columns: Column[];
  row(obj: KObject, now: number): Cell[];
  /** Optional per-row conditions (upstream marks finished pods as Completed). */
  conditions?(obj: KObject): RowCondition[] | undefined;
  /** Row order of a list, where upstream's list printer sorts (FlowSchemas by matching precedence). */
  order?(a: KObject, b: KObject): number;
}

/** Column definition shorthand: `col('Ready', 'string', 'what it means')`; `wide` → priority 1. */
export function col(name: string, type: ColumnType, description: string, opts: { wide?: boolean; format?: string } = {}): Column {
  return { name, type, format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

export const NAME_COL: Column = col('Name', 'string', 'Unique name of the object within its namespace (or cluster, for cluster-scoped kinds).', { format: 'name' });
export const AGE_COL: Column = col('Age', 'string', 'Time elapsed since the object was created.');
export const CREATED_AT_COL: Column = col('Created At', 'date', 'Timestamp at which the object was created.');
export const wideContainers = (): Column[] => [
  col('Containers', 'string', 'Names of the containers in the pod template.', { wide: true }),
  col('Images', 'string', 'Images used by the containers in the pod template.', { wide: true }),
];
export const wideSelector = (): Column => col('Selector', 'string', 'Label query selecting the pods this object manages.', { wide: true });

/**
 * Short human form of a duration, with the same thresholds as upstream's duration.HumanDuration:
 * seconds below 2 minutes, "XmYs" below 10 minutes, minutes below 3 hours, "XhYm" below 8 hours,
 * hours below 2 days, "XdYh" below 8 days, days below 2 years, "XyYd" below 8 years, then years.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** Parse an RFC 3339 timestamp; undefined when absent or unparseable. */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** "5m" since `ts`, or "<unknown>" when there is no timestamp (upstream translateTimestampSince). */
export function since(ts: unknown, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

export function age(obj: KObject, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}

export const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const arr = <T = any>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const orNone = (s: string): string => (s === '' ? '<none>' : s);

/** k=v pairs sorted by key, "<none>" when empty (labels.FormatLabels). */
export function formatLabels(m: unknown): string {
  if (!m || typeof m !== 'object') return '<none>';
  const keys = Object.keys(m as object).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${str((m as Record<string, unknown>)[k])}`).join(',');
}

/** String form of a metav1.LabelSelector as a labels.Selector would print it. Nil → "<none>". */
export function formatLabelSelector(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '<none>';
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of arr<{ key: string; operator: string; values?: string[] }>(s.matchExpressions)) {
    const vals = [...new Set(arr<string>(e.values))].sort().join(',');
    switch (e.operator) {
      case 'In': reqs.push({ key: e.key, text: `${e.key} in (${vals})` }); break;
      case 'NotIn': reqs.push({ key: e.key, text: `${e.key} notin (${vals})` }); break;
      case 'Exists': reqs.push({ key: e.key, text: e.key }); break;
      case 'DoesNotExist': reqs.push({ key: e.key, text: `!${e.key}` }); break;
      default: reqs.push({ key: e.key, text: `${e.key} ${e.operator} (${vals})` });
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** [names, images] of a container list, comma-joined. */
export function containerCells(containers: unknown): [string, string] {
  const cs = arr<{ name?: string; image?: string }>(containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

/** Join at most `max` entries, then " + N more..." like upstream's endpoint/host formatting. */
export function joinMax(list: string[], max: number, total = list.length, sep = ','): string {
  const shown = list.slice(0, max).join(sep);
  return total > max ? `${shown} + ${total - max} more...` : shown;
}

export function hasTrueCondition(obj: KObject, type: string): boolean {
  return arr<{ type?: string; status?: string }>(obj.status?.conditions).some((c) => c.type === type && c.status === 'True');
}
