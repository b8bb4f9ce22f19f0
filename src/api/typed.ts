// The schema step of every write of a built-in kind: the decoded body (create, update) or the patched
// result (every patch type) goes through the structural-schema engine (src/schema/decode.ts), which
// drops unknown fields and finds values of the wrong type. This file turns its findings into what
// upstream answers for each write path and fieldValidation mode:
//
// - create/update: a type error is 400 `<Kind> in version "<v>" cannot be handled as a <Kind>: json: …`;
//   unknown (and duplicate) fields are dropped (Ignore), dropped with one Warning each (Warn), or a 400
//   with the same prefix and `strict decoding error: unknown field "…"` (Strict).
// - JSON and merge patches: errors are 422 ` "" is invalid: patch: Invalid value: "<patched JSON>": …`.
// - strategic merge patches: the same 422, with the patch printed as Go's %+v prints a map and the
//   unstructured converter's wording for type errors.
// - server-side apply: the apply configuration is typed as structured-merge-diff does it; unknown fields
//   and type errors are refused whatever fieldValidation says (`failed to create typed patch object`).
import type { ServerResponse } from 'node:http';
import { errors, field } from '../errors.ts';
import type { SchemaTypeError } from '../schema/decode.ts';
import type { FieldValidationMode, StructuralSchema } from '../schema/types.ts';
import type { CustomInfo } from '../registry/custom/types.ts';
import { lazyModule } from '../util/lazy-module.ts';
import { yamlStrictMessage } from '../util/yaml.ts';
import { ByGvk } from '../util/by-gvk.ts';

// The schema engine and the built-in schemas load on the first write that needs them, not at start-up.
const builtin = lazyModule(new URL('../schema/builtin.ts', import.meta.url), () => import('../schema/builtin.ts'));
const decoder = lazyModule(new URL('../schema/decode.ts', import.meta.url), () => import('../schema/decode.ts'));
const customSchemas = lazyModule(new URL('../registry/custom/schema.ts', import.meta.url), () => import('../registry/custom/schema.ts'));

/** Loads the schema engine in the background, so the first write does not pay for loading it. */
export function preloadSchemaEngine(): Promise<void> {
  return Promise.all([builtin.load(), decoder.load()]).then(() => undefined);
}
const decodeThroughSchema: typeof import('../schema/decode.ts').decodeThroughSchema = (...a) => decoder.get().decodeThroughSchema(...a);

/** A kind; a resource served from a CRD (a ResourceInfo) also carries `custom`, whose schema is used. */
export interface Gvk { group: string; version: string; kind: string; custom?: CustomInfo }

const MODES = ['Ignore', 'Warn', 'Strict'];
const MAX_REPORTED = 100; // the strict decoder stops after 100 errors

/** The fieldValidation query parameter (default Warn, as upstream). */
export function validationMode(q: URLSearchParams): FieldValidationMode {
  const mode = q.get('fieldValidation') ?? 'Warn';
  if (!MODES.includes(mode)) throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(mode)}: supported values: "Ignore", "Warn", "Strict"`);
  return mode as FieldValidationMode;
}

/** Built-in kinds' schemas (null: the kind has none). */
const schemas = new ByGvk<StructuralSchema | null>();

/** A source of schemas for kinds that are not built in (custom resources): consulted on every write. */
export type SchemaSource = (gvk: Gvk) => StructuralSchema | undefined;
const sources: SchemaSource[] = [];

/**
 * Lets custom resources use these write paths' schema step: `source` answers for the kinds it serves.
 * Their schemas carry no Go types, so wrong types are left to value validation (which phrases them as
 * upstream does for custom resources); unknown fields are pruned, warned about or refused here.
 * Returns a function that removes the source.
 */
export function addSchemaSource(source: SchemaSource): () => void {
  sources.push(source);
  return () => { const i = sources.indexOf(source); if (i >= 0) sources.splice(i, 1); };
}

/** The structural schema of a kind: built in (looked up once per kind), else from a schema source. */
export function schemaOf(gvk: Gvk): StructuralSchema | undefined {
  if (gvk.custom) return customSchemas.get().customDecodeSchema(gvk.custom.version.schema);
  const s = schemas.get(gvk.group, gvk.version, gvk.kind, () => builtin.get().builtinSchema(gvk.group, gvk.version, gvk.kind) ?? null);
  if (s) return s;
  for (const source of sources) { const found = source(gvk); if (found) return found; }
  return undefined;
}

/** Type errors this step refuses: those with Go wording (built-in kinds). */
function goTypeError(errs: SchemaTypeError[]): SchemaTypeError | undefined {
  return errs.find((e) => e.goMessage !== undefined);
}

/** One `Warning: 299 - "…"` header per text; header values must be Latin-1, so the rest is \uXXXX-escaped. */
export function addWarnings(res: ServerResponse, texts: string[]): void {
  for (const w of texts.slice(0, MAX_REPORTED)) {
    res.appendHeader('Warning', `299 - ${JSON.stringify(w).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`);
  }
}

export function strictTexts(unknown: string[], duplicate: string[] = []): string[] {
  return [...unknown.map((p) => `unknown field ${JSON.stringify(p)}`), ...duplicate.map((p) => `duplicate field ${JSON.stringify(p)}`)].slice(0, MAX_REPORTED);
}

export function strictMessage(unknown: string[], duplicate: string[] = []): string {
  return `strict decoding error: ${strictTexts(unknown, duplicate).join(', ')}`;
}

/**
 * Create and update bodies (and subresource bodies of the same shape): returns the pruned, normalised
 * object, or throws upstream's 400. `duplicate` lists repeated keys of a JSON body (strict decoder paths).
 */
export function decodeBodyObject(obj: Record<string, any>, gvk: Gvk, mode: FieldValidationMode, res: ServerResponse, duplicate: string[] = [], schema = schemaOf(gvk), yamlDuplicates: string[] = []): Record<string, any> {
  const prefix = `${gvk.kind} in version ${JSON.stringify(gvk.version)} cannot be handled as a ${gvk.kind}: `;
  if (!schema) {
    reportYamlDuplicates(yamlDuplicates, mode, prefix, res);
    return obj;
  }
  const r = decodeThroughSchema(obj, schema, { mode });
  const typeError = goTypeError(r.typeErrors);
  if (typeError) throw errors.badRequest(prefix + goMessage(typeError));
  const seen = new Set(r.unknown);
  const dup = duplicate.filter((p) => !seen.has(p));
  // As upstream's strict decoder: the YAML pass's findings (one error, one Warning per key) come first.
  if (mode === 'Strict' && (r.unknown.length || dup.length || yamlDuplicates.length)) {
    const texts = [...(yamlDuplicates.length ? [yamlStrictMessage(yamlDuplicates)] : []), ...strictTexts(r.unknown, dup)];
    throw errors.badRequest(`${prefix}strict decoding error: ${texts.join(', ')}`);
  }
  if (mode === 'Warn') addWarnings(res, [...yamlDuplicates, ...strictTexts(r.unknown, dup)]);
  return r.obj;
}

function reportYamlDuplicates(found: string[], mode: FieldValidationMode, prefix: string, res: ServerResponse): void {
  if (!found.length || mode === 'Ignore') return;
  if (mode === 'Strict') throw errors.badRequest(`${prefix}strict decoding error: ${yamlStrictMessage(found)}`);
  addWarnings(res, found);
}

function goMessage(e: SchemaTypeError): string {
  return e.goMessage ?? `json: cannot unmarshal ${e.got} into Go struct field ${e.path} of type ${e.expected}`;
}

export type PatchFlavour = 'json' | 'strategic';

/**
 * The result of a JSON, merge or strategic merge patch. Returns the pruned object and the warnings to
 * send (Warn), or throws upstream's 422. `patchValue` is what upstream quotes: the patched JSON for
 * JSON/merge patches, Go's %+v of the patch map for strategic ones.
 */
export function decodePatched(obj: Record<string, any>, gvk: Gvk, mode: FieldValidationMode, flavour: PatchFlavour, patchValue: () => string, schema = schemaOf(gvk), patchErrors: string[] = []): { obj: Record<string, any>; warnings: string[] } {
  if (!schema) return { obj, warnings: [] };
  const r = decodeThroughSchema(obj, schema, { mode });
  const refuse = (detail: string) => {
    // Upstream's NewInvalid with an empty GroupKind and name: ` "" is invalid: patch: …`, details without kind or name.
    const e = errors.invalid('', '', '', [field.invalid('patch', patchValue(), detail)]);
    delete e.status.details!.name;
    delete e.status.details!.kind;
    delete e.status.details!.group;
    return e;
  };
  const e = goTypeError(r.typeErrors);
  if (e) {
    throw refuse(flavour === 'strategic' ? (e.converterMessage ?? goMessage(e)) : goMessage(e));
  }
  if (mode === 'Ignore') return { obj: r.obj, warnings: [] };
  // As upstream: the patch body's own strict errors (duplicate keys) come first, then the result's.
  const texts = [...patchErrors, ...strictTexts(r.unknown)].slice(0, MAX_REPORTED);
  if (!texts.length) return { obj: r.obj, warnings: [] };
  if (mode === 'Strict') throw refuse(`strict decoding error: ${texts.join(', ')}`);
  return { obj: r.obj, warnings: texts };
}

/**
 * A server-side apply configuration, typed against the kind's schema as structured-merge-diff does:
 * unknown fields and wrong types are refused whatever fieldValidation says. (Upstream answers these
 * with a 500; Skiff answers 400 with the same text, since the request, not the server, is at fault.)
 */
export function decodeApplyConfig(cfg: Record<string, any>, gvk: Gvk, schema = schemaOf(gvk)): Record<string, any> {
  if (!schema) return cfg;
  const r = decodeThroughSchema(cfg, schema, { mode: 'Strict' });
  const problems = [
    ...r.unknown.map((p) => `.${p}: field not declared in schema`),
    ...r.typeErrors.map((e) => `.${e.path}: ${smdProblem(e)}`),
  ];
  if (!problems.length) return r.obj;
  const m = cfg.metadata && typeof cfg.metadata === 'object' ? cfg.metadata : {};
  const ns = typeof m.namespace === 'string' ? m.namespace : '';
  const name = typeof m.name === 'string' ? m.name : '';
  const what = problems.length === 1 ? problems[0] : `errors:\n  ${problems.slice(0, MAX_REPORTED).join('\n  ')}`;
  throw errors.badRequest(`failed to create typed patch object (${ns}/${name}; ${gvk.group}/${gvk.version}, Kind=${gvk.kind}): ${what}`);
}

/** structured-merge-diff's words for a value of the wrong type (typed/validate.go, typed/helpers.go). */
function smdProblem(e: SchemaTypeError): string {
  const v = e.value;
  const boxed = `&{${goSprint(v)}}`; // %v of a value.Value
  switch (e.expected) {
    case 'integer': case 'number': return `expected numeric (int or float), got ${goTypeName(v)}`;
    case 'string': case 'Time': case 'MicroTime': case 'Duration': return `expected string, got &value.valueUnstructured{Value:${goSharp(v)}}`;
    case 'boolean': return `expected boolean, got ${boxed}`;
    case 'object': return `expected map, got ${boxed}`;
    case 'array': return `expected list, got ${boxed}`;
    default: return `expected any scalar, got ${boxed}`;
  }
}

/** Go's %T of a decoded JSON value. */
function goTypeName(v: unknown): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/** Go's %#v of a decoded JSON value. */
function goSharp(v: unknown): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharp).join(', ')}}`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[string]interface {}{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goSharp(o[k])}`).join(', ')}}`;
  }
  return typeof v === 'number' && !Number.isInteger(v) ? goFloat(v) : String(v);
}

/** Go's %+v of a decoded JSON value (map keys sorted, as fmt prints maps). */
export function goSprint(v: unknown, budget = { left: 1 << 20 }): string {
  if (budget.left <= 0) return '...';
  let out: string;
  if (v === null || v === undefined) out = '<nil>';
  else if (typeof v === 'string') out = v;
  else if (typeof v === 'number') out = Number.isInteger(v) ? String(v) : goFloat(v);
  else if (typeof v === 'boolean') out = String(v);
  else if (Array.isArray(v)) out = `[${v.map((x) => goSprint(x, budget)).join(' ')}]`;
  else {
    const o = v as Record<string, unknown>;
    out = `map[${Object.keys(o).sort().map((k) => `${k}:${goSprint(o[k], budget)}`).join(' ')}]`;
  }
  budget.left -= out.length;
  return out;
}

function goFloat(n: number): string {
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e21)) {
    const [m, e] = n.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    return `${m}e${sign}${e.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(n);
}
