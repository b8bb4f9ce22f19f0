// A rule's `fieldPath` (k8s.io/apiextensions-apiserver pkg/apiserver/schema/cel ValidFieldPath):
// a JSONPath of `.name` and `['key']` steps that must name declared properties (or keys of a
// map), with no array indexing. Answers the normalized field path, or an error message.
import type { StructuralSchema } from '../schema/types.ts';

export function validFieldPath(jsonPath: string, schema: StructuralSchema): { path: string } | { error: string } {
  let s: StructuralSchema | undefined = schema;
  let out = '';
  let i = 0;
  const step = (name: string): string | undefined => {
    if (!s) return 'does not refer to a valid field';
    if (s.properties && Object.hasOwn(s.properties, name)) { s = s.properties[name]; return undefined; }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') { s = s.additionalProperties; return undefined; }
    return 'does not refer to a valid field';
  };
  if (jsonPath.length === 0) return { error: 'unexpected end of JSON path' };
  while (i < jsonPath.length) {
    if (jsonPath[i] === '.') {
      const m = /^[^.[\]]*/.exec(jsonPath.slice(i + 1))![0];
      if (!m) return { error: 'unexpected end of JSON path' };
      const err = step(m);
      if (err) return { error: err };
      out += out ? `.${m}` : m;
      i += 1 + m.length;
    } else if (jsonPath[i] === '[') {
      const rest = jsonPath.slice(i + 1);
      if (/^\d/.test(rest)) return { error: 'array notation is not allowed' };
      const m = /^'((?:[^'\\]|\\.)*)'\]/.exec(rest);
      if (!m) return { error: rest.startsWith("'") ? 'expected ] but got end of path' : `expected single quoted string but got ${rest[0] ?? 'EOF'}` };
      const key = m[1].replace(/\\(.)/g, '$1');
      const err = step(key);
      if (err) return { error: err };
      out += `[${key}]`;
      i += 1 + m[0].length;
    } else {
      return { error: `expected [ or . but got: ${jsonPath[i]}` };
    }
  }
  return { path: out };
}
