export { AdmissionChain, SYSTEM_USER, admissionUser } from './chain.ts';
export type { AdmissionContextSource } from './chain.ts';
export type { AdmissionAttributes, AdmissionPhase, AdmissionPlugin, Operation } from './types.ts';
export { PLUGIN_ORDER } from './types.ts';
