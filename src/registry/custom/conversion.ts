// Conversion between the versions of a custom resource. Strategy `None` only rewrites apiVersion, as
// upstream's nopConverter; strategy `Webhook` needs a conversion webhook, which Skiff does not call yet:
// any request that would need one answers with an error naming it (requests in the storage version,
// for objects stored in it, need no conversion and work).
import { StatusError } from '../../errors.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KObject } from '../strategy.ts';

function refuseWebhook(r: ResourceInfo, to: string): void {
  const def = r.custom!.def;
  if (def.conversion !== 'Webhook') return;
  throw new StatusError(500, 'InternalError',
    `conversion webhook for ${def.group}/${to}, Kind=${def.kind} failed: conversion webhooks are not supported by Skiff (spec.conversion.strategy "Webhook" of CustomResourceDefinition ${def.crdName}); use strategy "None" or request version ${def.storageVersion}`);
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
