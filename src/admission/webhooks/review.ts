// AdmissionReview requests (admission.k8s.io/v1 and v1beta1) with every field upstream sends, and
// the checks upstream makes of the answer (request/admissionreview.go VerifyAdmissionResponse).
import type { KObject } from '../../registry/strategy.ts';
import type { User } from '../../auth/user.ts';

export interface ReviewInput {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource: string;
  requestKind: { group: string; version: string; kind: string };
  requestResource: { group: string; version: string; resource: string };
  requestSubResource: string;
  name: string;
  namespace: string;
  operation: string;
  user: User;
  object?: KObject;
  oldObject?: KObject;
  dryRun: boolean;
  options: Record<string, unknown>;
}

/** The first admissionReviewVersions entry Skiff speaks, or undefined. */
export function reviewVersion(versions: string[] | undefined): 'v1' | 'v1beta1' | undefined {
  for (const v of versions ?? []) if (v === 'v1' || v === 'v1beta1') return v;
  return undefined;
}

export function reviewRequest(version: 'v1' | 'v1beta1', i: ReviewInput): Record<string, unknown> {
  const userInfo: Record<string, unknown> = {};
  if (i.user.name) userInfo.username = i.user.name;
  if (i.user.uid) userInfo.uid = i.user.uid;
  if (i.user.groups?.length) userInfo.groups = i.user.groups;
  if (i.user.extra && Object.keys(i.user.extra).length) userInfo.extra = i.user.extra;
  const request: Record<string, unknown> = {
    uid: i.uid, kind: i.kind, resource: i.resource,
    ...(i.subResource ? { subResource: i.subResource } : {}),
    requestKind: i.requestKind, requestResource: i.requestResource,
    ...(i.requestSubResource ? { requestSubResource: i.requestSubResource } : {}),
    ...(i.name ? { name: i.name } : {}),
    ...(i.namespace ? { namespace: i.namespace } : {}),
    operation: i.operation, userInfo,
    object: i.object ?? null, oldObject: i.oldObject ?? null,
    dryRun: i.dryRun, options: i.options,
  };
  return { kind: 'AdmissionReview', apiVersion: `admission.k8s.io/${version}`, request };
}

export interface ReviewResult {
  allowed: boolean;
  patch?: Buffer;
  patchType?: string;
  result?: unknown;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

/** Checks an answer; throws an Error whose message follows `received invalid webhook response: `. */
export function verifyResponse(uid: string, mutating: boolean, version: 'v1' | 'v1beta1', review: Record<string, any>): ReviewResult {
  const r = review.response;
  if (r === undefined || r === null) throw new Error('webhook response was absent');
  if (typeof r !== 'object' || Array.isArray(r)) throw new Error(`json: cannot unmarshal ${Array.isArray(r) ? 'array' : typeof r} into Go struct field AdmissionReview.response of type v1.AdmissionResponse`);
  const warnings = stringList(r.warnings, 'warnings');
  const auditAnnotations = stringMap(r.auditAnnotations);
  if (r.allowed !== undefined && typeof r.allowed !== 'boolean') throw new Error(`json: cannot unmarshal ${typeof r.allowed} into Go struct field AdmissionResponse.response.allowed of type bool`);
  const patch = r.patch === undefined || r.patch === null ? undefined : decodePatchBytes(r.patch);
  if (version === 'v1') {
    const got = `${review.apiVersion ?? ''}`;
    if ((r.uid ?? '') !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`);
    if (got !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
      throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvkString(got, review.kind)}`);
    }
    if (mutating) {
      const pt = r.patchType;
      if (patch?.length && (pt === undefined || pt === null)) throw new Error('webhook returned response.patch but not response.patchType');
      if (!patch?.length && pt !== undefined && pt !== null) throw new Error('webhook returned response.patchType but not response.patch');
      if (pt !== undefined && pt !== null && (typeof pt !== 'string' || !pt)) throw new Error(`webhook returned invalid response.patchType of ${JSON.stringify(typeof pt === 'string' ? pt : '')}`);
      return { allowed: r.allowed === true, patch, patchType: pt ?? undefined, result: r.status, warnings, auditAnnotations };
    }
    if (patch?.length) throw new Error('validating webhook may not return response.patch');
    if (r.patchType !== undefined && r.patchType !== null) throw new Error('validating webhook may not return response.patchType');
    return { allowed: r.allowed === true, result: r.status, warnings, auditAnnotations };
  }
  // v1beta1: uid, kind and patchType were never checked; a patch is a JSON patch.
  return { allowed: r.allowed === true, ...(mutating && patch?.length ? { patch, patchType: 'JSONPatch' } : {}), result: r.status, warnings, auditAnnotations };
}

function gvkString(apiVersion: string, kind: unknown): string {
  const [g, v] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return `${g ? `${g}/` : ''}${v}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

function decodePatchBytes(p: unknown): Buffer {
  if (typeof p !== 'string') throw new Error(`json: cannot unmarshal ${Array.isArray(p) ? 'array' : typeof p} into Go struct field AdmissionResponse.response.patch of type []uint8`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(p) || p.length % 4 !== 0) throw new Error('illegal base64 data at input byte 0');
  return Buffer.from(p, 'base64');
}

function stringList(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`json: cannot unmarshal into Go struct field AdmissionResponse.response.${name} of type []string`);
  return v;
}

function stringMap(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new Error('json: cannot unmarshal into Go struct field AdmissionResponse.response.auditAnnotations of type map[string]string');
  }
  return v as Record<string, string>;
}
