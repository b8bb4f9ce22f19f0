// A webhook with failurePolicy Ignore that could not be called lets the request through; upstream
// records it in an audit annotation (`failed-open.<prefix>round_<r>_index_<i>`), and logs it.
import type { AdmissionAttributes } from '../types.ts';
import type { CallingWebhookError } from './errors.ts';
import { auditAnnotations } from './call.ts';

export function failOpen(a: AdmissionAttributes, e: CallingWebhookError): void {
  const notes = auditAnnotations.get(a) ?? {};
  notes[`failed-open.webhook.admission.k8s.io/${e.webhook}`] = e.message;
  auditAnnotations.set(a, notes);
}
