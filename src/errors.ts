// The one error catalogue. Every failure the API reports is a metav1.Status built here,
// with upstream's code, reason, details and message wording (k8s.io/apimachinery/pkg/api/errors).

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails {
  name?: string; group?: string; kind?: string; uid?: string;
  causes?: StatusCause[]; retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, unknown>;
  status: 'Failure' | 'Success'; message?: string; reason?: string;
  details?: StatusDetails; code: number;
}

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    // Members in metav1.Status's struct order (details before code), for writers that serialise it as is.
    this.status = details
      ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }
      : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  }
  get code(): number { return this.status.code; }
  get reason(): string { return this.status.reason ?? ''; }
}

/** A group-qualified resource such as `deployments.apps` or `pods`. */
export interface GroupResource { group: string; resource: string }
const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

export const errors = {
  notFound(gr: GroupResource, name: string): StatusError {
    return new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group || undefined, kind: gr.resource });
  },
  alreadyExists(gr: GroupResource, name: string): StatusError {
    return new StatusError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group || undefined, kind: gr.resource });
  },
  conflict(gr: GroupResource, name: string, why: string): StatusError {
    return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, { name, group: gr.group || undefined, kind: gr.resource });
  },
  /** 409 for a stale resourceVersion, with upstream's wording. */
  staleConflict(gr: GroupResource, name: string): StatusError {
    return errors.conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
  },
  /** 422 with one cause per field. `kind` is the Kind (e.g. "Deployment"), group its API group. */
  invalid(group: string, kind: string, name: string, causes: FieldError[]): StatusError {
    const msgs = causes.map(fieldErrorMessage);
    const agg = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${agg}`, {
      name, group: group || undefined, kind,
      causes: causes.map((c) => ({ reason: c.type, message: fieldErrorDetail(c), field: c.field })),
    });
  },
  badRequest(message: string): StatusError { return new StatusError(400, 'BadRequest', message); },
  unauthorized(message = 'Unauthorized'): StatusError { return new StatusError(401, 'Unauthorized', message); },
  forbidden(message: string): StatusError { return new StatusError(403, 'Forbidden', message); },
  methodNotSupported(gr: GroupResource, verb: string): StatusError {
    return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`, { group: gr.group || undefined, kind: gr.resource });
  },
  notAcceptable(message: string): StatusError { return new StatusError(406, 'NotAcceptable', message); },
  unsupportedMediaType(contentType: string): StatusError {
    return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${JSON.stringify(contentType)})`);
  },
  unsupportedPatchType(contentType: string, supported: string[]): StatusError {
    return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`
      + (contentType ? '' : ' (no Content-Type was sent)'));
  },
  expired(message: string): StatusError { return new StatusError(410, 'Expired', message); },
  gone(message: string): StatusError { return new StatusError(410, 'Gone', message); },
  tooLarge(message = 'Request entity too large: limit is 3145728'): StatusError { return new StatusError(413, 'RequestEntityTooLarge', message); },
  tooManyRequests(message = 'Too many requests, please try again later.', retryAfterSeconds = 1): StatusError {
    return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
  },
  serviceUnavailable(message: string): StatusError { return new StatusError(503, 'ServiceUnavailable', message); },
  timeout(message: string): StatusError { return new StatusError(504, 'Timeout', message); },
  internal(message: string): StatusError { return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`); },
  /** An admission plugin refused the request: `pods "x" is forbidden: <reason>` (no name: `pods is forbidden: ...`). */
  admissionForbidden(gr: GroupResource, name: string, reason: string): StatusError {
    const who = name ? `${qualified(gr)} "${name}"` : qualified(gr);
    return new StatusError(403, 'Forbidden', `${who} is forbidden: ${reason}`, { name: name || undefined, group: gr.group || undefined, kind: gr.resource });
  },
  /** Namespace is being deleted: upstream answers 403 Forbidden with this wording. */
  namespaceTerminating(gr: GroupResource, name: string, ns: string): StatusError {
    const e = new StatusError(403, 'Forbidden', `${qualified(gr)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, { name, group: gr.group || undefined, kind: gr.resource });
    e.status.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }];
    return e;
  },
};

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType =
  | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
  | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'InternalError' | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType; field: string; value?: unknown; detail?: string; supported?: string[];
  /** The bad value as upstream prints it (Go's `%v`/`%#v`), where that differs from its JSON form. */
  rendered?: string;
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value', FieldValueInvalid: 'Invalid value', FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value', FieldValueForbidden: 'Forbidden', FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many', InternalError: 'Internal error', FieldValueTypeInvalid: 'Invalid value',
};

function valueText(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The cause message without the field prefix (upstream's ErrorBody). */
export function fieldErrorDetail(e: FieldError): string {
  let s = typeText[e.type];
  const showValue = e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' || e.type === 'FieldValueDuplicate'
    || e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueTooMany';
  if (showValue && e.rendered !== undefined) s += `: ${e.rendered}`;
  else if (showValue && e.value !== undefined) s += `: ${valueText(e.value)}`;
  if (e.type === 'FieldValueNotSupported' && e.supported) s += `: supported values: ${e.supported.map((x) => JSON.stringify(x)).join(', ')}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}
export function fieldErrorMessage(e: FieldError): string { return `${e.field}: ${fieldErrorDetail(e)}`; }

export const field = {
  required: (f: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field: f, detail }),
  invalid: (f: string, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field: f, value, detail }),
  notSupported: (f: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field: f, value, supported }),
  duplicate: (f: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: f, value }),
  forbidden: (f: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: f, detail }),
  tooLong: (f: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field: f, detail: `must have at most ${max} bytes` }),
  tooMany: (f: string, max: number): FieldError => ({ type: 'FieldValueTooMany', field: f, detail: `must have at most ${max} items` }),
};

/**
 * What a client sees of a failure that is not a StatusError: upstream's panic-recovery sentence
 * (server/filters/wrap.go), never the error's own message, stack or any input it quotes.
 */
export const INTERNAL_ERROR_MESSAGE = 'This request caused apiserver to panic. Look in the logs for details.';

/** Turn anything thrown into a Status: StatusErrors pass through, everything else is a generic 500 (logged by the caller). */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  return new StatusError(500, 'InternalError', INTERNAL_ERROR_MESSAGE).status;
}
