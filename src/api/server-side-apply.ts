// Server-side apply (application/apply-patch+yaml) with field ownership in
// metadata.managedFields; the engine lives in src/patch/apply.
import { errors } from '../errors.ts';
import type { KObject } from '../registry/strategy.ts';
import { applyWithOwnership, setApplyClock, updateWithOwnership } from '../patch/apply/managed.ts';
import { parseYamlBody } from './body.ts';
import { decodeApplyConfig } from './typed.ts';
import type { PatchOptions } from './extensions.ts';

export { setApplyClock };

export function applyServerSide(original: KObject | undefined, body: Buffer, gvk: { group: string; version: string; kind: string }, opts: PatchOptions): KObject {
  const applied = parseYamlBody(body, 'error decoding patch: ', true);
  if (applied === null || typeof applied !== 'object' || Array.isArray(applied)) throw errors.badRequest('the apply configuration must be an object');
  const cfg = applied as KObject;
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  if (cfg.apiVersion !== apiVersion || cfg.kind !== gvk.kind) {
    throw errors.badRequest(`apply configuration must name apiVersion ${JSON.stringify(apiVersion)} and kind ${JSON.stringify(gvk.kind)}`);
  }
  if (!opts.fieldManager) throw errors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
  // Typed as structured-merge-diff types it: unknown fields and wrong types are refused before merging.
  decodeApplyConfig(cfg, gvk);
  return applyWithOwnership(original, cfg as Record<string, unknown>, gvk, { manager: opts.fieldManager, force: opts.force === true, subresource: opts.subresource });
}

/**
 * Records ownership for an ordinary write (create/update/non-apply patch) made by `manager`:
 * returns newObj with metadata.managedFields updated. A no-op write returns managedFields unchanged.
 */
export function updateManagedFields(oldObj: KObject | undefined, newObj: KObject, manager: string, operation: 'Update', gvk: { group: string; version: string; kind: string }, subresource?: string): KObject {
  void operation;
  return updateWithOwnership(oldObj, newObj, manager, gvk, subresource);
}
