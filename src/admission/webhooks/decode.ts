// A webhook's patched object goes through the schema step again, as upstream decodes the patched JSON
// into the kind's type: built-in kinds drop unknown fields and refuse values of the wrong type (an
// internal error with Go's json wording), custom resources are pruned to their schema (their values
// are validated by the kind's validation that follows admission).
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import { schemaOf } from '../../api/typed.ts';
import { internalError } from './errors.ts';

export async function decodePatchedObject(obj: KObject, r: ResourceInfo): Promise<KObject> {
  const schema = schemaOf({ group: r.group, version: r.version, kind: r.kind, custom: r.custom });
  if (!schema) return obj;
  const { decodeThroughSchema } = await import('../../schema/decode.ts');
  const out = decodeThroughSchema(obj, schema, { mode: 'Ignore' });
  const typeError = out.typeErrors.find((e) => e.goMessage !== undefined);
  if (typeError) throw internalError(typeError.goMessage!);
  return out.obj as KObject;
}
