// The JSONPath subset CRDs use in additionalPrinterColumns, scale paths and selectableFields:
// `.a.b`, `.a[0]`, `.a['b.c']`, `.a[*].b` and filters `[?(@.type=="Ready")]` (== and !=), optionally
// wrapped in `{...}`. Returns every match, in order; a path it cannot read matches nothing.

type Step = { key: string } | { index: number } | { all: true } | { filter: { path: string[]; op: '==' | '!='; value: string } };

const cache = new Map<string, Step[] | null>();

function parse(src: string): Step[] | null {
  let p = src.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    if (p[i] === '.') {
      i++;
      const m = /^[A-Za-z0-9_-]+/.exec(p.slice(i));
      if (!m) { if (p[i] === '[' || i === p.length) continue; return null; }
      steps.push({ key: m[0] });
      i += m[0].length;
    } else if (p[i] === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) return null;
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      let m: RegExpExecArray | null;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if ((m = /^'([^']*)'$/.exec(inner)) || (m = /^"([^"]*)"$/.exec(inner))) steps.push({ key: m[1] });
      else if ((m = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^)\s]+))\)$/.exec(inner))) {
        steps.push({ filter: { path: m[1].slice(1).split('.'), op: m[2] as '==' | '!=', value: m[3] ?? m[4] ?? m[5] } });
      } else return null;
    } else return null;
  }
  return steps;
}

function compiled(path: string): Step[] | null {
  let s = cache.get(path);
  if (s === undefined) {
    s = parse(path);
    if (cache.size > 1000) cache.clear();
    cache.set(path, s);
  }
  return s;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function get(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const k of path) { if (!isObj(cur)) return undefined; cur = cur[k]; }
  return cur;
}

/** Every value `path` selects in `root`. */
export function jsonPathValues(root: unknown, path: string): unknown[] {
  const steps = compiled(path);
  if (!steps) return [];
  let cur: unknown[] = [root];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('key' in s) { if (isObj(v) && Object.hasOwn(v, s.key)) next.push(v[s.key]); }
      else if ('index' in s) { if (Array.isArray(v)) { const x = v[s.index < 0 ? v.length + s.index : s.index]; if (x !== undefined) next.push(x); } }
      else if ('all' in s) { if (Array.isArray(v)) next.push(...v); else if (isObj(v)) next.push(...Object.values(v)); }
      else if (Array.isArray(v)) {
        for (const x of v) {
          const got = get(x, s.filter.path);
          const eq = got !== undefined && String(got) === s.filter.value;
          if (s.filter.op === '==' ? eq : got !== undefined && !eq) next.push(x);
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** Whether `path` is in the supported subset. */
export function isSupportedJsonPath(path: string): boolean { return compiled(path) !== null; }
