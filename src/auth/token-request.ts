// POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token: an authentication.k8s.io/v1 TokenRequest
// answered with a signed token (upstream's TokenREST, pkg/registry/core/serviceaccount/storage/token.go).
// Nothing is stored. Upstream's --service-account-max-token-expiration and the pod-token expiry
// extension are not modelled: the token lives exactly spec.expirationSeconds. A token may be bound to a
// Pod (running as the account; its node is recorded too), a Secret, or a Node.
import { errors, field } from '../errors.ts';
import { rfc3339 } from '../clock.ts';
import { decodeObjectBody, readBody, requireObject } from '../api/body.ts';
import { negotiate } from '../api/negotiate.ts';
import { canEncodeProtobuf, send } from '../api/respond.ts';
import type { SubresourceHandler } from '../api/extensions.ts';
import { decodeError } from '../registry/kinds/util.ts';
import { findResource } from '../registry/resources.ts';
import type { BoundObject, ServiceAccountTokens } from './sa-tokens.ts';

const GROUP = 'authentication.k8s.io';
const KIND = 'TokenRequest';
const MIN_SECONDS = 10 * 60;
const MAX_SECONDS = 2 ** 32;
const DEFAULT_SECONDS = 3600;
const RESOURCE = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' } as const;

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const bad = (why: string) => decodeError(KIND, 'v1', why);
const goType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v);

/** spec as the Go decoder would take it: wrong JSON types are 400s, absent fields get their defaults. */
function decodeSpec(body: Record<string, any>): { audiences: string[]; expirationSeconds: number; boundObjectRef: Record<string, string> | null } {
  const spec = body.spec ?? {};
  if (!isObj(spec)) throw bad(`json: cannot unmarshal ${goType(spec)} into Go struct field TokenRequest.spec of type v1.TokenRequestSpec`);
  const aud = spec.audiences ?? [];
  if (!Array.isArray(aud) || aud.some((a) => typeof a !== 'string')) throw bad('json: cannot unmarshal into Go struct field TokenRequestSpec.spec.audiences of type []string');
  const exp = spec.expirationSeconds ?? DEFAULT_SECONDS;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) throw bad(`json: cannot unmarshal ${goType(exp)} into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64`);
  const ref = spec.boundObjectRef ?? undefined;
  if (ref !== undefined) {
    if (!isObj(ref)) throw bad(`json: cannot unmarshal ${goType(ref)} into Go struct field TokenRequestSpec.spec.boundObjectRef of type v1.BoundObjectReference`);
    for (const k of ['kind', 'apiVersion', 'name', 'uid']) {
      if (ref[k] !== undefined && typeof ref[k] !== 'string') throw bad(`json: cannot unmarshal ${goType(ref[k])} into Go struct field BoundObjectReference.spec.boundObjectRef.${k} of type string`);
    }
  }
  // Upstream's field has no omitempty: an unbound request answers "boundObjectRef": null.
  return { audiences: aud, expirationSeconds: exp, boundObjectRef: ref ?? null };
}

export function tokenRequestHandler(tokens: ServiceAccountTokens): SubresourceHandler {
  return async (s) => {
    const { info, store } = s;
    if (info.verb !== 'create') throw errors.methodNotSupported({ group: '', resource: 'serviceaccounts/token' }, info.verb);
    const body = requireObject(decodeObjectBody(await readBody(s.req), s.req.headers['content-type']));
    if (body.kind !== undefined && body.kind !== '' && body.kind !== KIND) {
      throw errors.badRequest(`the kind in the request body (${JSON.stringify(body.kind)}) does not match the expected kind (${KIND})`);
    }
    if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== `${GROUP}/v1`) {
      throw errors.badRequest(`the API version in the data (${JSON.stringify(body.apiVersion)}) does not match the expected API version (${GROUP}/v1)`);
    }
    const meta = body.metadata ?? {};
    if (!isObj(meta)) throw errors.badRequest('metadata must be an object');
    const ns = info.namespace!;
    if (meta.namespace && meta.namespace !== ns) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (meta.name && meta.name !== info.name) {
      throw errors.invalid(GROUP, KIND, info.name, [field.invalid('metadata.name', meta.name, 'must match the service account name if specified')]);
    }
    const spec = decodeSpec(body);

    const sa = await store.get(findResource('', 'v1', 'serviceaccounts')!, ns, info.name);
    if (!spec.audiences.length) spec.audiences = [...tokens.audiences];
    const now = store.clock.now();
    const fieldErrors = [];
    if (spec.expirationSeconds < MIN_SECONDS) fieldErrors.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 10 minutes'));
    if (spec.expirationSeconds > MAX_SECONDS) fieldErrors.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
    if (fieldErrors.length) throw errors.invalid(GROUP, KIND, '', fieldErrors);

    let bound: BoundObject | undefined;
    const ref = spec.boundObjectRef;
    if (ref) {
      const [group, version] = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion ?? ''];
      const kind = ref.kind;
      if (group !== '' || (kind !== 'Pod' && kind !== 'Secret' && kind !== 'Node')) throw errors.badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind ?? ''}`);
      const obj = await store.get(findResource('', 'v1', RESOURCE[kind])!, kind === 'Node' ? undefined : ns, ref.name ?? '');
      if (kind === 'Pod' && (obj.spec?.serviceAccountName ?? '') !== info.name) {
        throw errors.badRequest(`cannot bind token for serviceaccount ${JSON.stringify(info.name)} to pod running with different serviceaccount name.`);
      }
      if (ref.uid && ref.uid !== obj.metadata.uid) {
        throw errors.conflict({ group: '', resource: kind }, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
      }
      if (kind === 'Pod') {
        // As upstream, a scheduled pod's token names its node too (by name alone if the Node cannot be read).
        const nodeName: string | undefined = obj.spec?.nodeName || undefined;
        const node = nodeName ? await store.tryGet(findResource('', 'v1', 'nodes')!, undefined, nodeName) : undefined;
        bound = { kind, obj, ...(nodeName ? { node: { name: nodeName, ...(node?.metadata.uid ? { uid: node.metadata.uid } : {}) } } : {}) };
      } else bound = { kind, obj };
    }

    const { token, expiresAt } = tokens.issue(sa, bound, spec.expirationSeconds, spec.audiences);
    const out = {
      kind: KIND, apiVersion: `${GROUP}/v1`,
      metadata: { name: sa.metadata.name, namespace: ns, creationTimestamp: rfc3339(now) },
      spec, status: { token, expirationTimestamp: rfc3339(expiresAt) },
    };
    send(s.res, 201, out, negotiate(s.req.headers.accept, [], canEncodeProtobuf()));
  };
}
