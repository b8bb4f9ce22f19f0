// Calling one webhook for one request (upstream's callHook / callAttrMutatingHook up to the answer):
// the dry-run check against sideEffects, the AdmissionReview in the first version the webhook
// accepts, the call with its timeout, and the checks of the answer. Warnings reach the client; audit
// annotations are kept on the request's attributes.
import type { AdmissionAttributes } from '../types.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { WebhookClient } from '../../webhook/client.ts';
import { CallError } from '../../webhook/client.ts';
import { warn } from '../../util/request-warnings.ts';
import type { Hook } from './source.ts';
import { CallingWebhookError, denied, dryRunUnsupported } from './errors.ts';
import { reviewRequest, reviewVersion, verifyResponse } from './review.ts';
import type { ReviewResult } from './review.ts';

export interface CallDeps { client: WebhookClient; uid: () => string }

const gvk = (r: ResourceInfo) => ({ group: r.group, version: r.version, kind: r.kind });
const gvr = (r: ResourceInfo) => ({ group: r.group, version: r.version, resource: r.resource });

/** Audit annotations webhooks added, per request attributes (`<webhook>/<key>`). */
export const auditAnnotations = new WeakMap<AdmissionAttributes, Record<string, string>>();

/**
 * Calls `hook` with the objects in `resource`'s version. Resolves with the answer when it allows;
 * throws a StatusError for a refusal, a CallingWebhookError for a failed call.
 */
export async function callHook(deps: CallDeps, hook: Hook, mutating: boolean, a: AdmissionAttributes, resource: ResourceInfo,
  object: KObject | undefined, oldObject: KObject | undefined): Promise<ReviewResult> {
  if (a.dryRun) {
    if (hook.sideEffects === undefined) throw new CallingWebhookError(hook.name, 'Webhook SideEffects is nil');
    if (hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') throw dryRunUnsupported(hook.name);
  }
  const version = reviewVersion(hook.spec.admissionReviewVersions);
  if (!version) {
    throw new CallingWebhookError(hook.name, `could not create admission objects: webhook does not accept known AdmissionReview versions`);
  }
  const uid = deps.uid();
  const review = reviewRequest(version, {
    uid, kind: gvk(resource), resource: gvr(resource), subResource: a.subresource,
    requestKind: gvk(a.requestResource), requestResource: gvr(a.requestResource), requestSubResource: a.subresource,
    name: a.name, namespace: a.namespace, operation: a.operation, user: a.user,
    object, oldObject, dryRun: a.dryRun, options: a.options,
  });
  let answer: Record<string, any>;
  try {
    answer = await deps.client.postJSON(hook.spec.clientConfig ?? {}, review, { timeoutMs: hook.timeoutMs });
  } catch (e) {
    if (e instanceof CallError) throw new CallingWebhookError(hook.name, `failed to call webhook: ${e.message}`);
    throw e;
  }
  let result: ReviewResult;
  try {
    result = verifyResponse(uid, mutating, version, answer);
  } catch (e) {
    throw new CallingWebhookError(hook.name, `received invalid webhook response: ${(e as Error).message}`);
  }
  if (Object.keys(result.auditAnnotations).length) {
    const notes = auditAnnotations.get(a) ?? {};
    for (const [k, v] of Object.entries(result.auditAnnotations)) notes[`${hook.name}/${k}`] = v;
    auditAnnotations.set(a, notes);
  }
  for (const w of result.warnings) warn(w);
  if (!result.allowed) throw denied(hook.name, result.result);
  return result;
}
