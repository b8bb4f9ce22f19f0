// Generates src/protobuf/schema.generated.json (and kinds.generated.json, its kinds alone) from the upstream Kubernetes protobuf definitions.
//
//   node scripts/gen-proto.ts            (needs Go and access to the Go module proxy)
//
// Sources, fetched with `go mod download -json`:
//   k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver, k8s.io/kube-aggregator (all v0.32.4)
//
// The wire layout (message names, field numbers, wire types, repeated/map) comes from each
// package's generated.proto. The JSON side of each field (json name, omitempty, pointer, inline)
// is not in the .proto file, so it is read from the `json:"..."` / `protobuf:"..."` struct tags of
// the Go types in the same package directory and joined to the proto field by field number.
// Every proto field must find its Go tag; the generator fails loudly otherwise, except for the
// handful of hand-coded apimachinery types the codec treats specially (Time, Quantity, ...).
//
// The committed output means users need neither Go nor network to build or run Skiff.

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESOURCES, gvString } from '../src/registry/resources.ts';

const VERSION = 'v0.32.4';
const MODULES = ['k8s.io/api', 'k8s.io/apimachinery', 'k8s.io/apiextensions-apiserver', 'k8s.io/kube-aggregator'];

/** Field flag bits in the generated table. */
export const F_REPEATED = 1, F_OMITEMPTY = 2, F_POINTER = 4, F_INLINE = 8;

/** Types the codec handles by hand: their proto fields need no JSON names. */
const SPECIAL = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Timestamp',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Fields',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.api.resource.QuantityValue',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
  'k8s.io.apimachinery.pkg.runtime.Unknown',
  'k8s.io.apimachinery.pkg.runtime.TypeMeta',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/** Go types declared as aliases of another struct (`type List metav1.List`): proto names equal json names. */
const ALIASES = new Set(['k8s.io.api.core.v1.List']);

const SCALARS = new Set(['string', 'bool', 'bytes', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float', 'sint32', 'sint64', 'fixed32', 'fixed64']);

interface ProtoField { name: string; number: number; type: string; repeated: boolean; map?: { key: string; value: string } }
interface ProtoMessage { fullName: string; pkg: string; name: string; fields: ProtoField[]; wrapper: boolean; dir: string }

interface GoField { json: string; omitempty: boolean; inline: boolean; pointer: boolean; number: number }

function goModDir(mod: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${mod}@${VERSION}`], { encoding: 'utf8', cwd: '/tmp' });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${mod}@${VERSION}: ${info.Error ?? 'no Dir'}`);
  return info.Dir;
}

function findProtos(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) findProtos(p, out);
    else if (e.name === 'generated.proto') out.push(p);
  }
  return out;
}

/** Stable GA packages only (no alpha/beta, no test groups). */
const wanted = (p: string) => !/\/v\d+(alpha|beta)\d*\//.test(p) && !p.includes('testapigroup');

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

function parseProto(file: string): ProtoMessage[] {
  const raw = readFileSync(file, 'utf8');
  const pkg = /^package\s+([\w.]+);/m.exec(raw)![1];
  const msgs: ProtoMessage[] = [];
  // Nullable wrappers (`// +protobuf.nullable=true` above `message X { repeated T items = 1; }`) are
  // Go slice types whose JSON form is the bare array.
  const wrappers = new Set<string>();
  for (const m of raw.matchAll(/\+protobuf\.nullable=true\s*\n(?:\/\/[^\n]*\n)*message\s+(\w+)/g)) wrappers.add(m[1]);
  const src = stripComments(raw);
  const re = /message\s+(\w+)\s*\{([^{}]*)\}/g;
  for (const m of src.matchAll(re)) {
    const name = m[1];
    const fields: ProtoField[] = [];
    for (const line of m[2].split(';')) {
      const l = line.trim();
      if (!l) continue;
      let fm = /^map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)$/.exec(l);
      if (fm) {
        fields.push({ name: fm[3], number: +fm[4], type: 'map', repeated: false, map: { key: fm[1], value: resolve(fm[2], pkg) } });
        continue;
      }
      fm = /^(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)(\s*\[[^\]]*\])?$/.exec(l);
      if (!fm) throw new Error(`${file}: cannot parse field in ${name}: ${l}`);
      fields.push({ name: fm[3], number: +fm[4], type: resolve(fm[2], pkg), repeated: fm[1] === 'repeated' });
    }
    msgs.push({ fullName: `${pkg}.${name}`, pkg, name, fields, wrapper: wrappers.has(name), dir: dirname(file) });
  }
  return msgs;
}

function resolve(t: string, pkg: string): string {
  if (SCALARS.has(t)) return t;
  if (t.startsWith('.')) return t.slice(1);
  return `${pkg}.${t}`;
}

/** Struct tags of every Go struct in a package directory: type name → proto field number → tag info. */
function parseGoTags(dir: string): Map<string, Map<number, GoField>> {
  const out = new Map<string, Map<number, GoField>>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.go') || f.endsWith('_test.go') || f.endsWith('.pb.go') || f.startsWith('zz_generated')) continue;
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    let current: string | null = null;
    let depth = 0;
    for (const line of lines) {
      const t = line.replace(/\/\/.*$/, '').trim();
      if (current === null) {
        const m = /^type\s+(\w+)\s+struct\s*\{\s*$/.exec(t);
        if (m) { current = m[1]; depth = 1; if (!out.has(current)) out.set(current, new Map()); }
        continue;
      }
      if (t.endsWith('{')) depth++;
      if (t === '}' || t.startsWith('}')) { depth--; if (depth === 0) { current = null; } continue; }
      if (depth !== 1) continue;
      const tm = /^(.*?)`([^`]*)`$/.exec(t);
      if (!tm) continue;
      const tags = tm[2];
      const pb = /protobuf:"([^"]*)"/.exec(tags);
      if (!pb || pb[1] === '-') continue;
      const parts = pb[1].split(',');
      const number = Number(parts[1]);
      if (!Number.isInteger(number)) continue;
      const js = /json:"([^"]*)"/.exec(tags);
      const jparts = js ? js[1].split(',') : [''];
      const decl = tm[1].trim().split(/\s+/);
      const goType = decl.length >= 2 ? decl.slice(1).join(' ') : decl[0];
      out.get(current)!.set(number, {
        json: jparts[0],
        omitempty: jparts.includes('omitempty'),
        inline: jparts.includes('inline') || (jparts[0] === '' && decl.length === 1),
        pointer: goType.startsWith('*'),
        number,
      });
    }
  }
  return out;
}

function groupToPkg(group: string, version: string): string {
  if (group === '') return `k8s.io.api.core.${version}`;
  if (group === 'apiextensions.k8s.io') return `k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.${version}`;
  if (group === 'apiregistration.k8s.io') return `k8s.io.kube_aggregator.pkg.apis.apiregistration.${version}`;
  return `k8s.io.api.${group.replace(/\.k8s\.io$/, '').split('.')[0]}.${version}`;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

function main(): void {
  const dirs = MODULES.map(goModDir);
  const messages = new Map<string, ProtoMessage>();
  for (const d of dirs) {
    for (const file of findProtos(d).filter(wanted)) {
      for (const m of parseProto(file)) messages.set(m.fullName, m);
    }
  }

  const tagCache = new Map<string, Map<string, Map<number, GoField>>>();
  const table: Record<string, [number, string, string, number][]> = {};
  const problems: string[] = [];
  const renamed: string[] = [];
  for (const m of [...messages.values()].sort((a, b) => a.fullName.localeCompare(b.fullName))) {
    if (!tagCache.has(m.dir)) tagCache.set(m.dir, parseGoTags(m.dir));
    const goTags = tagCache.get(m.dir)!.get(m.name);
    const special = SPECIAL.has(m.fullName);
    const rows: [number, string, string, number][] = [];
    for (const f of m.fields) {
      const type = f.map ? `map<${f.map.key},${f.map.value}>` : f.type;
      if (!SCALARS.has(f.type) && !f.map && !messages.has(f.type)) problems.push(`${m.fullName}.${f.name}: unknown type ${f.type}`);
      if (f.map && !SCALARS.has(f.map.value) && !messages.has(f.map.value)) problems.push(`${m.fullName}.${f.name}: unknown map value ${f.map.value}`);
      let flags = f.repeated ? F_REPEATED : 0;
      let json = f.name;
      const g = goTags?.get(f.number);
      if (g) {
        if (g.inline) { flags |= F_INLINE; json = ''; }
        else json = g.json || f.name;
        if (g.omitempty) flags |= F_OMITEMPTY;
        if (g.pointer) flags |= F_POINTER;
        if (!g.inline && json !== f.name) renamed.push(`${m.fullName}.${f.name} -> ${json}`);
      } else if (!special && !m.wrapper && !ALIASES.has(m.fullName)) {
        problems.push(`${m.fullName}.${f.name} (#${f.number}): no Go struct tag found`);
      }
      rows.push([f.number, json, type, flags]);
    }
    table[m.fullName] = rows;
  }

  // Kinds: every resource kind and its List, the subresource body kinds, plus extra body kinds.
  const kinds: Record<string, string> = {};
  const addKind = (group: string, version: string, kind: string) => {
    const full = `${groupToPkg(group, version)}.${kind}`;
    if (messages.has(full)) kinds[`${gvString({ group, version })}/${kind}`] = full;
    else problems.push(`kind ${group}/${version} ${kind}: no message ${full}`);
  };
  for (const r of RESOURCES) {
    addKind(r.group, r.version, r.kind);
    if (r.verbs.includes('list')) addKind(r.group, r.version, `${r.kind}List`);
    for (const s of r.subresources) {
      if (/Options$/.test(s.kind) && !messages.has(`${groupToPkg(s.group ?? r.group, s.version ?? r.version)}.${s.kind}`)) continue;
      addKind(s.group ?? r.group, s.version ?? r.version, s.kind);
    }
  }
  // meta/v1 kinds registered into every group version (metav1.AddToGroupVersion) and the unversioned ones.
  const metaKinds: Record<string, string> = {};
  for (const k of ['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'WatchEvent', 'Status',
    'APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions', 'List']) {
    if (!messages.has(`${META}.${k}`)) problems.push(`meta kind ${k} missing`);
    metaKinds[k] = `${META}.${k}`;
  }
  // Metadata-only answers (Accept ...;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1), which client-go's
  // metadata client asks for in protobuf first.
  for (const k of ['PartialObjectMetadata', 'PartialObjectMetadataList']) {
    if (!messages.has(`${META}.${k}`)) problems.push(`meta kind ${k} missing`);
    kinds[`meta.k8s.io/v1/${k}`] = `${META}.${k}`;
  }

  if (problems.length) {
    console.error(problems.join('\n'));
    throw new Error(`${problems.length} schema problems`);
  }

  const out = {
    comment: 'Generated by scripts/gen-proto.ts from generated.proto + Go struct tags of ' + MODULES.map((m) => `${m}@${VERSION}`).join(', ') + '. Do not edit.',
    flags: { repeated: F_REPEATED, omitempty: F_OMITEMPTY, pointer: F_POINTER, inline: F_INLINE },
    wrappers: [...messages.values()].filter((m) => m.wrapper).map((m) => m.fullName).sort(),
    kinds,
    metaKinds,
    messages: table,
  };
  const here = dirname(fileURLToPath(import.meta.url));
  const target = join(here, '..', 'src', 'protobuf', 'schema.generated.json');
  // One message per line keeps diffs readable while staying compact.
  const body = ['{',
    `"comment":${JSON.stringify(out.comment)},`,
    `"flags":${JSON.stringify(out.flags)},`,
    `"wrappers":${JSON.stringify(out.wrappers)},`,
    `"kinds":${JSON.stringify(out.kinds)},`,
    `"metaKinds":${JSON.stringify(out.metaKinds)},`,
    '"messages":{',
    Object.entries(table).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n'),
    '}}', ''].join('\n');
  writeFileSync(target, body);
  // The kinds alone (src/protobuf/schema.ts): what decoding a stored object needs, without the messages.
  const kindsTarget = join(here, '..', 'src', 'protobuf', 'kinds.generated.json');
  writeFileSync(kindsTarget, ['{',
    `"comment":${JSON.stringify('Generated by scripts/gen-proto.ts with schema.generated.json: its kinds and metaKinds alone, read before the whole table is needed. Do not edit.')},`,
    `"kinds":${JSON.stringify(out.kinds)},`,
    `"metaKinds":${JSON.stringify(out.metaKinds)}`,
    '}', ''].join('\n'));
  console.log(`wrote ${target}: ${Object.keys(table).length} messages, ${Object.keys(kinds).length} kinds, ${body.length} bytes`);
  console.log(`json names differing from proto names:\n  ${renamed.join('\n  ')}`);
  if (!existsSync(target)) throw new Error('write failed');
}

main();
