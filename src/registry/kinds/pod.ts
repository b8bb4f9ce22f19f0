// Pod: upstream defaulting, the admission plugins every real cluster runs on create
// (ServiceAccount, DefaultTolerationSeconds, Priority), validation and the update rules.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { AdmissionContext, KObject, StrategyContext } from '../strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { defaultPodOnly, defaultPodSpec } from './podspec-defaults.ts';
import { validatePodSpec, validateTolerations } from './podspec-validation.ts';
import { foldPodAffinityLabelKeys } from './pod-affinity-keys.ts';
import { dropUnchangedScheduling } from './scheduling-ratchet.ts';
import { admitPodPriority } from './pod-priority.ts';
import { arr, isObj, sub } from './util.ts';
import type { KindStrategy } from './util.ts';

const SA_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** Guaranteed, Burstable or BestEffort, as the kubelet and the API server compute it. */
export function qosClass(spec: Record<string, any>): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...arr(spec?.containers), ...arr(spec?.initContainers)];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function addServiceAccount(spec: Record<string, any>, ctx: StrategyContext): void {
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.automountServiceAccountToken === false) return;
  const containers = [...arr(spec.containers), ...arr(spec.initContainers)];
  if (containers.some((c) => arr(c?.volumeMounts).some((m: any) => m?.mountPath === SA_MOUNT_PATH))) return;
  const name = `kube-api-access-${ctx.clock.randomString(5)}`;
  spec.volumes = [...arr(spec.volumes), {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
      ],
    },
  }];
  for (const c of containers) {
    if (!isObj(c)) continue;
    c.volumeMounts = [...arr(c.volumeMounts), { name, readOnly: true, mountPath: SA_MOUNT_PATH }];
  }
}

/**
 * The ServiceAccount admission's other half: a pod that does not say whether to mount the token
 * follows its ServiceAccount's automountServiceAccountToken; when that is false, the token volume
 * prepareForCreate added (and its mounts) go again.
 */
async function followServiceAccountAutomount(pod: KObject, ctx: AdmissionContext): Promise<void> {
  const spec = pod.spec as Record<string, any> | undefined;
  if (!isObj(spec) || spec.automountServiceAccountToken !== undefined || !ctx.get) return;
  const sa = await ctx.get('', 'v1', 'serviceaccounts', pod.metadata.namespace, String(spec.serviceAccountName ?? 'default'));
  if ((sa as any)?.automountServiceAccountToken !== false) return;
  const injected = arr(spec.volumes).find((v: any) => typeof v?.name === 'string' && v.name.startsWith('kube-api-access-') && v.projected);
  if (!injected) return;
  spec.volumes = arr(spec.volumes).filter((v: any) => v !== injected);
  if (!spec.volumes.length) delete spec.volumes;
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    if (!isObj(c)) continue;
    c.volumeMounts = arr(c.volumeMounts).filter((m: any) => m?.name !== injected.name);
    if (!c.volumeMounts.length) delete c.volumeMounts;
  }
}

function addDefaultTolerations(spec: Record<string, any>): void {
  if (spec.tolerations != null && !Array.isArray(spec.tolerations)) return; // left for validation to reject
  const tols = arr(spec.tolerations);
  const tolerates = (key: string) => tols.some((t: any) => (t?.operator === 'Exists' && !t?.key) || (t?.key === key && (!t.effect || t.effect === 'NoExecute')));
  const add: any[] = [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerates(key)) add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  if (add.length) spec.tolerations = [...tols, ...add];
}

function defaultAll(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  defaultPodSpec(obj.spec, { kind: 'Pod', version: 'v1' });
  defaultPodOnly(obj.spec);
}

/** Field paths that differ between two values (for the Forbidden message's diff). */
function diffPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (deepEqual(a, b)) return;
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffPaths(x, b[i], `${path}[${i}]`, out));
    return;
  }
  out.push(`- ${path}: ${JSON.stringify(a ?? null)}\n+ ${path}: ${JSON.stringify(b ?? null)}`);
}

function onlyAddedTolerations(next: unknown, old: unknown): FieldError[] {
  const nt = arr(next);
  for (const o of arr(old)) {
    const found = nt.some((t: any) => deepEqual({ ...o, tolerationSeconds: t?.tolerationSeconds }, t));
    if (!found) return [field.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(nt, 'spec.tolerations');
}

/** Upstream's ValidatePodUpdate spec rules: only images, deadlines, new tolerations may change. */
export function validatePodSpecUpdate(next: Record<string, any>, old: Record<string, any>): FieldError[] {
  const ns = isObj(next) ? next : {};
  const os = isObj(old) ? old : {};
  const errs: FieldError[] = [];
  if (arr(ns.containers).length !== arr(os.containers).length) return [field.forbidden('spec.containers', 'pod updates may not add or remove containers')];
  if (arr(ns.initContainers).length !== arr(os.initContainers).length) return [field.forbidden('spec.initContainers', 'pod updates may not add or remove containers')];
  errs.push(...onlyAddedTolerations(ns.tolerations, os.tolerations));
  const munged: Record<string, any> = structuredClone(ns);
  munged.containers = arr(munged.containers).map((c: any, i: number) => ({ ...c, image: os.containers[i]?.image }));
  if (munged.initContainers) munged.initContainers = arr(munged.initContainers).map((c: any, i: number) => ({ ...c, image: os.initContainers[i]?.image }));
  for (const k of ['activeDeadlineSeconds', 'tolerations', 'schedulingGates']) {
    if (os[k] === undefined) delete munged[k]; else munged[k] = os[k];
  }
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (!deepEqual(munged, os)) {
    const diffs: string[] = [];
    diffPaths(os, munged, 'spec', diffs);
    errs.push(field.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diffs.join('\n')}`));
  }
  return errs;
}

export const podStrategy: KindStrategy = {
  generation: false,
  defaults: defaultAll,
  prepareForCreate(obj, ctx) {
    if (!isObj(obj.spec)) return;
    const spec = obj.spec;
    if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) spec.terminationGracePeriodSeconds = 1;
    addServiceAccount(spec, ctx);
    addDefaultTolerations(spec);
    foldPodAffinityLabelKeys(spec, obj.metadata?.labels);
    const status = sub(obj, 'status');
    status.phase = 'Pending';
    status.qosClass = qosClass(spec);
  },
  async admitCreate(obj, ctx) { await admitPodPriority(obj, ctx); await followServiceAccountAutomount(obj, ctx); },
  prepareForUpdate(obj) { defaultAll(obj); },
  validate(obj) { return validatePodSpec(obj.spec, 'spec'); },
  validateUpdate(obj, old) {
    const errs = dropUnchangedScheduling(validatePodSpec(obj.spec, 'spec'), obj, old);
    if (errs.length) return errs;
    return validatePodSpecUpdate(obj.spec, old.spec);
  },
  fieldSelectors: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
};
