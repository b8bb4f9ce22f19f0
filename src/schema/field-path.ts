// Upstream's cel.ValidFieldPath: a JSON path such as `.spec.x['a.b']` resolved against a structural
// schema (named properties, or map keys under additionalProperties). Returns the canonical field path
// and the schema it points at, or upstream's error text.
import type { J } from './structural.ts';

const isMap = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);

function tokens(path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === "'") {
      let j = i + 1;
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== '\\')) j++;
      out.push(path.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if ('.[]'.includes(path[i])) { out.push(path[i]); i++; continue; }
    let j = i;
    while (j < path.length && !'.[]'.includes(path[j])) j++;
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

export interface FieldPathResult { path?: string; root?: string; schema?: J; error?: string }

export function validFieldPath(jsonPath: string, schema: J | undefined, allowArrayNotation = true): FieldPathResult {
  let s: J | undefined = schema;
  let path = '';
  let root: string | undefined;
  const step = (name: string): string | undefined => {
    if (!s) return 'does not refer to a valid field';
    if (isMap(s.properties)) {
      if (!Object.prototype.hasOwnProperty.call(s.properties, name)) return 'does not refer to a valid field';
      path = path ? `${path}.${name}` : name;
      root ??= name;
      s = isMap(s.properties[name]) ? s.properties[name] : {};
    } else if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
      path = `${path}[${name}]`;
      root ??= name;
      s = isMap(s.additionalProperties) ? s.additionalProperties : undefined;
    } else return 'does not refer to a valid field';
    return undefined;
  };
  const t = tokens(jsonPath);
  for (let i = 0; i < t.length; i++) {
    const tok = t[i];
    if (tok === '[') {
      if (!allowArrayNotation) return { error: 'array notation is not allowed' };
      const q = t[++i];
      if (q === undefined) return { error: 'unexpected end of JSON path' };
      if (q.length < 2 || q[0] !== "'" || q[q.length - 1] !== "'") return { error: `expected single quoted string but got ${q}` };
      const e = step(q.slice(1, -1).replace(/\\'/g, "'").replace(/\\\\/g, '\\'));
      if (e) return { error: e };
      const close = t[++i];
      if (close === undefined) return { error: 'unexpected end of JSON path' };
      if (close !== ']') return { error: `expected ] but got ${close}` };
    } else if (tok === '.') {
      const name = t[++i];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const e = step(name);
      if (e) return { error: e };
    } else {
      return { error: `expected [ or . but got: ${tok}` };
    }
  }
  return { path, root, schema: s };
}
