// A CRD version's structural schema seen as patch metadata, so server-side apply treats custom
// objects as typed: lists by x-kubernetes-list-type (atomic when unset, as upstream) and
// x-kubernetes-list-map-keys, maps and structs by x-kubernetes-map-type, metadata as ObjectMeta,
// and x-kubernetes-preserve-unknown-fields without properties as untyped.
import type { SmpFieldMeta, SmpSchemaLookup } from '../schema.ts';
import { nodeFor } from '../schema.ts';
import type { StructuralSchema } from '../../schema/types.ts';

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

class CrdTypes {
  private readonly schemas: StructuralSchema[] = [];
  private readonly ids = new Map<StructuralSchema, string>();

  /** The type reference of a schema node (registering object nodes under `crd:<n>`). */
  ref(s: unknown): string {
    if (!isObj(s)) return 'any';
    const sch = s as StructuralSchema;
    if (sch['x-kubernetes-int-or-string']) return 'scalar';
    switch (sch.type) {
      case 'string': return 'string';
      case 'integer': return 'int';
      case 'number': return 'number';
      case 'boolean': return 'bool';
      case 'array': return `[]${this.ref(sch.items)}`;
      case 'object': {
        if (isObj(sch.properties) && Object.keys(sch.properties).length) return this.id(sch);
        if (isObj(sch.additionalProperties)) return `map[]${this.ref(sch.additionalProperties)}`;
        if (sch.additionalProperties === true) return 'map[]any';
        return 'any';
      }
      default: return isObj(sch.properties) ? this.id(sch) : 'any';
    }
  }

  private id(s: StructuralSchema): string {
    let id = this.ids.get(s);
    if (!id) { id = `crd:${this.schemas.length}`; this.schemas.push(s); this.ids.set(s, id); }
    return id;
  }

  /** The root node (apiVersion, kind and metadata are typed there whatever the schema says). */
  rootNode: SmpSchemaLookup | undefined;
  private root = '';

  rootId(s: StructuralSchema): string {
    this.root = this.id(isObj(s) ? s : {});
    return this.root;
  }
  isRoot(type: string): boolean { return type === this.root; }

  schema(type: string): StructuralSchema | undefined {
    return type.startsWith('crd:') ? this.schemas[Number(type.slice(4))] : undefined;
  }

  fieldMeta(s: unknown): SmpFieldMeta {
    const meta: SmpFieldMeta = { t: this.ref(s) };
    if (!isObj(s)) return meta;
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'atomic' || lt === 'set' || lt === 'map') meta.lt = lt;
    if (Array.isArray(s['x-kubernetes-list-map-keys'])) meta.lk = s['x-kubernetes-list-map-keys'].filter((k: unknown): k is string => typeof k === 'string');
    if (s['x-kubernetes-map-type'] === 'atomic') {
      if (meta.t.startsWith('map[]')) meta.mt = 'atomic'; else meta.st = 'atomic';
    }
    return meta;
  }
}

class CrdNode implements SmpSchemaLookup {
  readonly type: string;
  private readonly types: CrdTypes;
  private readonly root: boolean;
  constructor(types: CrdTypes, type: string, root = false) { this.types = types; this.type = type; this.root = root; }

  field(name: string): SmpFieldMeta | undefined {
    if (this.root) {
      if (name === 'metadata') return { t: 'meta/v1.ObjectMeta' };
      if (name === 'apiVersion' || name === 'kind') return { t: 'string' };
    }
    const s = this.types.schema(this.type);
    if (s && isObj(s.properties) && Object.hasOwn(s.properties, name)) return this.types.fieldMeta(s.properties[name]);
    if (this.type.startsWith('map[]')) return { t: this.type.slice(5) };
    return undefined;
  }
  node(type: string): SmpSchemaLookup {
    if (this.types.isRoot(type) && this.types.rootNode) return this.types.rootNode;
    return type.startsWith('crd:') || type.startsWith('[]crd:') || type.startsWith('map[]crd:') ? new CrdNode(this.types, type) : nodeFor(type);
  }
  elem(): SmpSchemaLookup {
    if (this.type.startsWith('[]')) return this.node(this.type.slice(2));
    if (this.type.startsWith('map[]')) return this.node(this.type.slice(5));
    return nodeFor('any');
  }
  shape(): ReturnType<SmpSchemaLookup['shape']> {
    if (this.type.startsWith('crd:') || this.type.startsWith('map[]')) return 'object';
    if (this.type.startsWith('[]')) return 'array';
    return 'any';
  }
  structType(): string | undefined {
    const s = this.types.schema(this.type);
    return s?.['x-kubernetes-map-type'] === 'atomic' ? 'atomic' : undefined;
  }
}

const cache = new WeakMap<object, SmpSchemaLookup>();

/** Patch metadata for objects of a CRD version with this openAPIV3Schema. */
export function crdSchemaLookup(schema: StructuralSchema): SmpSchemaLookup {
  let n = cache.get(schema);
  if (!n) {
    const types = new CrdTypes();
    n = new CrdNode(types, types.rootId(schema), true);
    types.rootNode = n;
    cache.set(schema, n);
  }
  return n;
}
