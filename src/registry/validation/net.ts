// IP addresses, CIDRs and port references (after k8s.io/apimachinery/pkg/util/validation/ip.go).
import { isIP } from 'node:net';
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { isValidPortName, isValidPortNum } from './names.ts';

/** IPv4 (leading zeros tolerated, as upstream's sloppy parser) or IPv6. Returns 4, 6 or 0. */
export function ipFamily(s: string): 4 | 6 | 0 {
  if (typeof s !== 'string') return 0;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((p) => Number(p) <= 255) ? 4 : 0;
  return isIP(s) === 6 && !s.includes('%') ? 6 : 0;
}

export function validateIP(path: string, v: string): FieldError[] {
  return ipFamily(v) ? [] : [field.invalid(path, v, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function validateCIDR(path: string, v: string): FieldError[] {
  const m = /^(.+)\/(\d{1,3})$/.exec(v ?? '');
  const fam = m ? ipFamily(m[1]) : 0;
  if (!m || !fam || Number(m[2]) > (fam === 4 ? 32 : 128)) {
    return [field.invalid(path, v, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
  }
  return [];
}

/** A port given as a number (1-65535) or an IANA port name (IntOrString such as targetPort). */
export function validatePortNumOrName(path: string, v: unknown): FieldError[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => field.invalid(path, v, m));
  if (typeof v === 'string') return isValidPortName(v).map((m) => field.invalid(path, v, m));
  return [field.invalid(path, v, 'must be an integer or string')];
}

/** Unix-style checks on IP addresses no one may use for Services or Endpoints. */
export function validateNonSpecialIP(path: string, ip: string): FieldError[] {
  if (ip === '0.0.0.0' || ip === '::') return [field.invalid(path, ip, 'may not be unspecified (0.0.0.0)')];
  if (/^127\./.test(ip) || ip === '::1') return [field.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  if (/^169\.254\./.test(ip) || /^fe80:/i.test(ip)) return [field.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if (/^22[4-9]\.|^23\d\./.test(ip) || /^ff/i.test(ip)) return [field.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  return [];
}
