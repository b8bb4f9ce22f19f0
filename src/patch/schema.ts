// Patch metadata of the built-in kinds, read from the generated table (see gen-smp-meta.ts).
// A schema node describes one type reference of the table: a struct key ("core/v1.PodSpec"),
// a list ("[]X"), a map ("map[]X"), a scalar ("string", "int", "number", "bool", "scalar") or
// free-form JSON ("any").
import { createRequire } from 'node:module';

export interface SmpFieldMeta {
  /** type reference of the field */
  t: string;
  /** patchStrategy struct tag, e.g. "merge", "retainKeys", "merge,retainKeys" */
  ps?: string;
  /** patchMergeKey struct tag */
  mk?: string;
  /** +listType marker (atomic | set | map) */
  lt?: string;
  /** +listMapKey markers */
  lk?: string[];
  /** +mapType marker (atomic | granular) */
  mt?: string;
  /** +structType marker on the field */
  st?: string;
}
interface SmpTable {
  kinds: Record<string, string>;
  types: Record<string, { f: Record<string, SmpFieldMeta>; st?: string }>;
}

/** One node of the patch-metadata schema. */
export interface SmpSchemaLookup {
  /** The type reference this node describes. */
  readonly type: string;
  /** Metadata of a struct field, or of the values of a map; undefined when unknown. */
  field(name: string): SmpFieldMeta | undefined;
  /** The node for another type reference (e.g. a field's `t`). */
  node(type: string): SmpSchemaLookup;
  /** The element node of a list type, the value node of a map type; "any" otherwise. */
  elem(): SmpSchemaLookup;
  /** The kind of value this node expects. */
  shape(): 'object' | 'array' | 'string' | 'int' | 'number' | 'bool' | 'scalar' | 'any';
  /** +structType of a struct node. */
  structType(): string | undefined;
}

let table: SmpTable | undefined;
function load(): SmpTable {
  if (!table) table = createRequire(import.meta.url)('./smp-meta.generated.json') as SmpTable;
  return table;
}

const nodes = new Map<string, SmpNode>();

class SmpNode implements SmpSchemaLookup {
  readonly type: string;
  /** Looked up on first use: UNTYPED is made as this module loads, and the table (~220 KB of JSON,
   * ~3 ms to parse) is not needed before the first patch or managed-fields update. */
  private looked = false;
  private own: Record<string, SmpFieldMeta> | undefined;
  constructor(type: string) {
    this.type = type;
  }
  private get fields(): Record<string, SmpFieldMeta> | undefined {
    if (!this.looked) { this.own = load().types[this.type]?.f; this.looked = true; }
    return this.own;
  }
  field(name: string): SmpFieldMeta | undefined {
    if (this.fields) return Object.hasOwn(this.fields, name) ? this.fields[name] : undefined;
    if (this.type.startsWith('map[]')) return { t: this.type.slice(5) };
    return undefined;
  }
  node(type: string): SmpSchemaLookup { return nodeFor(type); }
  elem(): SmpSchemaLookup {
    if (this.type.startsWith('[]')) return nodeFor(this.type.slice(2));
    if (this.type.startsWith('map[]')) return nodeFor(this.type.slice(5));
    return nodeFor('any');
  }
  shape(): ReturnType<SmpSchemaLookup['shape']> {
    if (this.fields || this.type.startsWith('map[]')) return 'object';
    if (this.type.startsWith('[]')) return 'array';
    switch (this.type) {
      case 'string': case 'int': case 'number': case 'bool': case 'scalar': return this.type;
      default: return 'any';
    }
  }
  structType(): string | undefined { return load().types[this.type]?.st; }
}

export function nodeFor(type: string): SmpSchemaLookup {
  let n = nodes.get(type);
  if (!n) { n = new SmpNode(type); nodes.set(type, n); }
  return n;
}

/** Patch metadata for a built-in kind; undefined for kinds without Go types (custom resources). */
export function smpSchemaFor(group: string, version: string, kind: string): SmpSchemaLookup | undefined {
  const key = load().kinds[`${group}/${version}/${kind}`];
  return key ? nodeFor(key) : undefined;
}

/** The schema used for objects without metadata: maps merge, lists are replaced. */
export const UNTYPED: SmpSchemaLookup = nodeFor('any');
