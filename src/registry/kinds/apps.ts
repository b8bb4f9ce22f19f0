// apps/v1 workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet) and core/v1
// ReplicationController: upstream defaults (pkg/apis/apps/v1/defaults.go) and validation.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { immutable, nonNegative } from '../validation/common.ts';
import { defaultPodTemplate } from './podspec-defaults.ts';
import { defaultPVCSpec } from './storage.ts';
import { arr, def, isObj, sub } from './util.ts';
import type { KindStrategy } from './util.ts';
import { intOrPercentValue, notMoreThan100Percent, validatePositiveIntOrPercent, validateSelectorAndTemplate } from './workload.ts';

const ALWAYS = { restartPolicies: ['Always'] };

function withSpec(obj: KObject, kind: string, version: string, fn: (spec: Record<string, any>) => void): void {
  if (!isObj(obj.spec)) return;
  fn(obj.spec);
  defaultPodTemplate(obj.spec.template, { kind, version });
}

const common = (spec: Record<string, any>): FieldError[] => [
  ...nonNegative('spec.replicas', spec.replicas),
  ...nonNegative('spec.minReadySeconds', spec.minReadySeconds),
  ...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit),
];

const specOf = (obj: KObject): Record<string, any> | undefined => (isObj(obj.spec) ? obj.spec : undefined);
const specRequired = (): FieldError[] => [field.required('spec', '')];

// ---- Deployment ----

export function defaultDeployment(obj: KObject): void {
  withSpec(obj, 'Deployment', 'apps/v1', (spec) => {
    def(spec, 'replicas', 1);
    const strategy = sub(spec, 'strategy');
    def(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = sub(strategy, 'rollingUpdate');
      def(ru, 'maxUnavailable', '25%');
      def(ru, 'maxSurge', '25%');
    }
    def(spec, 'revisionHistoryLimit', 10);
    def(spec, 'progressDeadlineSeconds', 600);
  });
}

export function validateDeployment(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  if (!spec) return specRequired();
  const errs = [...common(spec), ...validateSelectorAndTemplate(spec, ALWAYS)];
  const st = spec.strategy ?? {};
  const sp = 'spec.strategy';
  if (st.type === 'Recreate') {
    if (st.rollingUpdate !== undefined && st.rollingUpdate !== null) errs.push(field.forbidden(`${sp}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (st.type === 'RollingUpdate') {
    const ru = st.rollingUpdate;
    if (!isObj(ru)) errs.push(field.required(`${sp}.rollingUpdate`, 'this should be defaulted and never be nil'));
    else {
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${sp}.rollingUpdate.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${sp}.rollingUpdate.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(field.invalid(`${sp}.rollingUpdate.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${sp}.rollingUpdate.maxUnavailable`));
    }
  } else {
    errs.push(field.notSupported(sp, st, ['Recreate', 'RollingUpdate']));
  }
  errs.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
  if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    errs.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

const selectorImmutable = (obj: KObject, old: KObject): FieldError[] => immutable('spec.selector', obj.spec?.selector, old.spec?.selector);

export const deploymentStrategy: KindStrategy = {
  prepareForCreate: defaultDeployment,
  prepareForUpdate: defaultDeployment,
  validate: validateDeployment,
  validateUpdate(obj, old) { return [...validateDeployment(obj), ...selectorImmutable(obj, old)]; },
};

// ---- ReplicaSet ----

export function defaultReplicaSet(obj: KObject): void {
  withSpec(obj, 'ReplicaSet', 'apps/v1', (spec) => def(spec, 'replicas', 1));
}
export function validateReplicaSet(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  if (!spec) return specRequired();
  return [...common(spec), ...validateSelectorAndTemplate(spec, ALWAYS)];
}
export const replicaSetStrategy: KindStrategy = {
  prepareForCreate: defaultReplicaSet,
  prepareForUpdate: defaultReplicaSet,
  validate: validateReplicaSet,
  validateUpdate(obj, old) { return [...validateReplicaSet(obj), ...selectorImmutable(obj, old)]; },
};

// ---- StatefulSet ----

export function defaultStatefulSet(obj: KObject): void {
  withSpec(obj, 'StatefulSet', 'apps/v1', (spec) => {
    def(spec, 'podManagementPolicy', 'OrderedReady');
    const us = sub(spec, 'updateStrategy');
    if (!us.type) { us.type = 'RollingUpdate'; def(us, 'rollingUpdate', {}); }
    if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate)) def(us.rollingUpdate, 'partition', 0);
    const ret = sub(spec, 'persistentVolumeClaimRetentionPolicy');
    def(ret, 'whenDeleted', 'Retain');
    def(ret, 'whenScaled', 'Retain');
    def(spec, 'replicas', 1);
    def(spec, 'revisionHistoryLimit', 10);
    for (const t of arr(spec.volumeClaimTemplates)) {
      if (!isObj(t)) continue;
      defaultPVCSpec(t, 'StatefulSet', 'apps/v1');
      t.apiVersion ??= 'v1';
      t.kind ??= 'PersistentVolumeClaim';
      def(sub(t, 'status'), 'phase', 'Pending');
    }
  });
}

export function validateStatefulSet(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  if (!spec) return specRequired();
  const errs = [...common(spec), ...validateSelectorAndTemplate(spec, { ...ALWAYS, mountsNeedVolumes: false })];
  if (!['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
    errs.push(field.invalid('spec.podManagementPolicy', spec.podManagementPolicy ?? '', "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = spec.updateStrategy ?? {};
  if (us.type === 'OnDelete') {
    if (us.rollingUpdate !== undefined && us.rollingUpdate !== null) errs.push(field.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    if (isObj(us.rollingUpdate)) errs.push(...nonNegative('spec.updateStrategy.rollingUpdate.partition', us.rollingUpdate.partition));
  } else {
    errs.push(field.invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const ret = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const k of ['whenDeleted', 'whenScaled']) {
    if (!['Retain', 'Delete'].includes(ret[k])) errs.push(field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, ret[k] ?? '', ['Retain', 'Delete']));
  }
  return errs;
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export const statefulSetStrategy: KindStrategy = {
  prepareForCreate: defaultStatefulSet,
  prepareForUpdate: defaultStatefulSet,
  validate: validateStatefulSet,
  validateUpdate(obj, old) {
    const errs = validateStatefulSet(obj);
    const strip = (s: Record<string, any> | undefined) => {
      const c: Record<string, any> = { ...(s ?? {}) };
      for (const k of STS_MUTABLE) delete c[k];
      return c;
    };
    if (immutable('spec', strip(obj.spec), strip(old.spec)).length) {
      errs.push(field.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
    return errs;
  },
};

// ---- DaemonSet ----

export function defaultDaemonSet(obj: KObject): void {
  withSpec(obj, 'DaemonSet', 'apps/v1', (spec) => {
    const us = sub(spec, 'updateStrategy');
    def(us, 'type', 'RollingUpdate');
    if (us.type === 'RollingUpdate') {
      const ru = sub(us, 'rollingUpdate');
      def(ru, 'maxUnavailable', 1);
      def(ru, 'maxSurge', 0);
    }
    def(spec, 'revisionHistoryLimit', 10);
  });
}

export function validateDaemonSet(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  if (!spec) return specRequired();
  const errs = [...common(spec), ...validateSelectorAndTemplate(spec, ALWAYS)];
  const us = spec.updateStrategy ?? {};
  if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (!isObj(ru)) errs.push(field.required('spec.updateStrategy.rollingUpdate', ''));
    else {
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      const mu = intOrPercentValue(ru.maxUnavailable); const ms = intOrPercentValue(ru.maxSurge);
      if (mu === 0 && ms === 0) errs.push(field.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      if ((mu ?? 0) !== 0 && (ms ?? 0) !== 0) errs.push(field.invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(field.notSupported('spec.updateStrategy.type', us.type ?? '', ['OnDelete', 'RollingUpdate']));
  }
  return errs;
}

export const daemonSetStrategy: KindStrategy = {
  prepareForCreate: defaultDaemonSet,
  prepareForUpdate: defaultDaemonSet,
  validate: validateDaemonSet,
  validateUpdate(obj, old) { return [...validateDaemonSet(obj), ...selectorImmutable(obj, old)]; },
};

// ---- ReplicationController (core/v1) ----

export function defaultReplicationController(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  const spec = obj.spec;
  const labels = spec.template?.metadata?.labels;
  if (isObj(labels)) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0) obj.metadata.labels = { ...labels };
  }
  def(spec, 'replicas', 1);
  defaultPodTemplate(spec.template, { kind: 'ReplicationController', version: 'v1' });
}

export function validateReplicationController(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  if (!spec) return specRequired();
  const errs = common(spec);
  const sel = isObj(spec.selector) ? spec.selector : {};
  if (Object.keys(sel).length === 0) errs.push(field.required('spec.selector', ''));
  if (!isObj(spec.template)) errs.push(field.required('spec.template', ''));
  else {
    const labels = spec.template.metadata?.labels ?? {};
    if (Object.keys(sel).length && !Object.entries(sel).every(([k, v]) => labels[k] === v)) {
      errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
    }
    errs.push(...validateSelectorAndTemplate({ selector: { matchLabels: sel }, template: spec.template }, ALWAYS)
      .filter((e) => e.field !== 'spec.selector' && e.field !== 'spec.template.metadata.labels'));
  }
  return errs;
}

export const replicationControllerStrategy: KindStrategy = {
  prepareForCreate: defaultReplicationController,
  prepareForUpdate: defaultReplicationController,
  validate: validateReplicationController,
};
