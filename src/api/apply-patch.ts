// Applying a PATCH body of a given media type to an object (the engine lives in src/patch).
import { errors } from '../errors.ts';
import type { KObject } from '../registry/strategy.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, smpSchemaFor } from '../patch/index.ts';
import { parseJson } from './body.ts';
import type { PatchOptions } from './extensions.ts';
import { applyServerSide } from './server-side-apply.ts';

/** Upstream checks a JSON patch body with json.Valid first; too deep a body fails there. */
const invalidPatch = () => 'invalid JSON patch';

export function applyPatch(contentType: string, original: KObject | undefined, body: Buffer, gvk: { group: string; version: string; kind: string }, opts: PatchOptions): KObject {
  let out: unknown;
  switch (contentType) {
    case 'application/json-patch+json':
      out = applyJsonPatch(original, parseJson(body, invalidPatch));
      break;
    case 'application/merge-patch+json':
      out = applyMergePatch(original, parseJson(body, invalidPatch));
      break;
    case 'application/strategic-merge-patch+json': {
      const schema = smpSchemaFor(gvk.group, gvk.version, gvk.kind);
      if (!schema) throw errors.unsupportedPatchType(contentType, ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
      out = applyStrategicMergePatch(original, parseJson(body, invalidPatch), schema);
      break;
    }
    case 'application/apply-patch+yaml':
      out = applyServerSide(original, body, gvk, opts);
      break;
    default:
      throw errors.unsupportedPatchType(contentType, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
  }
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw errors.badRequest('the patch must produce an object');
  return out as KObject;
}
