// Conversion of custom objects by the CRD's conversion webhook (spec.conversion.strategy Webhook):
// one ConversionReview (apiextensions.k8s.io/v1 or v1beta1) per object or per page of a list, the
// answer checked as upstream's webhook converter checks it (uid, count, apiVersion, kind, name,
// namespace, uid of each object), and metadata restored from the original except labels and
// annotations. Failures read as upstream's (`conversion webhook for <gvk> failed: …`).
import { StatusError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import type { CustomDef } from './types.ts';
import { validateObjectMeta } from '../validation/meta.ts';
import { fieldErrorMessage } from '../../errors.ts';

/** Sends a review to the webhook named by a client config; resolves with the decoded answer (set at server start). */
export type ReviewCaller = (clientConfig: Record<string, any>, review: unknown, timeoutMs: number) => Promise<Record<string, any>>;

let caller: ReviewCaller | undefined;
let newUid: () => string = () => crypto.randomUUID();

export function setConversionWebhookCaller(c: ReviewCaller | undefined, uid?: () => string): void {
  caller = c;
  if (uid) newUid = uid;
}

/** Upstream gives conversion calls no deadline of their own; the REST client's dial and TLS limits bound them. */
const TIMEOUT_MS = 30_000;

const gvk = (apiVersion: unknown, kind: string) => {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const [g, v] = av.includes('/') ? av.split('/', 2) : ['', av];
  return `${g ? `${g}/` : ''}${v}, Kind=${kind}`;
};

function failure(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/**
 * Converts `objects` (any versions) to `toVersion` of `def`; those already there are not sent. `listKind`
 * names the list in errors when the objects are a list's items.
 */
export async function convertByWebhook(def: CustomDef, objects: KObject[], toVersion: string, listKind?: string): Promise<KObject[]> {
  const desired = `${def.group}/${toVersion}`;
  const idx = objects.map((o, i) => (o.apiVersion === desired ? -1 : i)).filter((i) => i >= 0);
  if (!idx.length) return objects;
  const what = gvk(listKind ? objects[0].apiVersion : objects[idx[0]].apiVersion, listKind ?? def.kind);
  const conv = def.crd.spec?.conversion ?? {};
  const cc = conv.webhook?.clientConfig ?? conv.webhookClientConfig;
  const versions: string[] = conv.webhook?.conversionReviewVersions ?? conv.conversionReviewVersions ?? [];
  const reviewVersion = versions.find((v) => v === 'v1' || v === 'v1beta1');
  if (!reviewVersion) throw failure(`no supported conversion review versions`);
  if (!caller || !cc) throw failure(`conversion webhook for ${what} failed: webhook client is not configured`);
  const uid = newUid();
  const sent = idx.map((i) => objects[i]);
  const review = { kind: 'ConversionReview', apiVersion: `apiextensions.k8s.io/${reviewVersion}`, request: { uid, desiredAPIVersion: desired, objects: sent } };
  let answer: Record<string, any>;
  try {
    answer = await caller(cc, review, TIMEOUT_MS);
  } catch (e) {
    throw failure(`conversion webhook for ${what} failed: ${(e as Error).message}`);
  }
  let converted: unknown[];
  try {
    converted = convertedObjects(uid, reviewVersion, answer);
  } catch (e) {
    throw failure(`conversion webhook for ${what} failed: ${(e as Error).message}`);
  }
  if (converted.length !== sent.length) throw failure(`conversion webhook for ${what} returned ${converted.length} objects, expected ${sent.length}`);
  const out = [...objects];
  converted.forEach((c, n) => {
    const at = listKind ? `converted object at index ${n}` : 'object';
    const original = sent[n];
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw failure(`conversion webhook for ${what} returned invalid ${at}: invalid type, expected=Unstructured`);
    const obj = c as KObject;
    if (obj.apiVersion !== desired) throw failure(`conversion webhook for ${what} returned invalid ${at}: invalid groupVersion (expected ${desired}, received ${obj.apiVersion ?? ''})`);
    if (obj.kind !== original.kind) throw failure(`conversion webhook for ${what} returned invalid ${at}: invalid kind (expected ${original.kind}, received ${obj.kind ?? ''})`);
    const sameness = sameIdentity(original, obj);
    if (sameness) throw failure(`conversion webhook for ${what} returned invalid ${at}: ${sameness}`);
    const metaErr = restoreMeta(original, obj);
    if (metaErr) throw failure(`conversion webhook for ${what} returned invalid metadata${listKind ? ` in object at index ${n}` : ''}: ${metaErr}`);
    out[idx[n]] = obj;
  });
  return out;
}

function convertedObjects(uid: string, version: string, answer: Record<string, any>): unknown[] {
  if (version === 'v1' && (answer.apiVersion !== 'apiextensions.k8s.io/v1' || answer.kind !== 'ConversionReview')) {
    throw new Error(`expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${gvk(answer.apiVersion, typeof answer.kind === 'string' ? answer.kind : '')}`);
  }
  const r = answer.response;
  if (!r || typeof r !== 'object') throw new Error('no response provided');
  if (version === 'v1' && r.uid !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`);
  const status = r.result?.status;
  if (status !== 'Success') throw new Error(`response.result.status was '${typeof status === 'string' ? status : ''}', not 'Success'`);
  return Array.isArray(r.convertedObjects) ? r.convertedObjects : [];
}

function sameIdentity(a: KObject, b: KObject): string | undefined {
  const m = (o: KObject) => (o.metadata && typeof o.metadata === 'object' ? o.metadata : {});
  if (a.kind !== b.kind) return `must have the same kind: ${a.kind} != ${b.kind}`;
  if ((m(a).name ?? '') !== (m(b).name ?? '')) return `must have the same name: ${m(a).name ?? ''} != ${m(b).name ?? ''}`;
  if ((m(a).namespace ?? '') !== (m(b).namespace ?? '')) return `must have the same namespace: ${m(a).namespace ?? ''} != ${m(b).namespace ?? ''}`;
  if ((m(a).uid ?? '') !== (m(b).uid ?? '')) return `must have the same UID: ${m(a).uid ?? ''} != ${m(b).uid ?? ''}`;
  return undefined;
}

/** The original's metadata, with the webhook's labels and annotations (validated when they changed). */
function restoreMeta(original: KObject, converted: KObject): string | undefined {
  const got = converted.metadata;
  if (got === undefined) return 'missing metadata in converted object';
  if (!got || typeof got !== 'object' || Array.isArray(got)) return `invalid metadata of type ${typeof got} in converted object`;
  const meta: Record<string, any> = structuredClone(original.metadata ?? {});
  for (const f of ['labels', 'annotations'] as const) {
    const v = got[f];
    if (v === undefined || v === null) { delete meta[f]; continue; }
    if (typeof v !== 'object' || Array.isArray(v)) return `invalid metadata.${f} of type ${Array.isArray(v) ? '[]interface {}' : typeof v} in converted object`;
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') return `metadata.${f}[${k}] must be a string, but is ${typeof x} in converted object`;
    meta[f] = v;
  }
  const errs = validateObjectMeta({ name: 'x', labels: meta.labels, annotations: meta.annotations }, { namespaced: false })
    .filter((e) => e.field.startsWith('metadata.labels') || e.field.startsWith('metadata.annotations'));
  if (errs.length) return errs.length === 1 ? fieldErrorMessage(errs[0]) : `[${errs.map(fieldErrorMessage).join(', ')}]`;
  converted.metadata = meta;
  return undefined;
}
