// MutatingAdmissionWebhook and ValidatingAdmissionWebhook: their configurations watched from the
// store, the shared webhook client (src/webhook) to call them.
import type { Store } from '../../registry/store.ts';
import type { Clock } from '../../clock.ts';
import type { AdmissionPlugin } from '../types.ts';
import { WebhookClient } from '../../webhook/client.ts';
import { WebhookSource } from './source.ts';
import { mutatingWebhookPlugin } from './mutating.ts';
import { validatingWebhookPlugin } from './validating.ts';

export async function webhookPlugins(store: Store, clock: Clock, client = new WebhookClient(store, clock)): Promise<AdmissionPlugin[]> {
  const mutating = new WebhookSource('mutating');
  const validating = new WebhookSource('validating');
  await Promise.all([mutating.start(store), validating.start(store)]);
  const deps = { client, uid: () => clock.uuid() };
  return [mutatingWebhookPlugin(mutating, store, deps), validatingWebhookPlugin(validating, store, deps)];
}
