// Generator for src/patch/smp-meta.generated.json: the patch metadata of every built-in Go type.
//
// It reads the Go sources of k8s.io/api, k8s.io/apimachinery (meta/v1), k8s.io/apiextensions-apiserver
// and k8s.io/kube-aggregator at v0.32.4 (fetched with `go mod download -json`) and extracts, per Go
// struct: each field's JSON name, its type (followed through pointers, slices, maps and named types),
// the `patchStrategy` / `patchMergeKey` struct tags that strategic merge patch uses, and the
// `+listType`, `+listMapKey`, `+mapType`, `+structType` markers that server-side apply uses.
// Embedded (`json:",inline"`) structs are flattened into their parent.
//
// Run: node src/patch/gen-smp-meta.ts   (needs Go and the module proxy; output is committed)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SmpFieldMeta } from './schema.ts';

const VERSION = 'v0.32.4';

/** Type references in the table:
 *  - a struct: its key, e.g. "core/v1.PodSpec"
 *  - "[]X" a list of X, "map[]X" a map from string to X
 *  - "string" | "int" | "number" | "bool" scalars; "scalar" for types serialised as a JSON scalar
 *    (Quantity, IntOrString, Time, …); "any" for free-form JSON (RawExtension, FieldsV1, JSON, …). */
type FieldMeta = SmpFieldMeta;
export interface TypeMeta { f: Record<string, FieldMeta>; st?: string }

interface RawField { name: string; json: string; inline: boolean; type: string; tags: Record<string, string>; markers: Record<string, string[]> }
interface RawType { key: string; kind: 'struct' | 'alias'; fields?: RawField[]; underlying?: string; markers: Record<string, string[]>; pkg: string; imports: Record<string, string> }

function goModDir(mod: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${mod}@${VERSION}`], { encoding: 'utf8', cwd: '/tmp' });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${mod}: ${info.Error ?? 'no Dir'}`);
  return info.Dir;
}

/** Go import path → the short package key used in the table. */
function shortPkg(importPath: string): string | undefined {
  let m = /^k8s\.io\/api\/(.+)$/.exec(importPath);
  if (m) return m[1];
  if (importPath === 'k8s.io/apimachinery/pkg/apis/meta/v1') return 'meta/v1';
  m = /^k8s\.io\/apiextensions-apiserver\/pkg\/apis\/(apiextensions\/v1)$/.exec(importPath);
  if (m) return m[1];
  m = /^k8s\.io\/kube-aggregator\/pkg\/apis\/(apiregistration\/v1)$/.exec(importPath);
  if (m) return m[1];
  return undefined;
}

/** Types with custom JSON encodings: they look like structs in Go but are scalars or free-form on the wire. */
const SPECIAL: Record<string, string> = {
  'k8s.io/apimachinery/pkg/api/resource.Quantity': 'scalar',
  'k8s.io/apimachinery/pkg/util/intstr.IntOrString': 'scalar',
  'k8s.io/apimachinery/pkg/runtime.RawExtension': 'any',
  'k8s.io/apimachinery/pkg/runtime.Object': 'any',
  'k8s.io/apimachinery/pkg/types.UID': 'string',
  'k8s.io/apimachinery/pkg/types.NodeName': 'string',
  'meta/v1.Time': 'scalar',
  'meta/v1.MicroTime': 'scalar',
  'meta/v1.Duration': 'scalar',
  'meta/v1.FieldsV1': 'any',
  'apiextensions/v1.JSON': 'any',
  'apiextensions/v1.JSONSchemaPropsOrArray': 'any',
  'apiextensions/v1.JSONSchemaPropsOrBool': 'any',
  'apiextensions/v1.JSONSchemaPropsOrStringArray': 'any',
  'apiextensions/v1.JSONSchemaDefinitions': 'map[]apiextensions/v1.JSONSchemaProps',
  'apiextensions/v1.JSONSchemaDependencies': 'map[]any',
};

const PRIMS: Record<string, string> = {
  string: 'string', bool: 'bool', byte: 'int', int: 'int', int8: 'int', int16: 'int', int32: 'int', int64: 'int',
  uint: 'int', uint8: 'int', uint16: 'int', uint32: 'int', uint64: 'int', float32: 'number', float64: 'number',
  'interface{}': 'any', any: 'any',
};

function parseTags(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+):"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]] = m[2];
  return out;
}

function addMarker(markers: Record<string, string[]>, line: string): void {
  const m = /^\+(listType|listMapKey|mapType|structType)=(\S+)/.exec(line);
  if (m) (markers[m[1]] ??= []).push(m[2]);
}

function parseFile(file: string, pkg: string, types: Map<string, RawType>): void {
  const src = readFileSync(file, 'utf8');
  const imports: Record<string, string> = {};
  for (const m of src.matchAll(/^(?:import)?\s*(?:(\w+)\s+)?"([^"]+)"\s*$/gm)) {
    const path = m[2];
    imports[m[1] ?? path.split('/').pop()!] = path;
  }
  const lines = src.split('\n');
  let pending: Record<string, string[]> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const c = /^\/\/\s*(.*)$/.exec(line);
    if (c) { addMarker(pending, c[1]); continue; }
    const empty = /^type (\w+) struct\s*\{\s*\}/.exec(line);
    if (empty) {
      types.set(`${pkg}.${empty[1]}`, { key: `${pkg}.${empty[1]}`, kind: 'struct', fields: [], markers: pending, pkg, imports });
      pending = {};
      continue;
    }
    const st = /^type (\w+) struct \{\s*$/.exec(line);
    if (st) {
      const fields: RawField[] = [];
      let fm: Record<string, string[]> = {};
      let depth = 0;
      for (i++; i < lines.length && !(depth === 0 && /^\}/.test(lines[i])); i++) {
        const l = lines[i];
        if (depth > 0) { if (/^\t\}/.test(l)) depth--; continue; }
        const cm = /^\t\/\/\s*(.*)$/.exec(l);
        if (cm) { addMarker(fm, cm[1]); continue; }
        if (/^\s*$/.test(l)) { continue; }
        if (/^\t\/\*/.test(l)) { while (i < lines.length && !lines[i].includes('*/')) i++; continue; }
        const f = /^\t(\w+)\s+([^\s`]+)\s*(?:`([^`]*)`)?/.exec(l);
        const e = /^\t([\w.*]+)\s*(?:`([^`]*)`)?\s*(?:\/\/.*)?$/.exec(l);
        if (f && !e) {
          if (f[2].endsWith('{')) { depth++; fm = {}; continue; }
          const tags = parseTags(f[3] ?? '');
          const json = (tags.json ?? f[1]).split(',');
          if (json[0] === '-') { fm = {}; continue; }
          fields.push({ name: f[1], json: json[0] || f[1], inline: json.includes('inline'), type: f[2], tags, markers: fm });
        } else if (e) {
          const tags = parseTags(e[2] ?? '');
          const json = (tags.json ?? '').split(',');
          if (json[0] === '-') { fm = {}; continue; }
          const inline = json[0] === '' ; // embedded without a name is inlined by encoding/json
          fields.push({ name: e[1].replace(/^\*/, '').split('.').pop()!, json: json[0] || e[1].replace(/^\*/, '').split('.').pop()!, inline, type: e[1], tags, markers: fm });
        } else {
          process.stderr.write(`skipped line in ${file}: ${l}\n`);
        }
        fm = {};
      }
      types.set(`${pkg}.${st[1]}`, { key: `${pkg}.${st[1]}`, kind: 'struct', fields, markers: pending, pkg, imports });
      pending = {};
      continue;
    }
    const al = /^type (\w+) (?:= )?([^\s{]+)\s*(?:\/\/.*)?$/.exec(line);
    if (al && al[2] !== 'interface') {
      types.set(`${pkg}.${al[1]}`, { key: `${pkg}.${al[1]}`, kind: 'alias', underlying: al[2], markers: pending, pkg, imports });
    }
    if (!/^\s*$/.test(line)) pending = {};
  }
}

function parsePackage(dir: string, pkg: string, types: Map<string, RawType>): string | undefined {
  let group: string | undefined;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.go') || name.endsWith('_test.go') || name.startsWith('zz_generated') || name.includes('generated')) continue;
    const file = join(dir, name);
    if (name === 'register.go') {
      const m = /const GroupName = "([^"]*)"/.exec(readFileSync(file, 'utf8'));
      if (m) group = m[1];
    }
    parseFile(file, pkg, types);
  }
  return group;
}

function main(): void {
  const types = new Map<string, RawType>();
  const groups = new Map<string, string>(); // pkg → group
  const apiDir = goModDir('k8s.io/api');
  for (const g of readdirSync(apiDir)) {
    const gd = join(apiDir, g);
    if (!statSync(gd).isDirectory()) continue;
    for (const v of readdirSync(gd)) {
      const vd = join(gd, v);
      if (!statSync(vd).isDirectory() || !/^v\d/.test(v)) continue;
      const grp = parsePackage(vd, `${g}/${v}`, types);
      if (grp !== undefined) groups.set(`${g}/${v}`, grp);
    }
  }
  const mach = goModDir('k8s.io/apimachinery');
  parsePackage(join(mach, 'pkg/apis/meta/v1'), 'meta/v1', types);
  const ext = goModDir('k8s.io/apiextensions-apiserver');
  const eg = parsePackage(join(ext, 'pkg/apis/apiextensions/v1'), 'apiextensions/v1', types);
  if (eg !== undefined) groups.set('apiextensions/v1', eg);
  const agg = goModDir('k8s.io/kube-aggregator');
  const ag = parsePackage(join(agg, 'pkg/apis/apiregistration/v1'), 'apiregistration/v1', types);
  if (ag !== undefined) groups.set('apiregistration/v1', ag);

  // Resolve a Go type expression written in package `pkg` to a table type reference.
  const resolve = (expr: string, from: RawType, seen = new Set<string>()): string => {
    expr = expr.replace(/^\*/, '');
    if (expr === '[]byte') return 'string';
    if (expr.startsWith('[]')) return '[]' + resolve(expr.slice(2), from, seen);
    const mm = /^map\[[^\]]+\](.+)$/.exec(expr);
    if (mm) return 'map[]' + resolve(mm[1], from, seen);
    if (PRIMS[expr]) return PRIMS[expr];
    let key: string;
    const dot = expr.indexOf('.');
    if (dot > 0) {
      const alias = expr.slice(0, dot);
      const path = from.imports[alias];
      if (!path) throw new Error(`unknown import ${alias} in ${from.key}`);
      const sp = shortPkg(path);
      key = sp ? `${sp}.${expr.slice(dot + 1)}` : `${path}.${expr.slice(dot + 1)}`;
    } else key = `${from.pkg}.${expr}`;
    if (SPECIAL[key]) return SPECIAL[key];
    const t = types.get(key);
    if (!t) throw new Error(`unknown type ${key} (from ${from.key})`);
    if (t.kind === 'struct') return key;
    if (seen.has(key)) throw new Error(`alias cycle at ${key}`);
    seen.add(key);
    return resolve(t.underlying!, t, seen);
  };

  const out: Record<string, TypeMeta> = {};
  const build = (key: string): TypeMeta => {
    if (out[key]) return out[key];
    const t = types.get(key)!;
    const meta: TypeMeta = { f: {} };
    out[key] = meta;
    if (t.markers.structType) meta.st = t.markers.structType[0];
    for (const f of t.fields!) {
      const ref = resolve(f.type, t);
      if (f.inline) {
        if (ref === 'any' || ref === 'scalar') continue;
        const inner = build(ref);
        Object.assign(meta.f, inner.f);
        continue;
      }
      const fm: FieldMeta = { t: ref };
      if (f.tags.patchStrategy) fm.ps = f.tags.patchStrategy;
      if (f.tags.patchMergeKey) fm.mk = f.tags.patchMergeKey;
      // markers may sit on the field or on the named type it refers to
      const named = /^\*?(\[\])?(\w+)$/.exec(f.type);
      const nt = named ? types.get(`${t.pkg}.${named[2]}`) : undefined;
      const tm = nt && nt.kind === 'alias' ? nt.markers : {};
      const mk = (n: string) => f.markers[n] ?? (tm as Record<string, string[]>)[n];
      if (mk('listType')) fm.lt = mk('listType')![0];
      if (mk('listMapKey')) fm.lk = mk('listMapKey');
      if (mk('mapType')) fm.mt = mk('mapType')![0];
      if (mk('structType')) fm.st = mk('structType')![0];
      meta.f[f.json] = fm;
    }
    return meta;
  };
  for (const [key, t] of types) if (t.kind === 'struct' && !SPECIAL[key]) build(key);

  // (group, version, kind) → Go type for every struct with TypeMeta in a package with a GroupName.
  const kinds: Record<string, string> = {};
  for (const [key, t] of types) {
    if (t.kind !== 'struct' || SPECIAL[key]) continue;
    const grp = groups.get(t.pkg);
    if (grp === undefined) continue;
    if (!t.fields!.some((f) => f.inline && /(^|\.)TypeMeta$/.test(f.type))) continue;
    const version = t.pkg.split('/')[1];
    kinds[`${grp}/${version}/${key.slice(t.pkg.length + 1)}`] = key;
  }
  // Types only reachable from served kinds keep the table small.
  const keep = new Set<string>();
  const visit = (ref: string): void => {
    while (ref.startsWith('[]') || ref.startsWith('map[]')) ref = ref.startsWith('[]') ? ref.slice(2) : ref.slice(5);
    if (!out[ref] || keep.has(ref)) return;
    keep.add(ref);
    for (const f of Object.values(out[ref].f)) visit(f.t);
  };
  for (const k of Object.values(kinds)) visit(k);
  const table: Record<string, TypeMeta> = {};
  for (const k of [...keep].sort()) table[k] = out[k];

  const here = dirname(fileURLToPath(import.meta.url));
  const lines = [
    '{',
    `"comment":"Generated by src/patch/gen-smp-meta.ts from the Go struct tags and markers of k8s.io/api, k8s.io/apimachinery (meta/v1), k8s.io/apiextensions-apiserver and k8s.io/kube-aggregator ${VERSION}. Do not edit.",`,
    `"kinds":${JSON.stringify(Object.fromEntries(Object.entries(kinds).sort()))},`,
    '"types":{',
    Object.entries(table).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n'),
    '}}',
  ];
  writeFileSync(join(here, 'smp-meta.generated.json'), lines.join('\n') + '\n');
  process.stdout.write(`${Object.keys(kinds).length} kinds, ${Object.keys(table).length} types\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
