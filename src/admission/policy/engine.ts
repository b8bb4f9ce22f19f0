// What the plugin needs only once a policy is bound (CEL and its libraries): loaded on first use so
// a server without policies never loads it.
export { compilePolicy } from './compile.ts';
export { dispatch } from './dispatch.ts';
export { objectValues, requestValue, requestValues } from './activation.ts';
