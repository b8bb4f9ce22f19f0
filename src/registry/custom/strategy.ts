// The strategy of a custom resource (after apiextensions-apiserver's customresource strategy):
// generation starts at 1 and moves on changes outside metadata (and status, when it is a subresource); schema admission via
// validate.ts; selectable fields from the version's selectableFields; no creates while the CRD is
// being deleted.
import { errors, StatusError } from '../../errors.ts';
import type { ResourceInfo } from '../resources.ts';
import type { AdmissionContext, KObject, Strategy } from '../strategy.ts';
import type { admitCustomObject } from './validate.ts';
import { deepEqual } from '../../util/deep-equal.ts';

const cache = new WeakMap<ResourceInfo, Strategy>();

/** The value at a simple JSONPath like `.spec.color`, as a field-selector string (scalars only). */
export function selectableValue(obj: unknown, path: string): string | undefined {
  let cur: any = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[part];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}

/** The schema admission (validate.ts, with the schema engine), imported on the first custom-object write. */
let admission: typeof import('./validate.ts') | undefined;
async function admit(r: ResourceInfo, obj: KObject, old: KObject | undefined, mode: 'create' | 'update' | 'status'): Promise<ReturnType<typeof admitCustomObject>> {
  admission ??= await import('./validate.ts');
  await admission.loadAdmission(r);
  return admission.admitCustomObject(r, obj, old, mode);
}

function throwInvalid(r: ResourceInfo, obj: KObject, errs: ReturnType<typeof admitCustomObject>): void {
  if (errs.length) throw errors.invalid(r.group, r.kind, obj.metadata.name ?? '', errs);
}

/** The version whose schema admits the write: the one the client wrote in (upstream validates before converting to storage). */
function asRequested(r: ResourceInfo, ctx: AdmissionContext): ResourceInfo {
  const req = ctx.requestedAs;
  return req?.custom && req.custom.def.crdName === r.custom!.def.crdName ? req : r;
}

function build(r: ResourceInfo): Strategy {
  const { def, version } = r.custom!;
  const fieldSelectors: Record<string, (obj: KObject) => string | undefined> = {};
  for (const p of version.selectableFields) fieldSelectors[p.replace(/^\./, '')] = (o) => selectableValue(o, p);
  return {
    generation: true,
    fieldSelectors,
    prepareForCreate(obj) { obj.metadata.generation = 1; },
    // Without a status subresource, status is part of what the user writes: changing it moves
    // generation too, as upstream (the store counts only fields other than metadata and status).
    prepareForUpdate(obj, old) {
      if (version.status || obj.metadata.generation !== old.metadata.generation) return;
      if (!deepEqual(obj.status, old.status)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    },
    async admitCreate(obj, ctx) {
      if (def.terminating) {
        const e = errors.methodNotSupported({ group: r.group, resource: r.resource }, 'create');
        throw new StatusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', e.status.details);
      }
      throwInvalid(r, obj, await admit(asRequested(r, ctx), obj, undefined, 'create'));
    },
    async admitUpdate(obj, old, ctx) { throwInvalid(r, obj, await admit(asRequested(r, ctx), obj, old, 'update')); },
    async admitStatusUpdate(obj, old, ctx) { throwInvalid(r, obj, await admit(asRequested(r, ctx), obj, old, 'status')); },
  };
}

export function customStrategy(r: ResourceInfo): Strategy {
  let s = cache.get(r);
  if (!s) cache.set(r, s = build(r));
  return s;
}
