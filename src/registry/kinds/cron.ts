// Standard 5-field cron schedules as CronJob uses them (robfig/cron's ParseStandard): parsing with
// its error wording, and the next activation time (UTC) for a controller.

const BOUNDS: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
const NAMES: (Record<string, number> | undefined)[] = [undefined, undefined, undefined,
  { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
  { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 }];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

export class CronError extends Error {}

export interface CronSchedule {
  /** Sets of allowed values per field: minute, hour, day of month, month, day of week. */
  fields: Set<number>[];
  /** Whether day-of-month / day-of-week were '*' (cron's OR rule applies only when both are restricted). */
  domStar: boolean; dowStar: boolean;
  /** For @every: a fixed interval in ms. */
  everyMs?: number;
}

function parseInt10(s: string, expr: string): number {
  if (!/^-?\d+$/.test(s)) throw new CronError(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function value(s: string, i: number, expr: string): number {
  const names = NAMES[i];
  if (names && s.toLowerCase() in names) return names[s.toLowerCase()];
  return parseInt10(s, expr);
}

function parseRange(expr: string, i: number, out: Set<number>): boolean {
  const [lo, hi] = BOUNDS[i];
  const slash = expr.split('/');
  if (slash.length > 2) throw new CronError(`too many slashes: ${expr}`);
  const dash = slash[0].split('-');
  if (dash.length > 2) throw new CronError(`too many hyphens: ${expr}`);
  let start: number; let end: number; let star = false;
  if (dash[0] === '*' || dash[0] === '?') { start = lo; end = hi; star = true; }
  else {
    start = value(dash[0], i, expr);
    end = dash.length === 2 ? value(dash[1], i, expr) : start;
  }
  let step = 1;
  if (slash.length === 2) {
    step = parseInt10(slash[1], expr);
    if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
    if (dash.length === 1 && !star) end = hi; // "N/step" means N through the maximum
    star = false;
  }
  if (start < lo) throw new CronError(`beginning of range (${start}) below minimum (${lo}): ${expr}`);
  if (end > hi) throw new CronError(`end of range (${end}) above maximum (${hi}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  for (let v = start; v <= end; v += step) out.add(v);
  return star;
}

/** Parse a standard cron expression; throws CronError with robfig/cron's wording. */
export function parseCron(spec: string): CronSchedule {
  const s = spec.trim();
  if (s.startsWith('@every ')) {
    const m = /^@every\s+((?:\d+(?:\.\d+)?(?:h|m|s|ms))+)$/.exec(s);
    if (!m) throw new CronError(`failed to parse duration ${s}: time: invalid duration ${JSON.stringify(s.slice(7))}`);
    let ms = 0;
    for (const [, n, u] of m[1].matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(n) * ({ h: 3600e3, m: 60e3, s: 1e3, ms: 1 } as Record<string, number>)[u];
    return { fields: [], domStar: true, dowStar: true, everyMs: Math.max(1000, ms) };
  }
  if (s.startsWith('@')) {
    const d = DESCRIPTORS[s.toLowerCase()];
    if (!d) throw new CronError(`unrecognized descriptor: ${s}`);
    return parseCron(d);
  }
  const parts = s.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) throw new CronError(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const fields: Set<number>[] = [];
  const stars: boolean[] = [];
  parts.forEach((p, i) => {
    const set = new Set<number>();
    let star = true;
    for (const r of p.split(',')) star = parseRange(r, i, set) && star;
    fields.push(set);
    stars.push(star && !p.includes(','));
  });
  if (fields[4].has(7)) fields[4].add(0);
  return { fields, domStar: stars[2], dowStar: stars[4] };
}

/** The first activation strictly after `afterMs` (UTC), or undefined if none within ~5 years. */
export function nextActivation(c: CronSchedule, afterMs: number): number | undefined {
  if (c.everyMs) return afterMs - (afterMs % 1000) + c.everyMs;
  const d = new Date(Math.floor(afterMs / 60000) * 60000 + 60000);
  const limit = afterMs + 5 * 366 * 86400e3;
  const [min, hour, dom, mon, dow] = c.fields;
  while (d.getTime() <= limit) {
    if (!mon.has(d.getUTCMonth() + 1)) { d.setUTCMonth(d.getUTCMonth() + 1, 1); d.setUTCHours(0, 0, 0, 0); continue; }
    const domOk = dom.has(d.getUTCDate()); const dowOk = dow.has(d.getUTCDay());
    const dayOk = c.domStar || c.dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) { d.setUTCDate(d.getUTCDate() + 1); d.setUTCHours(0, 0, 0, 0); continue; }
    if (!hour.has(d.getUTCHours())) { d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0); continue; }
    if (!min.has(d.getUTCMinutes())) { d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0); continue; }
    return d.getTime();
  }
  return undefined;
}
