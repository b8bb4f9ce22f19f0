// Structural schemas of the built-in kinds, derived at run time from the upstream OpenAPI v3 documents
// Skiff already commits (src/openapi: Kubernetes v1.32.4, made by openapi/generate.ts). Nothing is
// loaded at start-up: the first write of a kind inflates and parses its group-version document (a few
// ms; core v1 is the largest), converts the schemas of every kind that document serves into
// StructuralSchema nodes (about 1 MB of heap for all kinds), and drops the document. Converted nodes are cached per group-version and shared, so the
// recursive ones (JSONSchemaProps inside CustomResourceDefinition) become cyclic graphs; the engine
// (decode.ts) walks data, not schemas, so a cycle costs nothing.
//
// Besides the JSON-schema fields, each node carries the Go type encoding/json names in its errors
// (goType, goStruct) and, for apimachinery types that marshal themselves, `special`.
import { openapiV3Document } from '../openapi/index.ts';
import type { SchemaType, SpecialType, StructuralSchema } from './types.ts';
import { goTypeOf, primitiveGoType } from './gotype.ts';

type Json = any;
const PREFIX = '#/components/schemas/';

/** Named apimachinery types with their own JSON form. */
const SPECIAL: Record<string, { special: SpecialType; goType: string }> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { special: 'Quantity', goType: 'resource.Quantity' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { special: 'IntOrString', goType: 'intstr.IntOrString' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { special: 'Time', goType: 'v1.Time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { special: 'MicroTime', goType: 'v1.MicroTime' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration': { special: 'Duration', goType: 'v1.Duration' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { special: 'RawExtension', goType: 'runtime.RawExtension' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { special: 'FieldsV1', goType: 'v1.FieldsV1' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { special: 'RawExtension', goType: 'v1.Patch' },
};

interface GvSchemas {
  /** `Kind` → component name of the kind's root schema (from x-kubernetes-group-version-kind). */
  kinds: Map<string, string>;
  /** component name → converted node (filled lazily). */
  nodes: Map<string, StructuralSchema>;
  /** The parsed components while a conversion runs; released afterwards. */
  components?: Record<string, Json>;
}

const byDoc = new Map<string, GvSchemas>();

function docPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function components(path: string, gv: GvSchemas): Record<string, Json> {
  if (!gv.components) {
    const doc = openapiV3Document(path);
    gv.components = doc ? (JSON.parse(doc.body.toString('utf8')).components?.schemas ?? {}) : {};
  }
  return gv.components!;
}

function gvSchemas(path: string): GvSchemas {
  let gv = byDoc.get(path);
  if (gv) return gv;
  gv = { kinds: new Map(), nodes: new Map() };
  const comps = components(path, gv);
  const [, group = '', version = path.split('/')[1]] = path.startsWith('apis/') ? path.split('/') : [];
  for (const [name, s] of Object.entries(comps)) {
    for (const g of (s?.['x-kubernetes-group-version-kind'] ?? []) as Json[]) {
      if ((g.group ?? '') === group && g.version === version && !gv.kinds.has(g.kind)) gv.kinds.set(g.kind, name);
    }
  }
  byDoc.set(path, gv);
  return gv;
}

/** The component a schema refers to (`$ref`, or a lone `allOf` of one), without the components prefix. */
export function refOf(s: Json): string | undefined {
  const ref = s?.$ref ?? (Array.isArray(s?.allOf) && s.allOf.length === 1 ? s.allOf[0]?.$ref : undefined);
  return typeof ref === 'string' && ref.startsWith(PREFIX) ? ref.slice(PREFIX.length) : undefined;
}

/** `io.k8s.api.core.v1.PodSpec` → `v1.PodSpec` (package and type name, as Go prints a named type). */
function goName(component: string): string {
  const parts = component.split('.');
  return parts.slice(-2).join('.');
}

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

class Converter {
  private readonly gv: GvSchemas;
  private readonly comps: Record<string, Json>;
  constructor(gv: GvSchemas, comps: Record<string, Json>) { this.gv = gv; this.comps = comps; }

  named(name: string): StructuralSchema {
    const hit = this.gv.nodes.get(name);
    if (hit) return hit;
    const sp = SPECIAL[name];
    if (sp) {
      const node: StructuralSchema = { special: sp.special, goType: sp.goType };
      if (sp.special === 'IntOrString') node['x-kubernetes-int-or-string'] = true;
      else if (sp.special === 'Time' || sp.special === 'MicroTime' || sp.special === 'Duration') { node.type = 'string'; node.format = sp.special === 'Duration' ? 'duration' : 'date-time'; }
      else if (sp.special === 'RawExtension' || sp.special === 'FieldsV1') node['x-kubernetes-preserve-unknown-fields'] = true;
      this.gv.nodes.set(name, node);
      return node;
    }
    const s = this.comps[name];
    // Registered before its children are converted, so self-references close the cycle.
    const node: StructuralSchema = {};
    this.gv.nodes.set(name, node);
    if (s === undefined) { node['x-kubernetes-preserve-unknown-fields'] = true; return node; }
    this.fill(node, s);
    if (node.type === 'object' && node.properties) {
      node.goType = goName(name);
      node.goStruct = name.split('.').pop();
    } else if (node.type === 'object' && !node.additionalProperties && !node['x-kubernetes-preserve-unknown-fields']) {
      // A struct without fields (e.g. CustomResourceSubresourceStatus): any key in it is unknown.
      node.properties = {};
      node.goType = goName(name);
      node.goStruct = name.split('.').pop();
    }
    return node;
  }

  convert(s: Json): StructuralSchema {
    const ref = refOf(s);
    if (ref) return this.named(ref);
    const node: StructuralSchema = {};
    this.fill(node, s);
    return node;
  }

  private fill(node: StructuralSchema, s: Json): void {
    if (s === null || typeof s !== 'object') { node['x-kubernetes-preserve-unknown-fields'] = true; return; }
    if (TYPES.has(s.type)) node.type = s.type as SchemaType;
    if (typeof s.format === 'string') node.format = s.format;
    if (s.nullable === true) node.nullable = true;
    if (s['x-kubernetes-preserve-unknown-fields'] === true) node['x-kubernetes-preserve-unknown-fields'] = true;
    if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') node['x-kubernetes-int-or-string'] = true;
    if (s['x-kubernetes-embedded-resource'] === true) node['x-kubernetes-embedded-resource'] = true;
    for (const k of ['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type'] as const) if (s[k] !== undefined) (node as Json)[k] = s[k];
    if (Array.isArray(s.required)) node.required = s.required;
    if (node.type === undefined && !node['x-kubernetes-int-or-string']) {
      // No type (apiextensions JSON, JSONSchemaPropsOr*): any value.
      node['x-kubernetes-preserve-unknown-fields'] = true;
      return;
    }
    if (node.type === 'object') {
      if (s.properties && typeof s.properties === 'object') {
        const props: Record<string, StructuralSchema> = Object.create(null);
        for (const [k, v] of Object.entries(s.properties as Record<string, Json>)) props[k] = this.convert(v);
        node.properties = props;
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        node.additionalProperties = this.convert(s.additionalProperties);
        node.goType = `map[string]${goTypeOf(node.additionalProperties)}`;
      } else if (s.additionalProperties === true) {
        node.additionalProperties = true;
      } else if (!node.properties) {
        node['x-kubernetes-preserve-unknown-fields'] = true;
      }
    } else if (node.type === 'array') {
      if (s.items) {
        node.items = this.convert(s.items);
        // Computed lazily (goTypeOf) when an item is a named node still being filled in.
      }
    } else {
      node.goType = primitiveGoType(node.type, node.format);
    }
  }
}

function convertIn(path: string, name: string): StructuralSchema {
  const gv = gvSchemas(path);
  const hit = gv.nodes.get(name);
  if (hit) { gv.components = undefined; return hit; }
  try {
    const conv = new Converter(gv, components(path, gv));
    const node = conv.named(name);
    // While the document is parsed, convert every kind it serves (they share most definitions, and
    // converting is cheap next to parsing): the parsed document can then be released for good.
    for (const kindName of gv.kinds.values()) conv.named(kindName);
    return node;
  } finally {
    gv.components = undefined;
  }
}

/**
 * The structural schema of a built-in kind (`apps`, `v1`, `Deployment`), or undefined when Skiff has no
 * upstream definition for it. Also serves kinds that appear only in request bodies (Scale in
 * autoscaling/v1, Eviction in policy/v1, Binding in v1) when their group-version document has them.
 */
export function builtinSchema(group: string, version: string, kind: string): StructuralSchema | undefined {
  const path = docPath(group, version);
  if (!openapiV3Document(path)) return undefined;
  const name = gvSchemas(path).kinds.get(kind);
  if (!name) { byDoc.get(path)!.components = undefined; return undefined; }
  return convertIn(path, name);
}

/** A named component schema of a group-version document (e.g. a Scale inside apps/v1). */
export function builtinComponent(group: string, version: string, component: string): StructuralSchema | undefined {
  const path = docPath(group, version);
  if (!openapiV3Document(path)) return undefined;
  const node = convertIn(path, component);
  return node['x-kubernetes-preserve-unknown-fields'] && !node.type ? undefined : node;
}
