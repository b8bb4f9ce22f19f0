// Command-line flags as Go's pflag (cobra) reads them: --name=value, --name value, -n value,
// booleans as --name or --name=false; an unknown flag is cobra's "Error: unknown flag: --x".
export type FlagSpec = Record<string, { type: 'string' | 'int' | 'bool' | 'duration'; default?: string | number | boolean; short?: string }>;
export type FlagValues = Record<string, string | number | boolean>;

export class FlagError extends Error {}

/** Go's time.ParseDuration for the forms programs take (1h2m3.5s, 300ms, 0). */
export function parseDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0, m: RegExpExecArray | null, pos = 0;
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  if (!body) return undefined;
  re.lastIndex = 0;
  while ((m = re.exec(body))) { total += Number(m[1]) * unit[m[2]]; pos = re.lastIndex; }
  return pos === body.length && pos > 0 ? (neg ? -total : total) : undefined;
}

export function parseFlags(args: string[], spec: FlagSpec): { values: FlagValues; rest: string[] } {
  const values: FlagValues = {};
  for (const [k, v] of Object.entries(spec)) if (v.default !== undefined) values[k] = v.default;
  const rest: string[] = [];
  const byShort = new Map(Object.entries(spec).filter(([, v]) => v.short).map(([k, v]) => [v.short!, k]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { rest.push(...args.slice(i + 1)); break; }
    const m = /^(--?)([^=]+)(?:=(.*))?$/s.exec(a);
    if (!m || a === '-') { rest.push(a); continue; }
    const name = m[1] === '--' ? m[2] : byShort.get(m[2]) ?? (spec[m[2]] ? m[2] : undefined);
    if (!name || !spec[name]) throw new FlagError(`unknown ${m[1] === '--' ? 'flag' : 'shorthand flag'}: ${m[1] === '--' ? `--${m[2]}` : `'${m[2][0]}' in -${m[2]}`}`);
    const def = spec[name];
    let raw = m[3];
    if (def.type === 'bool') {
      if (raw === undefined) { values[name] = true; continue; }
      if (!/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(raw)) throw new FlagError(`invalid argument "${raw}" for "--${name}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
      values[name] = /^(true|1|t|TRUE|True)$/.test(raw);
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= args.length) throw new FlagError(`flag needs an argument: --${name}`);
      raw = args[++i];
    }
    if (def.type === 'int') {
      if (!/^[+-]?\d+$/.test(raw)) throw new FlagError(`invalid argument "${raw}" for "--${name}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
      values[name] = Number(raw);
    } else if (def.type === 'duration') {
      const d = parseDuration(raw);
      if (d === undefined) throw new FlagError(`invalid argument "${raw}" for "--${name}" flag: time: invalid duration "${raw}"`);
      values[name] = d;
    } else values[name] = raw;
  }
  return { values, rest };
}
