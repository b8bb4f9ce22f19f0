// The pods/ephemeralcontainers subresource's write, as upstream's EphemeralContainersStrategy: only
// spec.ephemeralContainers is taken from the request (defaulted like any container), existing
// ephemeral containers may neither be removed nor changed, and each new one is a valid container
// with a unique name and without what ephemeral containers may not have (ports, probes, lifecycle, resources).
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { check } from '../validation/common.ts';
import { isDNS1123Label } from '../validation/names.ts';
import { arr, isObj } from './util.ts';
import { defaultContainer } from './podspec-defaults.ts';

const path = 'spec.ephemeralContainers';
const FORBIDDEN = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'resizePolicy', 'restartPolicy'];

/** The stored pod with the request's ephemeral containers (nothing else of the request is kept). */
export function withEphemeralContainers(old: KObject, requested: KObject): KObject {
  const next = structuredClone(old);
  const list = (requested as any).spec?.ephemeralContainers;
  if (list === undefined || list === null) delete (next as any).spec.ephemeralContainers;
  else {
    if (Array.isArray(list)) for (const c of list) defaultContainer(c, { kind: 'Pod', version: 'v1' } as any);
    (next as any).spec.ephemeralContainers = list;
  }
  return next;
}

export function validateEphemeralContainersUpdate(next: KObject, old: KObject): FieldError[] {
  const list = (next as any).spec?.ephemeralContainers;
  if (list !== undefined && !Array.isArray(list)) return [field.invalid(path, list, 'must be a list')];
  const errs: FieldError[] = [];
  const now = arr(list) as Record<string, any>[];
  const before = arr((old as any).spec?.ephemeralContainers) as Record<string, any>[];
  for (const o of before) {
    const n = now.find((c) => isObj(c) && c.name === o.name);
    if (!n) errs.push(field.forbidden(path, `existing ephemeral containers "${o.name}" may not be removed\n`));
    else if (JSON.stringify(n) !== JSON.stringify(o)) errs.push(field.forbidden(path, `existing ephemeral containers "${o.name}" may not be changed\n`));
  }
  const spec = (next as any).spec ?? {};
  const names = new Set<string>([...arr(spec.containers), ...arr(spec.initContainers)].map((c: any) => c?.name));
  now.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(c)) { errs.push(field.invalid(p, c, 'must be an object')); return; }
    if (!c.name) errs.push(field.required(`${p}.name`, ''));
    else {
      errs.push(...check(`${p}.name`, String(c.name), isDNS1123Label));
      if (names.has(c.name)) errs.push(field.duplicate(`${p}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image) errs.push(field.required(`${p}.image`, ''));
    if (before.some((o) => o.name === c.name)) return;
    for (const k of FORBIDDEN) if (c[k] !== undefined && c[k] !== null && !(isObj(c[k]) && !Object.keys(c[k]).length)) errs.push(field.forbidden(`${p}.${k}`, 'cannot be set for an Ephemeral Container'));
    if (c.targetContainerName && ![...arr(spec.containers), ...arr(spec.initContainers)].some((x: any) => x?.name === c.targetContainerName)) {
      errs.push(field.invalid(`${p}.targetContainerName`, c.targetContainerName, 'must name a container or init container of the pod'));
    }
  });
  return errs;
}
