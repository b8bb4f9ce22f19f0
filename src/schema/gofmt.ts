// How Go prints values in upstream's messages, so Skiff's messages read the same byte for byte:
// `%v` of a float64 (1e+06, not 1000000), encoding/json (sorted keys, HTML escapes), `%q` of a
// string, and `%#v` of unstructured JSON (`map[string]interface {}{"a":1}`) as field errors show
// object values. JSON numbers without a fraction are taken as int64, as Go's unstructured decoder does.

/** Go's `%v` of a float64 (strconv 'g' with the shortest precision, exponent from 1e+06 up). */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return String(v);
}

/** `%v` of a JSON number as Go holds it after decoding: int64 when integral, else float64. */
export function goNumber(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v).toString() : goFloat(v);
}

/** Go's strconv.Quote (`%q`): like JSON, but \x escapes for other control bytes and \u007f. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** encoding/json's Marshal: map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJSON(v: unknown): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (isMap(v)) {
    return `{${Object.keys(v).sort().map((k) => `${goString(k)}:${goJSON(v[k])}`).join(',')}}`;
  }
  if (typeof v === 'string') return goString(v);
  return JSON.stringify(v) ?? 'null';
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `%#v` of an unstructured JSON value as Go prints it inside a field error. */
export function goSharpV(v: unknown, nested = false): string {
  if (v === null || v === undefined) return nested ? 'interface {}(nil)' : '<nil>';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goSharpV(x, true)).join(', ')}}`;
  if (isMap(v)) {
    return `map[string]interface {}{${Object.keys(v).sort().map((k) => `${goQuote(k)}:${goSharpV(v[k], true)}`).join(', ')}}`;
  }
  return String(v);
}

/** How a field error prints its bad value (apimachinery's ErrorBody), when the JSON form would differ. */
export function goErrorValue(v: unknown): string | undefined {
  if (v === null) return '"null"'; // apimachinery 1.32 prints a nil bad value as the string "null"
  if (typeof v === 'number') return goNumber(v);
  if (isMap(v) || Array.isArray(v)) return goSharpV(v);
  return undefined;
}

/** `%#v` of a Go []string, as field errors print string-list values (`[]string{"a", "b"}`). */
export function goStringSlice(v: unknown[]): string {
  return `[]string{${v.map((x) => goQuote(String(x))).join(', ')}}`;
}

/** Go's `%v` of decoded (unstructured) JSON: `map[a:1 b:[x y]]`, `<nil>`, numbers as int64/float64. */
export function goV(v: unknown): string {
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<nil>';
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goV(v[k])}`).join(' ')}]`;
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  return String(v);
}

/** Go's reflect type name of decoded JSON, as in "expected a map[string]interface {}, but received a string". */
export function goReflectType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
