// Conversion between the versions of a custom resource. Strategy `None` only rewrites apiVersion, as
// upstream's nopConverter; strategy `Webhook` calls the CRD's conversion webhook, which is asynchronous:
// the store converts through src/registry/conversion.ts (prepareConversions, toStorageVersionAsync,
// toVersionAsync) before these synchronous paths see the object.
import { StatusError } from '../../errors.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KObject } from '../strategy.ts';

/** Webhook conversion is asynchronous: the store converts through conversion-webhook.ts before it gets here. */
function refuseWebhook(r: ResourceInfo, to: string): void {
  const def = r.custom!.def;
  if (def.conversion !== 'Webhook') return;
  const message = `conversion webhook for ${def.group}/${to}, Kind=${def.kind} failed: the object was not converted before it was used`;
  throw new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export const customConversion = {
  toStorage(obj: KObject, from: ResourceInfo): KObject {
    const def = from.custom!.def;
    refuseWebhook(from, def.storageVersion);
    return { ...obj, apiVersion: `${def.group}/${def.storageVersion}` };
  },
  fromStorage(obj: KObject, to: ResourceInfo): KObject {
    if (obj.apiVersion !== `${to.group}/${to.version}`) refuseWebhook(to, to.version);
    return obj;
  },
};
