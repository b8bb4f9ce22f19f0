// PodSpec / PodTemplateSpec validation: the commonly hit subset of upstream's
// pkg/apis/core/validation (ValidatePodSpec), with its field paths and messages.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { check, child, nonNegative } from '../validation/common.ts';
import { validateAnnotations, validateLabels } from '../validation/meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum } from '../validation/names.ts';
import { isQuantity, quantityMilli } from '../validation/quantity.ts';
import { arr, isObj } from './util.ts';
import { validateAffinity } from './podspec-affinity.ts';
import { validateTopologySpreadConstraints } from './podspec-spread.ts';
import { validateTolerations } from './podspec-tolerations.ts';
import { validateSysctls } from './podspec-sysctls.ts';
import { validatePVCSpec } from './storage.ts';

export { validateTolerations } from './podspec-tolerations.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);

function enumField(path: string, v: unknown, allowed: string[], required = true): FieldError[] {
  if (v === undefined || v === null || v === '') return required ? [field.required(path, '')] : [];
  return allowed.includes(v as string) ? [] : [field.notSupported(path, v, allowed)];
}

function validateResourceName(path: string, name: string): FieldError[] {
  if (STANDARD_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
  const errs = check(path, name, isQualifiedName);
  if (errs.length) return errs;
  if (!name.includes('/')) return [field.invalid(path, name, 'must be a standard resource type or fully qualified')];
  return [];
}

function validateResources(r: unknown, path: string): FieldError[] {
  if (r === undefined || r === null) return [];
  if (!isObj(r)) return [field.invalid(path, r, 'must be an object')];
  const errs: FieldError[] = [];
  for (const which of ['limits', 'requests'] as const) {
    const list = r[which];
    if (list === undefined || list === null) continue;
    if (!isObj(list)) { errs.push(field.invalid(`${path}.${which}`, list, 'must be a map of resource names to quantities')); continue; }
    for (const name of Object.keys(list)) {
      const q = list[name];
      // Paths are only spelled out for an error (most lists are fine).
      if (!STANDARD_RESOURCES.has(name) && !name.startsWith('hugepages-')) errs.push(...validateResourceName(`${path}.${which}[${name}]`, name));
      const m = milliOf(q);
      if (m === undefined) { errs.push(field.invalid(`${path}.${which}[${name}]`, q, 'must be a valid quantity')); continue; }
      if (m < 0) errs.push(field.invalid(`${path}.${which}[${name}]`, q, 'must be greater than or equal to 0'));
    }
  }
  if (isObj(r.limits) && isObj(r.requests)) {
    for (const name of Object.keys(r.requests)) {
      const req = r.requests[name];
      const lim = r.limits[name];
      if (lim === undefined) continue;
      const rm = milliOf(req), lm = milliOf(lim);
      if (rm === undefined || lm === undefined) continue;
      if (rm > lm) errs.push(field.invalid(`${path}.requests`, String(req), `must be less than or equal to ${name} limit of ${lim}`));
    }
  }
  return errs;
}

/** A quantity's value in milli-units (as quantityMilli), or undefined when it is not a valid quantity. */
function milliOf(q: unknown): number | undefined {
  const text = String(q);
  return isQuantity(text) ? quantityMilli(text) : undefined;
}

function validateProbe(p: unknown, path: string, liveness: boolean): FieldError[] {
  if (p === undefined || p === null) return [];
  if (!isObj(p)) return [field.invalid(path, p, 'must be an object')];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => p[h] !== undefined && p[h] !== null);
  if (handlers.length === 0) errs.push(field.required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(field.forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...nonNegative(`${path}.${k}`, p[k]));
  if (liveness && p.successThreshold !== undefined && p.successThreshold !== 1) errs.push(field.invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  if (isObj(p.httpGet)) errs.push(...portRef(`${path}.httpGet.port`, p.httpGet.port));
  if (isObj(p.tcpSocket)) errs.push(...portRef(`${path}.tcpSocket.port`, p.tcpSocket.port));
  return errs;
}

function portRef(path: string, v: unknown): FieldError[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => field.invalid(path, v, m));
  if (typeof v === 'string') return isValidPortName(v).map((m) => field.invalid(path, v, m));
  return [field.required(path, '')];
}

function validateContainer(c: unknown, path: string, names: Set<string>, volumes: Set<string> | undefined): FieldError[] {
  if (!isObj(c)) return [field.invalid(path, c, 'must be an object')];
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${path}.name`, ''));
  else {
    errs.push(...check(`${path}.name`, String(c.name), isDNS1123Label));
    if (names.has(c.name)) errs.push(field.duplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (!c.image) errs.push(field.required(`${path}.image`, ''));
  else if (typeof c.image === 'string' && c.image.trim() !== c.image) errs.push(field.invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace'));
  const portNames = new Set<string>();
  arr(c.ports).forEach((p: any, i: number) => {
    const pp = `${path}.ports[${i}]`;
    if (!isObj(p)) { errs.push(field.invalid(pp, p, 'must be an object')); return; }
    if (p.name) {
      errs.push(...check(`${pp}.name`, String(p.name), isValidPortName));
      if (portNames.has(p.name)) errs.push(field.duplicate(`${pp}.name`, p.name));
      portNames.add(p.name);
    }
    if (!p.containerPort) errs.push(field.required(`${pp}.containerPort`, ''));
    else errs.push(...isValidPortNum(p.containerPort).map((m) => field.invalid(`${pp}.containerPort`, p.containerPort, m)));
    if (p.hostPort) errs.push(...isValidPortNum(p.hostPort).map((m) => field.invalid(`${pp}.hostPort`, p.hostPort, m)));
    errs.push(...enumField(`${pp}.protocol`, p.protocol, PROTOCOLS));
  });
  arr(c.env).forEach((e: any, i: number) => {
    const ep = `${path}.env[${i}]`;
    if (!isObj(e) || !e.name) { errs.push(field.required(`${ep}.name`, '')); return; }
    if (/[=]|[^\x20-\x7e]/.test(String(e.name))) errs.push(field.invalid(`${ep}.name`, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    if (e.value !== undefined && e.valueFrom !== undefined) errs.push(field.invalid(`${ep}.valueFrom`, '', 'may not be specified when `value` is not empty'));
  });
  arr(c.volumeMounts).forEach((m: any, i: number) => {
    const mp = `${path}.volumeMounts[${i}]`;
    if (!isObj(m) || !m.name) errs.push(field.required(`${mp}.name`, ''));
    else if (volumes && !volumes.has(m.name)) errs.push(field.invalid(`${mp}.name`, m.name, 'volume not found'));
    if (!isObj(m) || !m.mountPath) errs.push(field.required(`${mp}.mountPath`, ''));
  });
  errs.push(...validateResources(c.resources, `${path}.resources`));
  errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, true));
  errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, false));
  errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, true));
  errs.push(...enumField(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  errs.push(...enumField(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  return errs;
}

export interface PodSpecValidationOptions {
  /** Allowed restart policies (Deployments: only Always; Jobs: their own check). */
  restartPolicies?: string[];
  /**
   * Whether volume mounts must name a volume of the pod (default true). StatefulSet templates: upstream
   * does not check them (their claim templates become volumes only in the pods).
   */
  mountsNeedVolumes?: boolean;
}

/** A generic ephemeral volume: its claim template's spec is a PVC spec. */
function validateEphemeralVolume(e: unknown, path: string): FieldError[] {
  const t = isObj(e) ? e.volumeClaimTemplate : undefined;
  if (!isObj(t)) return [field.required(`${path}.volumeClaimTemplate`, '')];
  return validatePVCSpec(t.spec, `${path}.volumeClaimTemplate.spec`);
}

export function validatePodSpec(spec: unknown, path: string, o: PodSpecValidationOptions = {}): FieldError[] {
  if (!isObj(spec)) return [field.required(path, '')];
  const errs: FieldError[] = [];
  const volumes = new Set<string>();
  arr(spec.volumes).forEach((v: any, i: number) => {
    const p = `${path}.volumes[${i}]`;
    if (!isObj(v) || !v.name) { errs.push(field.required(`${p}.name`, '')); return; }
    errs.push(...check(`${p}.name`, String(v.name), isDNS1123Label));
    if (volumes.has(v.name)) errs.push(field.duplicate(`${p}.name`, v.name));
    volumes.add(v.name);
    if (v.ephemeral !== undefined) errs.push(...validateEphemeralVolume(v.ephemeral, `${p}.ephemeral`));
  });
  const names = new Set<string>();
  const containers = arr(spec.containers);
  if (containers.length === 0) errs.push(field.required(`${path}.containers`, ''));
  const mountable = o.mountsNeedVolumes === false ? undefined : volumes;
  containers.forEach((c, i) => errs.push(...validateContainer(c, `${path}.containers[${i}]`, names, mountable)));
  arr(spec.initContainers).forEach((c, i) => errs.push(...validateContainer(c, `${path}.initContainers[${i}]`, names, mountable)));
  const allowed = o.restartPolicies ?? RESTART_POLICIES;
  if (!spec.restartPolicy) errs.push(field.required(`${path}.restartPolicy`, ''));
  else if (!allowed.includes(spec.restartPolicy)) errs.push(field.notSupported(`${path}.restartPolicy`, spec.restartPolicy, allowed));
  errs.push(...enumField(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validateAffinity(spec.affinity, `${path}.affinity`));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, `${path}.topologySpreadConstraints`));
  if (spec.serviceAccountName) errs.push(...check(`${path}.serviceAccountName`, String(spec.serviceAccountName), isDNS1123Subdomain));
  if (spec.nodeName) errs.push(...check(`${path}.nodeName`, String(spec.nodeName), isDNS1123Subdomain));
  if (spec.hostname) errs.push(...check(`${path}.hostname`, String(spec.hostname), isDNS1123Label));
  if (spec.subdomain) errs.push(...check(`${path}.subdomain`, String(spec.subdomain), isDNS1123Label));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null
    && !(Number.isInteger(spec.activeDeadlineSeconds) && spec.activeDeadlineSeconds >= 1 && spec.activeDeadlineSeconds <= 2147483647)) {
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  errs.push(...validateSysctls(spec, path));
  // A readiness gate names a pod condition type: a qualified name, as upstream's validateReadinessGates.
  arr(spec.readinessGates).forEach((g, i) => errs.push(...check(`${path}.readinessGates[${i}].conditionType`, String(isObj(g) ? g.conditionType ?? '' : ''), isQualifiedName)));
  return errs;
}

/** A PodTemplateSpec inside a workload: template labels/annotations and the pod spec. */
export function validatePodTemplateSpec(tmpl: unknown, path: string, o: PodSpecValidationOptions = {}): FieldError[] {
  if (!isObj(tmpl)) return [field.required(path, '')];
  const md = isObj(tmpl.metadata) ? tmpl.metadata : {};
  return [
    // Upstream reports template labels under `<template>.labels` (no `metadata`).
    ...validateLabels(md.labels, child(path, 'labels')),
    ...validateAnnotations(md.annotations, child(path, 'annotations')),
    ...validatePodSpec(tmpl.spec, child(path, 'spec'), o),
  ];
}
