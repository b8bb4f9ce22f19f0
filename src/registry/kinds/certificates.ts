// certificates.k8s.io/v1 CertificateSigningRequest: the request must parse and be signed by its own
// key; usages, signer name, expiry and conditions checked as upstream; spec and status are kept on a
// plain update (status and approval have their own subresources). Who asked (spec.username, groups)
// is stamped by the server (auth/csr-approval.ts), not here.
import { errors, field } from '../../errors.ts';
import { rfc3339 } from '../../clock.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { parseCsr } from '../../auth/csr.ts';
import { isDNS1123Subdomain } from '../validation/names.ts';
import { arr, isObj } from './util.ts';
import type { KindStrategy } from './util.ts';

export const VALID_USAGES = ['any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment', 'decipher only',
  'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'key agreement', 'key encipherment',
  'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing', 'timestamping'];
const TRUE_ONLY = new Set(['Approved', 'Denied']);
const LEGACY = 'kubernetes.io/legacy-unknown';

/** The PEM text of spec.request (bytes, base64 on the wire). */
export function requestPem(obj: KObject): string {
  const r = obj.spec?.request;
  return typeof r === 'string' ? Buffer.from(r, 'base64').toString('latin1') : '';
}

function validateSignerName(v: unknown): FieldError[] {
  if (typeof v !== 'string' || v === '') return [field.required('spec.signerName', '')];
  const slash = v.indexOf('/');
  const msg = "must be a fully qualified domain and path of the form 'example.com/signer-name'";
  if (slash <= 0 || slash === v.length - 1 || isDNS1123Subdomain(v.slice(0, slash)).length || !v.slice(0, slash).includes('.')) return [field.invalid('spec.signerName', v, msg)];
  return [];
}

function validateConditions(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false, denied = false;
  arr(obj.status?.conditions).forEach((c: any, i: number) => {
    const p = `status.conditions[${i}]`;
    const cond = isObj(c) ? c : {};
    if (!cond.type) errs.push(field.required(`${p}.type`, ''));
    const allowed = TRUE_ONLY.has(cond.type) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!cond.status) errs.push(field.required(`${p}.status`, ''));
    else if (!allowed.includes(cond.status)) errs.push(field.notSupported(`${p}.status`, cond.status, allowed));
    if (cond.type === 'Approved') { approved = true; if (denied) errs.push(field.invalid(`${p}.type`, cond.type, 'Approved and Denied conditions are mutually exclusive')); }
    if (cond.type === 'Denied') { denied = true; if (approved) errs.push(field.invalid(`${p}.type`, cond.type, 'Approved and Denied conditions are mutually exclusive')); }
    if (cond.type && seen.has(cond.type)) errs.push(field.duplicate(`${p}.type`, cond.type));
    seen.add(cond.type);
  });
  return errs;
}

export function validateCsr(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(obj.spec) ? obj.spec : {};
  try { parseCsr(requestPem(obj)); } catch (e) { errs.push(field.invalid('spec.request', spec.request ?? '', (e as Error).message)); }
  const usages = arr(spec.usages);
  if (usages.length === 0) errs.push(field.required('spec.usages', ''));
  const seen = new Set<unknown>();
  usages.forEach((u, i) => {
    if (!VALID_USAGES.includes(u)) errs.push(field.notSupported(`spec.usages[${i}]`, u, VALID_USAGES));
    if (seen.has(u)) errs.push(field.duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  if (spec.signerName === LEGACY) errs.push(field.invalid('spec.signerName', LEGACY, 'the legacy signerName is not allowed via this API version'));
  else errs.push(...validateSignerName(spec.signerName));
  if (typeof spec.expirationSeconds === 'number' && spec.expirationSeconds < 600) {
    errs.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return [...errs, ...validateConditions(obj)];
}

/** Condition timestamps the client left out (populateConditionTimestamps): now, or the old condition's transition time. */
function stampConditions(obj: KObject, old: KObject, now: string): void {
  const before = arr(old.status?.conditions);
  for (const c of arr(obj.status?.conditions)) {
    if (!isObj(c)) continue;
    c.lastUpdateTime ??= now;
    if (!c.lastTransitionTime) {
      const prev = before.find((o: any) => isObj(o) && o.type === c.type && o.status === c.status);
      c.lastTransitionTime = prev?.lastTransitionTime ?? now;
    }
  }
}

/** Writes of status and approval: valid conditions, none of Approved, Denied or Failed removed. */
function statusUpdateErrors(obj: KObject, old: KObject): FieldError[] {
  const errs = validateConditions(obj);
  const count = (o: KObject, t: string) => arr(o.status?.conditions).filter((c: any) => isObj(c) && c.type === t).length;
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (count(obj, t) < count(old, t)) errs.push(field.forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`));
  }
  const cert = obj.status?.certificate, was = old.status?.certificate;
  if (was && cert !== was) errs.push(field.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  return errs;
}

export const csrStrategy: KindStrategy = {
  nameRule: 'path',
  generation: false,
  statusUpdatesMetadata: true,
  prepareForCreate(obj) {
    // Who asked is the server's to say (csr-approval.ts stamps it); the client cannot set it.
    if (isObj(obj.spec)) { delete obj.spec.username; delete obj.spec.uid; delete obj.spec.groups; delete obj.spec.extra; }
    obj.status = {};
  },
  prepareForUpdate(obj, old) {
    obj.spec = old.spec;
    if (old.status === undefined) delete obj.status; else obj.status = old.status;
  },
  validate: validateCsr,
  fieldSelectors: { 'spec.signerName': (o) => (typeof o.spec?.signerName === 'string' ? o.spec.signerName : '') },
  async admitStatusUpdate(obj, old, ctx) {
    stampConditions(obj, old, rfc3339(ctx.clock.now()));
    const errs = statusUpdateErrors(obj, old);
    if (errs.length) throw errors.invalid('certificates.k8s.io', 'CertificateSigningRequest', obj.metadata.name ?? '', errs);
  },
};
