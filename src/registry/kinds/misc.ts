// Smaller kinds: Node, Event, Lease, PriorityClass, HorizontalPodAutoscaler, PodTemplate, Endpoints.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { immutable, nonNegative } from '../validation/common.ts';
import { defaultPodTemplate } from './podspec-defaults.ts';
import { validatePodTemplateSpec } from './podspec-validation.ts';
import { arr, canonicalizeResourceList, def, isObj, sub } from './util.ts';
import type { KindStrategy } from './util.ts';

// ---- Node ----

function defaultNode(obj: KObject): void {
  if (!isObj(obj.status)) return;
  canonicalizeResourceList(obj.status.capacity, 'Node', 'v1');
  canonicalizeResourceList(obj.status.allocatable, 'Node', 'v1');
  if (isObj(obj.status.capacity) && !isObj(obj.status.allocatable)) obj.status.allocatable = { ...obj.status.capacity };
}

export const nodeStrategy: KindStrategy = {
  generation: false,
  prepareForCreate: defaultNode,
  fieldSelectors: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
  validate(obj) {
    const errs: FieldError[] = [];
    for (const [i, t] of arr(obj.spec?.taints).entries()) {
      if (!isObj(t) || !t.key) errs.push(field.required(`spec.taints[${i}].key`, ''));
      if (!isObj(t) || !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
        errs.push(field.notSupported(`spec.taints[${i}].effect`, t?.effect ?? '', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
      }
    }
    return errs;
  },
};

// ---- Event (core/v1 and events.k8s.io/v1) ----

export const eventStrategy: KindStrategy = {
  generation: false,
  fieldSelectors: {
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingComponent: (o) => o.reportingComponent ?? '',
    source: (o) => o.source?.component || o.reportingComponent || '',
    type: (o) => o.type ?? '',
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const ns = obj.involvedObject?.namespace;
    if (ns && obj.metadata.namespace && ns !== obj.metadata.namespace) {
      errs.push(field.invalid('involvedObject.namespace', ns, 'does not match event.namespace'));
    }
    if (obj.type && !['Normal', 'Warning'].includes(obj.type)) errs.push(field.notSupported('type', obj.type, ['Normal', 'Warning']));
    return errs;
  },
};

export const eventsV1Strategy: KindStrategy = {
  generation: false,
  fieldSelectors: {
    'regarding.kind': (o) => o.regarding?.kind ?? '',
    'regarding.namespace': (o) => o.regarding?.namespace ?? '',
    'regarding.name': (o) => o.regarding?.name ?? '',
    'regarding.uid': (o) => o.regarding?.uid ?? '',
    'regarding.apiVersion': (o) => o.regarding?.apiVersion ?? '',
    'regarding.resourceVersion': (o) => o.regarding?.resourceVersion ?? '',
    'regarding.fieldPath': (o) => o.regarding?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingController: (o) => o.reportingController ?? '',
    type: (o) => o.type ?? '',
  },
};

// ---- Lease ----

export const leaseStrategy: KindStrategy = {
  generation: false,
  validate(obj) {
    const spec = isObj(obj.spec) ? obj.spec : {};
    const errs: FieldError[] = [];
    if (spec.leaseDurationSeconds != null && !(typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds > 0)) {
      errs.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
    }
    errs.push(...nonNegative('spec.leaseTransitions', spec.leaseTransitions));
    return errs;
  },
};

// ---- PriorityClass ----

const SYSTEM_PRIORITY_CLASSES = new Set(['system-node-critical', 'system-cluster-critical']);
export const HIGHEST_USER_PRIORITY = 1000000000;

export const priorityClassStrategy: KindStrategy = {
  prepareForCreate(obj) { def(obj, 'preemptionPolicy', 'PreemptLowerPriority'); },
  prepareForUpdate(obj) { def(obj, 'preemptionPolicy', 'PreemptLowerPriority'); },
  validate(obj) {
    const errs: FieldError[] = [];
    const name = obj.metadata.name ?? '';
    if (name.startsWith('system-') && !SYSTEM_PRIORITY_CLASSES.has(name)) {
      errs.push(field.forbidden('metadata.name', "priority class names with 'system-' prefix are reserved for system use only"));
    }
    if (typeof obj.value !== 'number' || !Number.isInteger(obj.value)) errs.push(field.required('value', ''));
    else if (obj.value > HIGHEST_USER_PRIORITY && !SYSTEM_PRIORITY_CLASSES.has(name)) {
      errs.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
    }
    if (!['PreemptLowerPriority', 'Never'].includes(obj.preemptionPolicy)) errs.push(field.notSupported('preemptionPolicy', obj.preemptionPolicy ?? '', ['Never', 'PreemptLowerPriority']));
    return errs;
  },
  validateUpdate(obj, old) {
    const errs = priorityClassStrategy.validate!(obj, undefined as never);
    if (obj.value !== old.value) errs.push(field.forbidden('value', 'may not be changed in an update.'));
    errs.push(...immutable('preemptionPolicy', obj.preemptionPolicy, old.preemptionPolicy));
    return errs;
  },
};

// ---- HorizontalPodAutoscaler (autoscaling/v2, and v1's shape) ----

function defaultHPA(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  const spec = obj.spec;
  def(spec, 'minReplicas', 1);
  if (obj.apiVersion === 'autoscaling/v1') return;
  if (!arr(spec.metrics).length) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  if (isObj(spec.behavior)) {
    const up = sub(spec.behavior, 'scaleUp');
    def(up, 'stabilizationWindowSeconds', 0);
    def(up, 'selectPolicy', 'Max');
    def(up, 'policies', [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]);
    const down = sub(spec.behavior, 'scaleDown');
    def(down, 'stabilizationWindowSeconds', 300);
    def(down, 'selectPolicy', 'Max');
    def(down, 'policies', [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
  }
}

export const hpaStrategy: KindStrategy = {
  prepareForCreate: defaultHPA,
  prepareForUpdate: defaultHPA,
  validate(obj) {
    const spec = obj.spec;
    if (!isObj(spec)) return [field.required('spec', '')];
    const errs: FieldError[] = [];
    const ref = isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
    if (!ref.kind) errs.push(field.required('spec.scaleTargetRef.kind', ''));
    if (!ref.name) errs.push(field.required('spec.scaleTargetRef.name', ''));
    if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) errs.push(field.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
    if (typeof spec.maxReplicas !== 'number' || spec.maxReplicas < 1) errs.push(field.invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
    else if (typeof spec.minReplicas === 'number' && spec.maxReplicas < spec.minReplicas) errs.push(field.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
    arr(spec.metrics).forEach((m: any, i: number) => {
      const types = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
      if (!isObj(m) || !types.includes(m.type)) errs.push(field.notSupported(`spec.metrics[${i}].type`, m?.type ?? '', types));
    });
    return errs;
  },
};

// ---- PodTemplate ----

export const podTemplateStrategy: KindStrategy = {
  prepareForCreate(obj) { defaultPodTemplate(obj.template, { kind: 'PodTemplate', version: 'v1' }); },
  prepareForUpdate(obj) { defaultPodTemplate(obj.template, { kind: 'PodTemplate', version: 'v1' }); },
  validate(obj) { return validatePodTemplateSpec(obj.template, 'template'); },
};

// ---- Endpoints ----

function defaultEndpoints(obj: KObject): void {
  for (const s of arr(obj.subsets)) for (const p of arr(s?.ports)) if (isObj(p)) def(p, 'protocol', 'TCP');
}
export const endpointsStrategy: KindStrategy = { prepareForCreate: defaultEndpoints, prepareForUpdate: defaultEndpoints };
