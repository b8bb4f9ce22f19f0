// PATCH for objects and their status: read the body, check its media type, then read-modify-write
// through the generic store with the patch applied to the current object (retried on conflict).
// Server-side apply (application/apply-patch+yaml) may create the object.
import { errors } from '../errors.ts';
import type { KObject } from '../registry/strategy.ts';
import { mediaType, readBody } from './body.ts';
import type { SubresourceRequest } from './extensions.ts';
import { defaultManager, dryRun, fieldManager } from './handlers.ts';

const APPLY = 'application/apply-patch+yaml';

export async function patchObject(s: SubresourceRequest, subresource?: string): Promise<{ obj: KObject; created: boolean }> {
  const { store, info, ext, query: q } = s;
  const r = info.resource;
  const ct = mediaType(s.req.headers['content-type']);
  if (!ext.patchTypes.includes(ct)) throw errors.unsupportedPatchType(ct, ext.patchTypes);
  const body = await readBody(s.req);
  if (body.length === 0) throw errors.badRequest('the request body is empty: expected a patch');
  const gvk = { group: r.group, version: r.version, kind: r.kind, schema: r.custom?.version.schema, statusSubresource: r.custom ? r.custom.version.status : undefined };
  const manager = fieldManager(q) ?? defaultManager(s.req.headers['user-agent']);
  const force = q.get('force') === 'true';
  if (ct === APPLY && !manager) throw errors.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  if (ct !== APPLY && q.has('force')) throw errors.badRequest('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  const opts = { fieldManager: manager, force, subresource };
  const dry = dryRun(q);
  if (ct === APPLY && !subresource) {
    const existing = await store.tryGet(r, info.namespace, info.name);
    if (!existing) {
      const obj = ext.applyPatch(ct, undefined, body, gvk, opts);
      if (obj.metadata?.name && obj.metadata.name !== info.name) throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
      obj.metadata = { ...(obj.metadata ?? {}), name: info.name };
      // Server-side apply has already recorded ownership: no Update entry for this write.
      return { obj: await store.create(r, info.namespace, obj, { dryRun: dry }), created: true };
    }
  }
  const obj = await store.guaranteedUpdate(r, info.namespace, info.name, (cur) => {
    const rv = cur.metadata.resourceVersion;
    const out = ext.applyPatch(ct, cur, body, gvk, opts);
    // A patch that does not mention resourceVersion is unconditional.
    if (out.metadata?.resourceVersion === rv) delete out.metadata.resourceVersion;
    return out;
  }, { dryRun: dry, fieldManager: ct === APPLY ? undefined : manager, subresource });
  return { obj, created: false };
}
