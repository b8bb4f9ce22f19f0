// Server-side apply (application/apply-patch+yaml). Interim: the applied configuration is merged
// into the live object with strategic-merge semantics; field ownership (managedFields) and
// conflict detection are not implemented yet, and the README says so.
import { errors } from '../errors.ts';
import type { KObject } from '../registry/strategy.ts';
import { applyMergePatch, applyStrategicMergePatch, smpSchemaFor } from '../patch/index.ts';
import { parseYamlBody } from './body.ts';
import type { PatchOptions } from './extensions.ts';

export function applyServerSide(original: KObject | undefined, body: Buffer, gvk: { group: string; version: string; kind: string }, opts: PatchOptions): KObject {
  void opts;
  const applied = parseYamlBody(body);
  if (applied === null || typeof applied !== 'object' || Array.isArray(applied)) throw errors.badRequest('the apply configuration must be an object');
  const cfg = applied as KObject;
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  if (cfg.apiVersion !== apiVersion || cfg.kind !== gvk.kind) {
    throw errors.badRequest(`apply configuration must name apiVersion ${JSON.stringify(apiVersion)} and kind ${JSON.stringify(gvk.kind)}`);
  }
  if (!original) return cfg;
  const schema = smpSchemaFor(gvk.group, gvk.version, gvk.kind);
  return (schema ? applyStrategicMergePatch(original, cfg, schema) : applyMergePatch(original, cfg)) as KObject;
}
