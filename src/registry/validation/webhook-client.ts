// A webhook's clientConfig (admission webhooks, CRD conversion webhooks) as upstream validates it
// (k8s.io/apiserver pkg/util/webhook validation.go): an https URL without user, query or fragment, or a
// complete service reference whose path segments are DNS subdomains.
import type { FieldError } from '../../errors.ts';
import { isDNS1123Subdomain, isValidPortNum } from './names.ts';
import { goErrorValue } from '../../schema/gofmt.ts';

type J = Record<string, any>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const req = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail: detail || undefined });
const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail, rendered: goErrorValue(value) });

const URL_FORM = '; desired format: https://host[/path]';
export function validateWebhookURL(path: string, raw: string): FieldError[] {
  let u: URL;
  try { u = new URL(raw); } catch { return [req(path, `url must be a valid URL: parse ${JSON.stringify(raw)}: invalid URI for request${URL_FORM}`)]; }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(inv(path, scheme, `'https' is the only allowed URL scheme${URL_FORM}`));
  if (u.host === '') errs.push(inv(path, u.host, `host must be specified${URL_FORM}`));
  if (u.username || u.password) errs.push(inv(path, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
  if (u.hash.length > 1) errs.push(inv(path, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search.length > 1) errs.push(inv(path, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

export function validateWebhookService(path: string, svc: J): FieldError[] {
  const errs: FieldError[] = [];
  if (str(svc.name) === '') errs.push(req(`${path}.name`, 'service name is required'));
  if (str(svc.namespace) === '') errs.push(req(`${path}.namespace`, 'service namespace is required'));
  const port = typeof svc.port === 'number' ? svc.port : 443;
  const pm = isValidPortNum(port);
  if (pm.length) errs.push(inv(`${path}.port`, port, `port is not valid: ${pm.join(', ')}`));
  if (typeof svc.path !== 'string') return errs;
  const p = svc.path;
  if (p === '/' || p === '') return errs;
  if (p === '//') { errs.push(inv(`${path}.path`, p, 'segment[0] may not be empty')); return errs; }
  if (!p.startsWith('/')) { errs.push(inv(`${path}.path`, p, "must start with a '/'")); return errs; }
  let check = p.slice(1);
  if (check.endsWith('/')) check = check.slice(0, -1);
  check.split('/').forEach((step, i) => {
    if (step === '') { errs.push(inv(`${path}.path`, p, `segment[${i}] may not be empty`)); return; }
    for (const m of isDNS1123Subdomain(step)) errs.push(inv(`${path}.path`, p, `segment[${i}]: ${m}`));
  });
  return errs;
}

