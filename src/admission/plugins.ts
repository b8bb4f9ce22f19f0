// The admission plugins a server runs, registered once at start in upstream's order (the chain sorts
// them; see types.ts PLUGIN_ORDER). A new plugin is one module with an AdmissionPlugin and one line here.
import type { Store } from '../registry/store.ts';
import type { Clock } from '../clock.ts';
import { webhookPlugins } from './webhooks/index.ts';

export interface PluginDeps {
  store: Store;
  clock: Clock;
  log?: (msg: string) => void;
}

/** Registers every admission plugin on the store's chain. */
export async function registerAdmissionPlugins(deps: PluginDeps): Promise<void> {
  for (const p of await webhookPlugins(deps.store, deps.clock)) deps.store.admission.register(p);
}
