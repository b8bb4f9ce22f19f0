// The admission plugins a server runs, registered once at start in upstream's order (the chain sorts
// them; see types.ts PLUGIN_ORDER). A new plugin is one module with an AdmissionPlugin and one line here.
import type { Store } from '../registry/store.ts';
import type { Clock } from '../clock.ts';
import { validatingAdmissionPolicy } from './policy/plugin.ts';
import type { AuthorizeFn } from '../cel/library/authz.ts';
import { resourceQuotaPlugin } from './quota/admission.ts';
import { limitRangerPlugin } from './limitranger/admission.ts';
import { podSecurityPlugin } from './podsecurity/admission.ts';
import { webhookPlugins } from './webhooks/index.ts';
import { runtimeClassPlugin } from './runtimeclass/admission.ts';

export interface PluginDeps {
  store: Store;
  clock: Clock;
  log?: (msg: string) => void;
  /** The authorizer policies consult (`authorizer` in CEL, paramKind/paramRef permissions); everything is allowed without it. */
  authorize?: AuthorizeFn;
}

/** Registers every admission plugin on the store's chain. */
export async function registerAdmissionPlugins(deps: PluginDeps): Promise<void> {
  deps.store.admission.register(validatingAdmissionPolicy({ store: deps.store, authorize: deps.authorize }));
  deps.store.admission.register(limitRangerPlugin(deps));
  deps.store.admission.register(podSecurityPlugin(deps));
  deps.store.admission.register(runtimeClassPlugin(deps));
  deps.store.admission.register(resourceQuotaPlugin(deps));
  for (const p of await webhookPlugins(deps.store, deps.clock)) deps.store.admission.register(p);
}
