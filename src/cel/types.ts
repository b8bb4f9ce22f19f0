// Schema → CEL type declarations for the checker (k8s.io/apiserver/pkg/cel/common/schemas.go):
// integer → int, number → double, strings by format (byte → bytes, duration, date/date-time →
// timestamp), int-or-string and schemaless preserve-unknown-fields → dyn, objects with properties →
// an object type with one field per (escaped) property, additionalProperties → map, arrays → list.
import type { Environment } from '@marcbachmann/cel-js';
import type { StructuralSchema } from '../schema/types.ts';
import { escapeName } from './names.ts';

export const META_SCHEMA: StructuralSchema = { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } };

/** The schema as rules see it at a resource root (or embedded resource): apiVersion, kind, metadata{name, generateName}. */
export function withTypeAndObjectMeta(s: StructuralSchema): StructuralSchema {
  return { ...s, type: 'object', properties: { ...s.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: META_SCHEMA } };
}

export function isDyn(s: StructuralSchema): boolean {
  if (s['x-kubernetes-int-or-string']) return true;
  if (!s.type) return true;
  return s.type === 'object' && !!s['x-kubernetes-preserve-unknown-fields'] && !s.properties && s.additionalProperties === undefined && !s['x-kubernetes-embedded-resource'];
}

export class TypeRegistrar {
  private count = 0;
  private readonly env: Environment;
  private readonly memo = new Map<StructuralSchema, string>();
  private readonly rootMemo = new Map<StructuralSchema, string>();
  constructor(env: Environment) { this.env = env; }

  /** Registers the types `s` needs (once per schema node) and answers its CEL type string. */
  typeOf(s: StructuralSchema, root = false): string {
    const memo = root ? this.rootMemo : this.memo;
    let t = memo.get(s);
    if (t === undefined) {
      t = this.compute(root || s['x-kubernetes-embedded-resource'] ? withTypeAndObjectMeta(s) : s);
      memo.set(s, t);
    }
    return t;
  }

  private compute(s: StructuralSchema): string {
    if (isDyn(s)) return 'dyn';
    switch (s.type) {
      case 'boolean': return 'bool';
      case 'integer': return 'int';
      case 'number': return 'double';
      case 'string': return stringType(s.format);
      case 'array': return `list<${s.items ? this.typeOf(s.items) : 'dyn'}>`;
      default: return this.objectType(s);
    }
  }

  private objectType(s: StructuralSchema): string {
    if (!s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
      const v = s.additionalProperties === true ? 'dyn' : this.typeOf(s.additionalProperties);
      return `map<string, ${v}>`;
    }
    const fields: Record<string, string> = {};
    for (const [k, ps] of Object.entries(s.properties ?? {})) {
      const name = escapeName(k);
      if (name !== undefined) fields[name] = this.typeOf(ps);
    }
    const name = `selfType${this.count++}`;
    this.env.registerType(name, { fields });
    // For the checker only (rules run in the dynamic runtime environment): objects compare with == and !=.
    const never = () => { throw new Error('checking environment only'); };
    this.env.registerOperator(`${name} == ${name}`, never);
    return name;
  }
}

function stringType(format: string | undefined): string {
  switch (format) {
    case 'byte': return 'bytes';
    case 'duration': return 'google.protobuf.Duration';
    case 'date': case 'date-time': return 'google.protobuf.Timestamp';
    default: return 'string';
  }
}
