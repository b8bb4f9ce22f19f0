// Go type names of structural-schema nodes, as encoding/json prints them in its errors
// (`string`, `int32`, `[]v1.Container`, `map[string]string`, `v1.ObjectMeta`).
import type { StructuralSchema } from './types.ts';

export function primitiveGoType(type: string | undefined, format: string | undefined): string {
  switch (type) {
    case 'string': return format === 'byte' ? '[]uint8' : 'string';
    case 'integer': return format === 'int32' ? 'int32' : 'int64';
    case 'number': return format === 'float' ? 'float32' : 'float64';
    case 'boolean': return 'bool';
    default: return 'interface {}';
  }
}

/** The Go type encoding/json would name for a node (`[]v1.Container`, `map[string]string`, `int32`). */
export function goTypeOf(s: StructuralSchema | undefined): string {
  if (!s) return 'interface {}';
  if (s.goType) return s.goType;
  if (s.type === 'array') return `[]${goTypeOf(s.items)}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${goTypeOf(s.additionalProperties)}`;
  if (s.type === 'object') return 'map[string]interface {}';
  return primitiveGoType(s.type, s.format);
}
