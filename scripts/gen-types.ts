// Generates src/types/generated.ts: TypeScript interfaces for every served built-in kind and every type it
// references, from the same committed upstream OpenAPI v3 documents (src/openapi/openapi.bin) that
// src/schema/builtin.ts turns into structural schemas at run time.
//
//   node scripts/gen-types.ts          (no network; the output is committed, test/types checks it is current)
//
// Mapping: a component schema with properties becomes an interface named like the Go type (`PodSpec`);
// `required` properties are non-optional, the rest optional. When two groups define the same Go name
// (core v1 Event and events.k8s.io v1 Event, the two HorizontalPodAutoscaler versions), core v1 and
// apimachinery keep the bare name and the others are prefixed with group and version
// (`EventsV1Event`, `AutoscalingV2HorizontalPodAutoscaler`). Quantity and IntOrString are `string | number`,
// Time, MicroTime and Duration are strings, maps are `Record<string, T>`, and schema-less values
// (RawExtension, apiextensions JSON) are `unknown` so that reading them needs a check.
//
// One deliberate departure from the schema: `metadata` of a kind is non-optional, because every object
// the store hands to a controller, the scheduler or the kubelet has it (KObject says the same).

import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openapiV3Document } from '../src/openapi/index.ts';
import { RESOURCES } from '../src/registry/resources.ts';
import { refOf } from '../src/schema/builtin.ts';

type Json = any;
export const OUTPUT = new URL('../src/types/generated.ts', import.meta.url);

/** apimachinery types with their own JSON form: component → [TS name, TS type]. */
const SPECIAL: Record<string, [string, string]> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': ['Quantity', 'string | number'],
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': ['IntOrString', 'string | number'],
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': ['Time', 'string'],
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': ['MicroTime', 'string'],
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration': ['Duration', 'string'],
  'io.k8s.apimachinery.pkg.runtime.RawExtension': ['RawExtension', 'unknown'],
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': ['FieldsV1', 'Record<string, unknown>'],
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': ['Patch', 'unknown'],
};

function docPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The served kinds (and subresource kinds such as Scale, Eviction, TokenRequest) by group-version. */
function servedKinds(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (g: string, v: string, k: string) => {
    const p = docPath(g, v);
    if (!out.has(p)) out.set(p, new Set());
    out.get(p)!.add(k);
  };
  for (const r of RESOURCES) {
    add(r.group, r.version, r.kind);
    for (const s of r.subresources) add(s.group ?? r.group, s.version ?? r.version, s.kind);
  }
  return out;
}

/** `io.k8s.api.autoscaling.v2.X` → `AutoscalingV2`; `io.k8s.api.rbac.v1.X` → `RbacV1`. */
function groupPrefix(component: string): string {
  const parts = component.split('.');
  const version = parts[parts.length - 2];
  const group = parts[parts.length - 3];
  const cap = (s: string) => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());
  return cap(group) + cap(version);
}

interface Collected { comps: Map<string, Json>; roots: Set<string> }

/** Every component reachable from a served kind, across all group-version documents. */
function collect(): Collected {
  const comps = new Map<string, Json>();
  const roots = new Set<string>();
  for (const [path, kinds] of [...servedKinds()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const doc = openapiV3Document(path);
    if (!doc) continue;
    const schemas: Record<string, Json> = JSON.parse(doc.body.toString('utf8')).components?.schemas ?? {};
    const [, group = '', version = path.split('/')[1]] = path.startsWith('apis/') ? path.split('/') : [];
    const visit = (name: string) => {
      if (comps.has(name) || SPECIAL[name]) return;
      const s = schemas[name];
      if (s === undefined) throw new Error(`${path}: missing component ${name}`);
      comps.set(name, s);
      walk(s);
    };
    const walk = (s: Json): void => {
      if (s === null || typeof s !== 'object') return;
      const ref = refOf(s);
      if (ref) { visit(ref); return; }
      for (const v of Object.values(s.properties ?? {})) walk(v);
      if (s.items) walk(s.items);
      if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties);
    };
    for (const [name, s] of Object.entries(schemas)) {
      const gvk = (s?.['x-kubernetes-group-version-kind'] ?? []) as Json[];
      if (gvk.some((g) => (g.group ?? '') === group && g.version === version && kinds.has(g.kind))) {
        roots.add(name);
        visit(name);
      }
    }
  }
  return { comps, roots };
}

/** Component → TS name: the Go name, prefixed by group and version where two groups share it. */
function names(components: string[]): Map<string, string> {
  const byShort = new Map<string, string[]>();
  for (const c of components) {
    const short = c.split('.').pop()!;
    byShort.set(short, [...(byShort.get(short) ?? []), c]);
  }
  const out = new Map<string, string>();
  const special = new Set(Object.values(SPECIAL).map(([n]) => n));
  for (const [short, list] of byShort) {
    const preferred = list.filter((c) => c.startsWith('io.k8s.api.core.v1.') || c.startsWith('io.k8s.apimachinery.'));
    for (const c of list) {
      const bare = (list.length === 1 || (preferred.length === 1 && preferred[0] === c)) && !special.has(short);
      out.set(c, bare ? short : groupPrefix(c) + short);
    }
  }
  const seen = new Set<string>();
  for (const n of out.values()) { if (seen.has(n)) throw new Error(`name clash: ${n}`); seen.add(n); }
  return out;
}

const KEY = /^[A-Za-z_$][\w$]*$/;

class Emitter {
  private readonly names: Map<string, string>;
  constructor(names: Map<string, string>) { this.names = names; }

  type(s: Json): string {
    const ref = refOf(s);
    if (ref) return SPECIAL[ref]?.[0] ?? this.names.get(ref)!;
    if (s === null || typeof s !== 'object') return 'unknown';
    if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') return 'IntOrString';
    switch (s.type) {
      case 'string': return 'string';
      case 'integer': case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'array': return `${this.wrap(this.type(s.items))}[]`;
      case 'object':
        if (s.additionalProperties && typeof s.additionalProperties === 'object') return `Record<string, ${this.type(s.additionalProperties)}>`;
        if (s.properties) return this.inline(s);
        return 'Record<string, unknown>';
      default: return 'unknown';
    }
  }

  private wrap(t: string): string { return /[|&]/.test(t) ? `(${t})` : t; }

  private inline(s: Json): string {
    return `{ ${this.fields(s, false).map((l) => l.trim()).join(' ')} }`;
  }

  fields(s: Json, kind: boolean): string[] {
    const required = new Set<string>(Array.isArray(s.required) ? s.required : []);
    if (kind) required.add('metadata');
    return Object.keys(s.properties ?? {}).sort().map((k) => {
      const key = KEY.test(k) ? k : JSON.stringify(k);
      return `  ${key}${required.has(k) ? '' : '?'}: ${this.type(s.properties[k])};`;
    });
  }
}

/** The text of src/types/generated.ts. */
export function generateTypes(): string {
  const { comps, roots } = collect();
  const order = [...comps.keys()].sort();
  const nm = names(order);
  const em = new Emitter(nm);
  const out: string[] = [
    '// GENERATED by scripts/gen-types.ts from the upstream Kubernetes v1.32.4 OpenAPI v3 documents in',
    '// src/openapi (the same definitions src/schema/builtin.ts builds structural schemas from). Do not edit;',
    '// run `node scripts/gen-types.ts`. Every served built-in kind and every type it references.',
    '/* eslint-disable */',
    '',
  ];
  for (const [, [name, ts]] of Object.entries(SPECIAL).sort(([, [a]], [, [b]]) => (a < b ? -1 : 1))) out.push(`export type ${name} = ${ts};`);
  for (const c of order) {
    const s = comps.get(c);
    const name = nm.get(c)!;
    out.push('');
    out.push(`/** ${c} */`);
    if (s?.type === 'object' && s.properties) {
      out.push(`export interface ${name} {`, ...em.fields(s, roots.has(c)), '}');
    } else {
      out.push(`export type ${name} = ${em.type({ ...s, properties: undefined })};`);
    }
  }
  return out.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generateTypes();
  mkdirSync(new URL('.', OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, text);
  console.log(`wrote ${fileURLToPath(OUTPUT)} (${text.length} bytes, ${(text.match(/^export /gm) ?? []).length} types)`);
}
