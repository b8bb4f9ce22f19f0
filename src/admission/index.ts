export { AdmissionChain, SYSTEM_USER, admissionUser } from './chain.ts';
export type { AdmissionAttributes, AdmissionPlugin, Operation } from './types.ts';
export { PLUGIN_ORDER } from './types.ts';
