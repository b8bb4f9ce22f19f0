// Validation of a pod's securityContext.sysctls, as upstream's validateSysctls: each name is a
// sysctl name (segments of [a-z0-9-_] joined by '.' or '/', at most 253 characters), not repeated,
// and a namespaced sysctl may not be set when the pod shares that namespace with the node.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { arr, isObj } from './util.ts';

const SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const PATTERN = `^(${SEGMENT}[\\./])*${SEGMENT}$`;
const SYSCTL_NAME = new RegExp(PATTERN);
const MAX_LENGTH = 253;

export const isValidSysctlName = (name: string): boolean => name.length <= MAX_LENGTH && SYSCTL_NAME.test(name);

/** The kernel namespace a sysctl lives in (upstream utilsysctl.GetNamespace), as far as validation cares. */
function namespaceOf(name: string): 'net' | 'ipc' | undefined {
  const n = name.replaceAll('/', '.');
  if (n.startsWith('net.')) return 'net';
  if (n === 'kernel.sem' || n.startsWith('kernel.shm') || n.startsWith('kernel.msg') || n.startsWith('fs.mqueue.')) return 'ipc';
  return undefined;
}

export function validateSysctls(spec: Record<string, any>, path: string): FieldError[] {
  const sc = spec.securityContext;
  if (!isObj(sc)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(sc.sysctls).forEach((s: any, i: number) => {
    const p = `${path}.securityContext.sysctls[${i}].name`;
    const name = isObj(s) && typeof s.name === 'string' ? s.name : '';
    if (!name) errs.push(field.required(p, ''));
    else if (!isValidSysctlName(name)) errs.push(field.invalid(p, name, `must have at most ${MAX_LENGTH} characters and match regex ${PATTERN}`));
    else if (seen.has(name)) errs.push(field.duplicate(p, name));
    const ns = name ? namespaceOf(name) : undefined;
    if (ns === 'net' && spec.hostNetwork === true) errs.push(field.invalid(p, name, "may not be specified when 'hostNetwork' is true"));
    if (ns === 'ipc' && spec.hostIPC === true) errs.push(field.invalid(p, name, "may not be specified when 'hostIPC' is true"));
    seen.add(name);
  });
  return errs;
}
