// ValidatingAdmissionWebhook: every matching webhook is called at once (in parallel); the request is
// refused with the first refusal or failure in configuration order, as upstream returns errs[0].
import type { AdmissionPlugin } from '../types.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { Store } from '../../registry/store.ts';
import { convertBetween } from '../../registry/conversion.ts';
import type { WebhookSource } from './source.ts';
import { exempt, shouldCall } from './match.ts';
import type { Invocation } from './match.ts';
import { callHook } from './call.ts';
import type { CallDeps } from './call.ts';
import { CallingWebhookError, internalError } from './errors.ts';
import { failOpen } from './failure.ts';

export function validatingWebhookPlugin(source: WebhookSource, store: Store, deps: CallDeps): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionWebhook',
    applies: (a) => source.hooks().length > 0 && !exempt(a),
    async validate(a) {
      const hooks = source.hooks();
      if (!hooks.length || exempt(a)) return;
      const versions = new Map<ResourceInfo, Promise<{ object?: KObject; oldObject?: KObject }>>();
      const objectFor = (r: ResourceInfo) => {
        let v = versions.get(r);
        if (!v) {
          v = (async () => ({ object: a.object && await convertBetween(a.object, a.resource, r), oldObject: a.oldObject && await convertBetween(a.oldObject, a.resource, r) }))();
          versions.set(r, v);
        }
        return v;
      };
      const invocations: Invocation[] = [];
      for (const hook of hooks) {
        const inv = await shouldCall(hook, a, store, objectFor);
        if (inv) invocations.push(inv);
      }
      if (!invocations.length) return;
      const outcomes = await Promise.all(invocations.map(async ({ hook, resource }) => {
        try {
          const objs = await objectFor(resource);
          await callHook(deps, hook, false, a, resource, objs.object, objs.oldObject);
          return undefined;
        } catch (e) {
          if (!(e instanceof CallingWebhookError)) return e;
          if (hook.failurePolicy === 'Ignore') { failOpen(a, e); return undefined; }
          return internalError(e.message);
        }
      }));
      const first = outcomes.find((e) => e !== undefined);
      if (first) throw first;
    },
  };
}
