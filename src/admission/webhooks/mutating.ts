// MutatingAdmissionWebhook: matching webhooks are called one after another (configurations by name),
// each seeing the object as the previous ones left it, in the version it registered for. A JSON
// patch in the answer is applied, the result decoded through the kind's schema again and converted
// back to the stored version. With reinvocationPolicy IfNeeded, a webhook called before a later one
// changed the object is called once more (upstream's reinvocation, one extra round).
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { Store } from '../../registry/store.ts';
import { convertBetween } from '../../registry/conversion.ts';
import { applyJsonPatch } from '../../patch/json.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { goJsonError } from '../../webhook/client.ts';
import type { WebhookSource } from './source.ts';
import { exempt, shouldCall } from './match.ts';
import { callHook } from './call.ts';
import type { CallDeps } from './call.ts';
import { CallingWebhookError, internalError } from './errors.ts';
import { decodePatchedObject } from './decode.ts';
import { failOpen } from './failure.ts';

interface Round { previouslyInvoked: Set<string>; reinvoke: Set<string> }

export function mutatingWebhookPlugin(source: WebhookSource, store: Store, deps: CallDeps): AdmissionPlugin {
  return {
    name: 'MutatingAdmissionWebhook',
    applies: (a) => source.hooks().length > 0 && !exempt(a),
    async mutate(a) {
      const hooks = source.hooks();
      if (!hooks.length || exempt(a)) return;
      const round: Round = { previouslyInvoked: new Set(), reinvoke: new Set() };
      await runRound(a, store, deps, source, round, false);
      if (round.reinvoke.size) await runRound(a, store, deps, source, round, true);
    },
  };
}

async function runRound(a: AdmissionAttributes, store: Store, deps: CallDeps, source: WebhookSource, round: Round, reinvocation: boolean): Promise<void> {
  const versions = new Map<ResourceInfo, { object?: KObject; oldObject?: KObject }>();
  const objectFor = async (r: ResourceInfo) => {
    let v = versions.get(r);
    if (!v) {
      v = { object: a.object && await convertBetween(a.object, a.resource, r), oldObject: a.oldObject && await convertBetween(a.oldObject, a.resource, r) };
      versions.set(r, v);
    }
    return v;
  };
  for (const hook of source.hooks()) {
    const inv = await shouldCall(hook, a, store, objectFor);
    if (!inv) continue;
    if (reinvocation && !round.reinvoke.has(hook.uid)) continue;
    const objs = await objectFor(inv.resource);
    let changed = false;
    try {
      const result = await callHook(deps, hook, true, a, inv.resource, objs.object, objs.oldObject);
      if (result.patch?.length) changed = await applyPatch(a, inv.resource, hook.name, result.patch, result.patchType!, objs.object, versions);
    } catch (e) {
      if (!(e instanceof CallingWebhookError)) throw e;
      if (hook.failurePolicy !== 'Ignore') throw internalError(e.message);
      failOpen(a, e);
    }
    if (changed) {
      for (const uid of round.previouslyInvoked) round.reinvoke.add(uid);
      round.previouslyInvoked.clear();
    }
    if (hook.reinvoke) round.previouslyInvoked.add(hook.uid);
  }
}

/** Applies a webhook's patch; returns whether the object changed. */
async function applyPatch(a: AdmissionAttributes, r: ResourceInfo, name: string, raw: Buffer, patchType: string,
  object: KObject | undefined, versions: Map<ResourceInfo, unknown>): Promise<boolean> {
  let ops: unknown;
  try { ops = JSON.parse(raw.toString('utf8')); } catch {
    throw new CallingWebhookError(name, `received undecodable patch in webhook response: ${goJsonError(raw.toString('utf8'))}`);
  }
  if (!Array.isArray(ops)) throw new CallingWebhookError(name, `received undecodable patch in webhook response: json: cannot unmarshal ${ops === null ? 'null' : typeof ops} into Go value of type jsonpatch.Patch`);
  if (!ops.length) return false;
  if (!object) throw internalError(`admission webhook ${JSON.stringify(name)} attempted to modify the object, which is not supported for this operation`);
  if (patchType !== 'JSONPatch') throw new CallingWebhookError(name, `unsupported patch type ${JSON.stringify(patchType)}`);
  let patched: unknown;
  try {
    patched = applyJsonPatch(object, ops);
  } catch (e) {
    throw internalError(String((e as Error).cause ?? (e as Error).message));
  }
  const decoded = await decodePatchedObject(patched as KObject, r);
  if (deepEqual(decoded, object)) return false;
  // Back to the version the store writes; every version's view is rebuilt from it.
  a.object = await convertBetween({ ...decoded, apiVersion: object.apiVersion, kind: object.kind }, r, a.resource);
  versions.clear();
  return true;
}
