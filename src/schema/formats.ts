// The string formats custom-resource validation checks (apiextensions' supported subset of
// kube-openapi's strfmt registry). Any other format (int32, int64, float, double, unknown names)
// is stripped before validation upstream, so it checks nothing. Names are normalised by dropping
// '-' (so `date-time` is `datetime`).
import { ipFamily } from '../registry/validation/net.ts';
import { compilePattern, patternMatches } from './regex.ts';

type Check = (s: string) => boolean;

const HOSTNAME = compilePattern('^([a-zA-Z0-9\\p{S}\\p{L}]((-?[a-zA-Z0-9\\p{S}\\p{L}]{0,62})?)|([a-zA-Z0-9\\p{S}\\p{L}](([a-zA-Z0-9-\\p{S}\\p{L}]{0,61}[a-zA-Z0-9\\p{S}\\p{L}])?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$');
const re = (p: string): Check => {
  const r = compilePattern(p);
  return typeof r === 'string' ? () => false : (s) => patternMatches(r, s);
};

function isHostname(s: string): boolean {
  if (typeof HOSTNAME === 'string' || !patternMatches(HOSTNAME, s)) return false;
  return s.length <= 255 && s.split('.').every((p) => p.length <= 63);
}

/** Go's time.Parse("2006-01-02"): a real calendar day. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[mo - 1];
}

const TIME_PART = re('^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$');
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0]) || !TIME_PART(parts[1])) return false;
  const [h, mi, sec] = parts[1].split(':');
  return h <= '23' && mi <= '59' && sec.slice(0, 2) <= '59';
}

const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const UNITS = [['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];
/** Go's time.ParseDuration, else the Scala-like "<n> <unit>" forms strfmt also accepts. */
function isDuration(s: string): boolean {
  if (s === '0' || GO_DURATION.test(s)) return true;
  for (const m of s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const unit = m[2].toLowerCase();
    for (const variants of UNITS) {
      if (variants.some((v, i) => (i === variants.length - 1 && unit.startsWith(v)) || v === unit)) return true;
    }
  }
  return false;
}

/** net/url.ParseRequestURI as govalidator.IsRequestURI uses it: absolute URI or absolute path. */
function isRequestURI(s: string): boolean {
  if (s === '' || /[\x00-\x1f\x7f]/.test(s)) return false;
  return s.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
}

function isEmail(s: string): boolean {
  const addr = /<([^<>]+)>\s*$/.exec(s)?.[1] ?? s.trim();
  return /^[^\s@<>()\[\]\\,;:"]+@[^\s@<>()\[\]\\,;:"]+$/.test(addr) && !addr.startsWith('.') && !addr.includes('..');
}

function isCIDR(s: string): boolean {
  const [ip, bits, extra] = s.split('/');
  if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const fam = ipFamily(ip);
  return fam !== 0 && Number(bits) <= (fam === 4 ? 32 : 128);
}

function isBase64(s: string): boolean {
  return s.length % 4 === 0 && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s);
}

function isISBN(s: string, len: 10 | 13): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (len === 10) {
    if (!/^\d{9}[\dX]$/.test(d)) return false;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
    sum += d[9] === 'X' ? 100 : 10 * Number(d[9]);
    return sum % 11 === 0;
  }
  if (!/^\d{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(d[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === Number(d[12]);
}

function isCreditCard(s: string): boolean {
  const d = s.replace(/[^0-9]/g, '');
  if (!/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/.test(d)) return false;
  let sum = 0;
  let dbl = false;
  for (let i = d.length - 1; i >= 0; i--) {
    let n = Number(d[i]);
    if (dbl) { n *= 2; if (n > 9) n -= 9; }
    sum += n;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

function isRGBColor(s: string): boolean {
  const m = /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/.exec(s);
  return !!m && [m[1], m[2], m[3]].every((x) => Number(x) <= 255);
}

const CHECKS: Record<string, Check> = {
  bsonobjectid: re('^[0-9a-fA-F]{24}$'),
  uri: isRequestURI,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => ipFamily(s) === 4 && !s.includes(':'),
  ipv6: (s) => s.includes(':') && ipFamily(s) !== 0,
  cidr: isCIDR,
  mac: re('^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{2}[:-]){7}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{2}[:-]){19}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\\.){2}([0-9A-Fa-f]{4})$|^([0-9A-Fa-f]{4}\\.){3}([0-9A-Fa-f]{4})$|^([0-9A-Fa-f]{4}\\.){9}([0-9A-Fa-f]{4})$'),
  uuid: re('(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$'),
  uuid3: re('(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$'),
  uuid4: re('(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$'),
  uuid5: re('(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$'),
  isbn: (s) => isISBN(s, 10) || isISBN(s, 13),
  isbn10: (s) => isISBN(s, 10),
  isbn13: (s) => isISBN(s, 13),
  creditcard: isCreditCard,
  ssn: re('^\\d{3}[- ]?\\d{2}[- ]?\\d{4}$'),
  hexcolor: re('^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$'),
  rgbcolor: isRGBColor,
  byte: isBase64,
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
};

/** The check for a schema format, or undefined when upstream ignores the format. */
export function formatCheck(format: string | undefined): Check | undefined {
  if (!format) return undefined;
  return CHECKS[format.replaceAll('-', '')];
}
