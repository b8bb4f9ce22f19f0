// The errors of webhook admission, in upstream's words (k8s.io/apiserver/pkg/admission/plugin/webhook
// errors and pkg/util/webhook): a call that failed, a webhook that refused, a dry run it cannot take.
import { StatusError } from '../../errors.ts';
import type { Status } from '../../errors.ts';

/** A webhook could not be called or answered unusably (failurePolicy decides). */
export class CallingWebhookError extends Error {
  readonly webhook: string;
  constructor(webhook: string, reason: string) {
    super(`failed calling webhook ${JSON.stringify(webhook)}: ${reason}`);
    this.webhook = webhook;
  }
}

/** upstream's apierrors.NewInternalError: the message prefixed, the error again as the one cause. */
export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** A webhook's refusal (ToStatusErr): its Status, at least a 400 Failure, the message prefixed. */
export function denied(webhook: string, result: unknown): StatusError {
  const r: Record<string, any> = result && typeof result === 'object' && !Array.isArray(result) ? result : {};
  const by = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const code = typeof r.code === 'number' && Number.isInteger(r.code) && r.code >= 400 && r.code <= 599 ? r.code : 400;
  const reason = typeof r.reason === 'string' ? r.reason : '';
  const msg = typeof r.message === 'string' && r.message ? `${by}: ${r.message}` : reason ? `${by}: ${reason}` : `${by} without explanation`;
  const e = new StatusError(code, reason, msg, isObj(r.details) ? sanitizeDetails(r.details) : undefined);
  const st = e.status as Status & { reason?: string };
  if (!reason) delete st.reason;
  return e;
}

/** A dry run reached a webhook with side effects. */
export function dryRunUnsupported(webhook: string): StatusError {
  return new StatusError(400, 'BadRequest', `admission webhook ${JSON.stringify(webhook)} does not support dry run`);
}

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

function sanitizeDetails(d: Record<string, any>): Status['details'] {
  const out: NonNullable<Status['details']> = {};
  for (const k of ['name', 'group', 'kind', 'uid'] as const) if (typeof d[k] === 'string') out[k] = d[k];
  if (typeof d.retryAfterSeconds === 'number') out.retryAfterSeconds = d.retryAfterSeconds;
  if (Array.isArray(d.causes)) {
    out.causes = d.causes.filter(isObj).map((c) => ({
      ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
      ...(typeof c.message === 'string' ? { message: c.message } : {}),
      ...(typeof c.field === 'string' ? { field: c.field } : {}),
    }));
  }
  return out;
}
