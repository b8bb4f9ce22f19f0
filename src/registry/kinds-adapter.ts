// Connects the per-kind strategies and metadata validation (src/registry/kinds) to the generic store.
export { strategyForResource as strategyFor, validateMeta, validateMetaUpdate } from './kinds/index.ts';
