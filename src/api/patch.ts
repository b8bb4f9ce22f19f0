// PATCH for objects and their status: read the body, check its media type, then read-modify-write
// through the generic store with the patch applied to the current object (retried on conflict).
// Server-side apply (application/apply-patch+yaml) may create the object.
import { errors } from '../errors.ts';
import { requestUser } from '../auth/user.ts';
import type { KObject } from '../registry/strategy.ts';
import { mediaType, readBody } from './body.ts';
import type { SubresourceRequest } from './extensions.ts';
import { defaultManager, dryRun, fieldManager } from './handlers.ts';
import { addWarnings, decodePatched, goSprint, validationMode } from './typed.ts';
import type { Gvk, PatchFlavour } from './typed.ts';
import type { FieldValidationMode, StructuralSchema } from '../schema/types.ts';
import { yamlDuplicateKeys, yamlStrictMessage } from '../util/yaml.ts';
import { findDuplicateFields } from '../openapi/index.ts';

const APPLY = 'application/apply-patch+yaml';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH_FIELDS = new Set(['op', 'path', 'from', 'value']);

/** What upstream quotes in a patch error: the patched JSON, or for strategic merge patches the patch as Go's %+v prints it. */
function patchValue(ct: string, body: Buffer, patched: unknown): () => string {
  return () => {
    try {
      return ct === STRATEGIC ? goSprint(JSON.parse(body.toString('utf8'))) : JSON.stringify(patched);
    } catch {
      return '';
    }
  };
}

/** Repeated keys in a JSON, merge or strategic merge patch body, as upstream's strict unmarshal of the body reports them. */
function patchBodyErrors(ct: string, body: Buffer): string[] {
  const text = body.toString('utf8');
  if (ct !== 'application/json-patch+json') return findDuplicateFields(text).map((p) => `duplicate field ${JSON.stringify(p)}`);
  // A JSON patch is decoded strictly into upstream's operation struct: op, path, from, value.
  const out: string[] = [];
  let ops: unknown;
  try { ops = JSON.parse(text); } catch { ops = undefined; }
  if (Array.isArray(ops)) {
    ops.forEach((op, i) => {
      if (op === null || typeof op !== 'object' || Array.isArray(op)) return;
      for (const k of Object.keys(op)) if (!JSON_PATCH_FIELDS.has(k)) out.push(`json patch unknown field ${JSON.stringify(`[${i}].${k}`)}`);
    });
  }
  return [...out, ...findDuplicateFields(text).map((p) => `json patch duplicate field ${JSON.stringify(p)}`)];
}

/**
 * The schema step for a patched object (every patch type): prune unknown fields, refuse wrong types and,
 * under Strict, unknown fields. Server-side apply has already typed its configuration, so its result
 * only needs pruning and normalising. Warnings are returned (a retried update must not repeat them).
 */
export function checkPatched(ct: string, body: Buffer, out: KObject, gvk: Gvk, q: URLSearchParams, schema?: StructuralSchema): { obj: KObject; warnings: string[] } {
  if (ct === APPLY) {
    const warnings = applyBodyStrictness(body, validationMode(q));
    return { obj: decodePatched(out, gvk, 'Ignore', 'json', patchValue(ct, body, out), schema).obj as KObject, warnings };
  }
  const mode = validationMode(q);
  const flavour: PatchFlavour = ct === STRATEGIC ? 'strategic' : 'json';
  const r = decodePatched(out, gvk, mode, flavour, patchValue(ct, body, out), schema, mode === 'Ignore' ? [] : patchBodyErrors(ct, body));
  return { obj: r.obj as KObject, warnings: r.warnings };
}

/**
 * Upstream decodes an apply body leniently (a repeated key keeps its last value), applies it, then,
 * under Strict or Warn, decodes it again strictly: repeated keys are a 400 (Strict) or one Warning each.
 */
function applyBodyStrictness(body: Buffer, mode: FieldValidationMode): string[] {
  if (mode === 'Ignore') return [];
  const dup = yamlDuplicateKeys(body.toString('utf8'));
  if (!dup.length) return [];
  if (mode === 'Strict') throw errors.badRequest(`error strict decoding YAML: error converting YAML to JSON: ${yamlStrictMessage(dup)}`);
  return dup;
}

/**
 * Applies a patch. The patch engines (src/patch) recurse over the document; bodies deeper than 10,000
 * levels never get here (body.ts), but one a few thousand levels deep can still exhaust the stack, and
 * is refused with a message naming the limit rather than a 500.
 */
export async function patchObject(s: SubresourceRequest, subresource?: string): Promise<{ obj: KObject; created: boolean }> {
  try {
    return await patchObjectUnguarded(s, subresource);
  } catch (e) {
    if (e instanceof RangeError) throw errors.badRequest('the patch is nested too deeply for Skiff to apply (it applies patches a few thousand levels deep; upstream accepts up to 10000)');
    throw e;
  }
}

async function patchObjectUnguarded(s: SubresourceRequest, subresource?: string): Promise<{ obj: KObject; created: boolean }> {
  const { store, info, ext, query: q } = s;
  const r = info.resource;
  const ct = mediaType(s.req.headers['content-type']);
  if (!ext.patchTypes.includes(ct)) throw errors.unsupportedPatchType(ct, ext.patchTypes);
  const body = await readBody(s.req);
  if (body.length === 0) throw errors.badRequest('the request body is empty: expected a patch');
  const gvk = { group: r.group, version: r.version, kind: r.kind, custom: r.custom, schema: r.custom?.version.schema, statusSubresource: r.custom ? r.custom.version.status : undefined };
  const manager = fieldManager(q) ?? defaultManager(s.req.headers['user-agent']);
  const force = q.get('force') === 'true';
  if (ct === APPLY && !manager) throw errors.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  if (ct !== APPLY && q.has('force')) throw errors.badRequest('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  const opts = { fieldManager: manager, force, subresource };
  const dry = dryRun(q);
  validationMode(q);
  let warnings: string[] = [];
  if (ct === APPLY && !subresource) {
    const existing = await store.tryGet(r, info.namespace, info.name);
    if (!existing) {
      const checked = checkPatched(ct, body, ext.applyPatch(ct, undefined, body, gvk, opts), gvk, q);
      const obj = checked.obj;
      if (obj.metadata?.name && obj.metadata.name !== info.name) throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
      obj.metadata = { ...(obj.metadata ?? {}), name: info.name };
      // Server-side apply has already recorded ownership: no Update entry for this write.
      const created = await store.create(r, info.namespace, obj, { dryRun: dry, user: requestUser(s.req) });
      addWarnings(s.res, checked.warnings);
      return { obj: created, created: true };
    }
  }
  const obj = await store.guaranteedUpdate(r, info.namespace, info.name, (cur) => {
    const rv = cur.metadata.resourceVersion;
    const checked = checkPatched(ct, body, ext.applyPatch(ct, cur, body, gvk, opts), gvk, q);
    const out = checked.obj;
    warnings = checked.warnings;
    // A patch that does not mention resourceVersion is unconditional.
    if (out.metadata?.resourceVersion === rv) delete out.metadata.resourceVersion;
    return out;
  }, { dryRun: dry, fieldManager: ct === APPLY ? undefined : manager, appliedOwnership: ct === APPLY, subresource, user: requestUser(s.req) });
  addWarnings(s.res, warnings);
  return { obj, created: false };
}
