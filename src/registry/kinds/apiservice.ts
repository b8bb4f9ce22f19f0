// APIService (apiregistration.k8s.io/v1), as upstream's kube-aggregator validates it: names are path
// segments equal to `<version>.<group>` (`v1.` for the core group), priorities in range, a service
// reference complete, and caBundle and insecureSkipTLSVerify not both set.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation/names.ts';
import type { KindStrategy } from './util.ts';

function validateAPIService(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec && typeof obj.spec === 'object' ? obj.spec : {};
  const group = typeof spec.group === 'string' ? spec.group : '';
  const version = typeof spec.version === 'string' ? spec.version : '';
  const want = `${version}.${group}`;
  if (obj.metadata.name !== want) errs.push(field.invalid('metadata.name', obj.metadata.name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(want)}`));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(field.invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(field.invalid('spec.version', version, m));
  const gp = spec.groupPriorityMinimum;
  if (typeof gp !== 'number' || gp <= 0) errs.push(field.invalid('spec.groupPriorityMinimum', gp ?? 0, 'must be positive and less than 20000'));
  else if (gp > 20000) errs.push(field.invalid('spec.groupPriorityMinimum', gp, 'must be positive and less than 20000'));
  const vp = spec.versionPriority;
  if (typeof vp !== 'number' || vp <= 0) errs.push(field.invalid('spec.versionPriority', vp ?? 0, 'must be positive and less than 1000'));
  else if (vp > 1000) errs.push(field.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const svc = spec.service;
  if (svc && typeof svc === 'object') {
    if (!svc.namespace) errs.push(field.required('spec.service.namespace', ''));
    if (!svc.name) errs.push(field.required('spec.service.name', ''));
    if (svc.port !== undefined && !(Number.isInteger(svc.port) && svc.port >= 1 && svc.port <= 65535)) errs.push(field.invalid('spec.service.port', svc.port, 'port is not valid: must be between 1 and 65535, inclusive'));
    if (spec.insecureSkipTLSVerify && spec.caBundle) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  } else {
    if (spec.insecureSkipTLSVerify) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    if (spec.caBundle) errs.push(field.invalid('spec.caBundle', '', 'local APIServices may not have a caBundle'));
  }
  return errs;
}

export const apiServiceStrategy: KindStrategy = {
  nameRule: 'path',
  generation: false,
  prepareForCreate(obj) { if (obj.spec?.service && obj.spec.service.port === undefined) obj.spec.service.port = 443; },
  prepareForUpdate(obj) { if (obj.spec?.service && obj.spec.service.port === undefined) obj.spec.service.port = 443; },
  validate: validateAPIService,
};
