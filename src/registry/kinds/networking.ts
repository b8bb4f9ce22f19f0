// networking.k8s.io/v1 Ingress and IngressClass.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { check, immutable, tooLong } from '../validation/common.ts';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain } from '../validation/names.ts';
import { ipFamily } from '../validation/net.ts';
import { arr, isObj } from './util.ts';
import type { KindStrategy } from './util.ts';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateBackend(b: unknown, path: string): FieldError[] {
  const be = isObj(b) ? b : {};
  const hasRes = be.resource != null; const hasSvc = be.service != null;
  if (hasRes && hasSvc) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasRes) {
    const r = isObj(be.resource) ? be.resource : {};
    const errs: FieldError[] = [];
    if (!r.kind) errs.push(field.required(`${path}.resource.kind`, ''));
    if (!r.name) errs.push(field.required(`${path}.resource.name`, ''));
    return errs;
  }
  if (!hasSvc) return [field.invalid(path, '', 'resource or service backend is required')];
  const s = isObj(be.service) ? be.service : {};
  const errs: FieldError[] = [];
  if (!s.name) errs.push(field.required(`${path}.service.name`, ''));
  else errs.push(...check(`${path}.service.name`, String(s.name), isDNS1035Label));
  const port = isObj(s.port) ? s.port : {};
  if (port.name && port.number) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (port.name) errs.push(...check(`${path}.service.port.name`, String(port.name), isValidPortName));
  else if (port.number) errs.push(...isValidPortNum(port.number).map((m) => field.invalid(`${path}.service.port.number`, port.number, m)));
  else errs.push(field.required(path, 'port name or number is required'));
  return errs;
}

export function validateIngress(obj: KObject): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  const rules = arr(spec.rules);
  if (spec.defaultBackend == null && rules.length === 0) errs.push(field.invalid('spec', spec, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend != null) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  if (spec.ingressClassName != null) errs.push(...check('spec.ingressClassName', String(spec.ingressClassName), isDNS1123Subdomain));
  rules.forEach((r: any, i: number) => {
    const rp = `spec.rules[${i}]`;
    const rule = isObj(r) ? r : {};
    if (rule.host) {
      const host = String(rule.host);
      if (ipFamily(host)) errs.push(field.invalid(`${rp}.host`, host, 'must be a DNS name, not an IP address'));
      else errs.push(...check(`${rp}.host`, host, host.startsWith('*.') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain));
    }
    if (rule.http == null) return;
    const paths = arr(rule.http?.paths);
    if (paths.length === 0) errs.push(field.required(`${rp}.http.paths`, ''));
    paths.forEach((p: any, j: number) => {
      const pp = `${rp}.http.paths[${j}]`;
      const hp = isObj(p) ? p : {};
      if (!hp.pathType) errs.push(field.required(`${pp}.pathType`, 'pathType must be specified'));
      else if (!PATH_TYPES.includes(hp.pathType)) errs.push(field.notSupported(`${pp}.pathType`, hp.pathType, PATH_TYPES));
      if ((hp.pathType === 'Exact' || hp.pathType === 'Prefix') && !String(hp.path ?? '').startsWith('/')) {
        errs.push(field.invalid(`${pp}.path`, hp.path ?? '', 'must be an absolute path'));
      }
      errs.push(...validateBackend(hp.backend, `${pp}.backend`));
    });
  });
  arr(spec.tls).forEach((t: any, i: number) => {
    arr<string>(t?.hosts).forEach((h, j) => errs.push(...check(`spec.tls[${i}].hosts[${j}]`, String(h), String(h).startsWith('*.') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain)));
  });
  return errs;
}

export const ingressStrategy: KindStrategy = {
  // Upstream's ingressStatusStrategy resets only the spec: labels and annotations sent to /status are kept.
  statusUpdatesMetadata: true,
  prepareForCreate(obj) { obj.status = { loadBalancer: {} }; },
  validate: validateIngress,
};

export const ingressClassStrategy: KindStrategy = {
  validate(obj) {
    const c = obj.spec?.controller;
    if (!c) return [field.required('spec.controller', '')];
    return String(c).length > 250 ? [tooLong('spec.controller', 250)] : [];
  },
  validateUpdate(obj, old) { return [...(ingressClassStrategy.validate!(obj, undefined as never)), ...immutable('spec.controller', obj.spec?.controller, old.spec?.controller)]; },
};
