// Named formats in CEL (k8s.io/apiserver/pkg/cel/library/format.go): `format.dns1123Label()`,
// `format.named("...")`, and `<format>.validate(str)`, which answers optional.none() for a
// valid string or optional.of(list of messages) as apimachinery's validators word them.
import { Optional, type Environment } from '@marcbachmann/cel-js';

type Check = (s: string) => string[];

const maxLen = (n: number): Check => (s) => (s.length > n ? [`must be no more than ${n} characters`] : []);
const regexCheck = (re: RegExp, msg: string): Check => (s) => (re.test(s) ? [] : [msg]);
const both = (...cs: Check[]): Check => (s) => cs.flatMap((c) => c(s));

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const example = (regex: string, ex: string) => `(e.g. ${ex}, regex used for validation is '${regex}')`;

const dns1123Label = both(maxLen(63), regexCheck(new RegExp(`^${DNS1123_LABEL}$`),
  `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character ${example(DNS1123_LABEL, "'my-name',  or '123-abc'")}`));
const dns1123Subdomain = both(maxLen(253), regexCheck(new RegExp(`^${DNS1123_SUBDOMAIN}$`),
  `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character ${example(DNS1123_SUBDOMAIN, "'example.com'")}`));
const dns1035Label = both(maxLen(63), regexCheck(new RegExp(`^${DNS1035_LABEL}$`),
  `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character ${example(DNS1035_LABEL, "'my-name',  or 'abc-123'")}`));
const prefixed = (c: Check): Check => (s) => c(s.endsWith('-') ? `${s.slice(0, -1)}a` : s);
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const labelValue = both(maxLen(63), regexCheck(new RegExp(`^${LABEL_VALUE}$`),
  `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${example(LABEL_VALUE, "'MyValue',  or 'my_value',  or '12345'")}`));
const QNAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedName: Check = (s) => {
  const parts = s.split('/');
  const nameMsg = `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${example(QNAME, "'MyName',  or 'my.name',  or '123-abc'")}`;
  if (parts.length > 2) return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${example(QNAME, "'MyName',  or 'my.name',  or '123-abc'")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const name = parts[parts.length - 1];
  const errs: string[] = [];
  if (parts.length === 2) {
    if (parts[0].length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(parts[0]).map((m) => `prefix part ${m}`));
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length && !new RegExp(`^${QNAME}$`).test(name)) errs.push(nameMsg);
  return errs;
};
const uuid = regexCheck(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'does not match the UUID format');
const byteFmt = regexCheck(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'invalid base64');
const date = regexCheck(/^\d{4}-\d{2}-\d{2}$/, 'invalid date');
const datetime = regexCheck(/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/, 'invalid datetime');
const uri: Check = (s) => { try { new URL(s); return []; } catch { return ['invalid URI']; } };

export const NAMED_FORMATS: Record<string, Check> = {
  dns1123Label, dns1123Subdomain, dns1035Label, qualifiedName, labelValue, uri, uuid, byte: byteFmt, date, datetime,
  dns1123LabelPrefix: prefixed(dns1123Label), dns1123SubdomainPrefix: prefixed(dns1123Subdomain), dns1035LabelPrefix: prefixed(dns1035Label),
};

export class NamedFormat {
  readonly name: string;
  readonly check: Check;
  constructor(name: string, check: Check) { this.name = name; this.check = check; }
}
class NamedFormats {}

export function registerFormat(env: Environment): void {
  const F = 'kubernetes.NamedFormat', FS = 'kubernetes.NamedFormats';
  env.registerType(F, NamedFormat);
  env.registerType(FS, NamedFormats);
  env.registerConstant('format', FS, new NamedFormats());
  for (const [name, check] of Object.entries(NAMED_FORMATS)) {
    const f = new NamedFormat(name, check);
    env.registerFunction(`${FS}.${name}(): ${F}`, () => f);
  }
  env.registerFunction(`${FS}.named(string): optional<${F}>`, (_fs: unknown, n: string) =>
    (Object.hasOwn(NAMED_FORMATS, n) ? Optional.of(new NamedFormat(n, NAMED_FORMATS[n])) : Optional.none()));
  env.registerFunction(`${F}.validate(string): optional<list<string>>`, (f: NamedFormat, s: string) => {
    const errs = f.check(s);
    return errs.length ? Optional.of(errs) : Optional.none();
  });
}
