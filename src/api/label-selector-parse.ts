// Label selector strings, lexed and parsed as k8s.io/apimachinery/pkg/labels/selector.go does, so
// that what is accepted (`x in ()` is `x in ("")`, `x>3`, `x in (a,,b)`) and every refusal's
// message are upstream's. Requirements come back sorted by key, as upstream sorts them.
import { errors } from '../errors.ts';
import { isQualifiedName, isValidLabelValue } from '../registry/validation/names.ts';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin' | 'gt' | 'lt'; values: string[] }
  | { key: string; op: 'exists' | '!' };

/** The lexer's tokens (selector.go Token). */
const T = { Error: 0, End: 1, ClosedPar: 2, Comma: 3, DoesNotExist: 4, DoubleEquals: 5, Equals: 6, GreaterThan: 7, Identifier: 8, In: 9, LessThan: 10, NotEquals: 11, NotIn: 12, OpenPar: 13 } as const;
type T = typeof T[keyof typeof T];

const LITERALS: Record<string, T> = {
  ')': T.ClosedPar, ',': T.Comma, '!': T.DoesNotExist, '==': T.DoubleEquals, '=': T.Equals, '>': T.GreaterThan,
  in: T.In, '<': T.LessThan, '!=': T.NotEquals, notin: T.NotIn, '(': T.OpenPar,
};
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c) && c !== '';

type Item = [T, string];

function lex(s: string): Item[] {
  const out: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    // Go's lexer reads a NUL byte as the end of the string.
    if (pos >= s.length || s[pos] === '\0') { out.push([T.End, '']); return out; }
    if (isSpecial(s[pos])) {
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        const next = buf + s[pos];
        const tok = LITERALS[next];
        if (tok !== undefined) { last = [tok, next]; buf = next; pos++; } else if (last) break; else { buf = next; pos++; }
      }
      if (s[pos] === '\0') pos++;
      out.push(last ?? [T.Error, `error expected: keyword found '${buf}'`]);
    } else {
      const start = pos;
      while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos]) && s[pos] !== '\0') pos++;
      const word = s.slice(start, pos);
      if (s[pos] === '\0') pos++;
      out.push([LITERALS[word] ?? T.Identifier, word]);
    }
  }
}

/** Go's %q for the strings these messages quote. */
const q = (s: string) => JSON.stringify(s).replace(/\\u00([0-7][0-9a-f])/g, '\\x$1');
/** Go's %#v of a []string. */
const goSlice = (v: string[]) => `[]string{${v.map(q).join(', ')}}`;

class Parser {
  private i = 0;
  private readonly items: Item[];
  constructor(s: string) { this.items = lex(s); }
  /** In the Values context `in` and `notin` are identifiers. */
  private look(values: boolean): Item {
    const [t, lit] = this.items[this.i];
    return values && (t === T.In || t === T.NotIn) ? [T.Identifier, lit] : [t, lit];
  }
  private take(values: boolean): Item { const it = this.look(values); this.i++; return it; }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const [t, lit] = this.look(true);
      if (t === T.End) return reqs;
      if (t !== T.Identifier && t !== T.DoesNotExist) throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      let r: LabelRequirement;
      try { r = this.requirement(); } catch (e) { throw new Error(`unable to parse requirement: ${(e as Error).message}`); }
      reqs.push(r);
      const [t2, l2] = this.take(true);
      if (t2 === T.End) return reqs;
      if (t2 !== T.Comma) throw new Error(`found '${l2}', expected: ',' or 'end of string'`);
      const [t3, l3] = this.look(true);
      if (t3 !== T.Identifier && t3 !== T.DoesNotExist) throw new Error(`found '${l3}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let [t, key] = this.take(true);
    let unary: 'exists' | '!' | undefined;
    if (t === T.DoesNotExist) { unary = '!'; [t, key] = this.take(true); }
    if (t !== T.Identifier) throw new Error(`found '${key}', expected: identifier`);
    const keyProblems = isQualifiedName(key);
    if (keyProblems.length) throw new Error(`<nil>: Invalid value: ${q(key)}: ${keyProblems.join('; ')}`);
    const [next] = this.look(true);
    if (next === T.End || next === T.Comma) unary ??= 'exists';
    if (unary) return { key, op: unary };
    const [ot, olit] = this.take(false);
    let values: string[];
    let op: 'in' | 'notin' | 'gt' | 'lt';
    switch (ot) {
      case T.In: op = 'in'; values = this.setValues(); break;
      case T.NotIn: op = 'notin'; values = this.setValues(); break;
      case T.Equals: case T.DoubleEquals: op = 'in'; values = this.exactValue(); break;
      case T.NotEquals: op = 'notin'; values = this.exactValue(); break;
      case T.GreaterThan: op = 'gt'; values = this.exactValue(); break;
      case T.LessThan: op = 'lt'; values = this.exactValue(); break;
      default: throw new Error(`found '${olit}', expected: ${BINARY_OPERATORS}`);
    }
    values = [...new Set(values)].sort();
    checkRequirement(key, op, values);
    return { key, op, values };
  }

  private setValues(): string[] {
    const [t, lit] = this.take(true);
    if (t !== T.OpenPar) throw new Error(`found '${lit}' expected: '('`);
    const [t2, l2] = this.look(true);
    if (t2 === T.ClosedPar) { this.take(true); return ['']; }
    if (t2 !== T.Identifier && t2 !== T.Comma) throw new Error(`found '${l2}', expected: ',', ')' or identifier`);
    const s = this.identifiers();
    if (this.take(true)[0] !== T.ClosedPar) throw new Error(`found '${l2}', expected: ')'`);
    return s;
  }

  private identifiers(): string[] {
    const s: string[] = [];
    for (;;) {
      const [t, lit] = this.take(true);
      if (t === T.Identifier) {
        s.push(lit);
        const [t2, l2] = this.look(true);
        if (t2 === T.Comma) continue;
        if (t2 === T.ClosedPar) return s;
        throw new Error(`found '${l2}', expected: ',' or ')'`);
      }
      if (t !== T.Comma) throw new Error(`found '${lit}', expected: ',', or identifier`);
      if (s.length === 0) s.push('');
      const [t2] = this.look(true);
      if (t2 === T.ClosedPar) { s.push(''); return s; }
      if (t2 === T.Comma) { this.take(true); s.push(''); }
    }
  }

  private exactValue(): string[] {
    const [t] = this.look(true);
    if (t === T.End || t === T.Comma) return [''];
    const [t2, lit] = this.take(true);
    if (t2 === T.Identifier) return [lit];
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/** NewRequirement's checks (key already checked), with its aggregated field-error message. */
function checkRequirement(key: string, op: 'in' | 'notin' | 'gt' | 'lt', values: string[]): void {
  const errs: string[] = [];
  if (op === 'gt' || op === 'lt') {
    if (values.length !== 1) errs.push(`values: Invalid value: ${goSlice(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
    values.forEach((v, i) => { if (!/^[+-]?\d+$/.test(v) || !fitsInt64(v)) errs.push(`values[${i}]: Invalid value: ${q(v)}: for 'Gt', 'Lt' operators, the value must be an integer`); });
  }
  values.forEach((v, i) => {
    const problems = isValidLabelValue(v);
    if (problems.length) errs.push(`values[${i}][${key}]: Invalid value: ${q(v)}: ${problems.join('; ')}`);
  });
  const unique = [...new Set(errs)];
  if (unique.length) throw new Error(unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`);
}

function fitsInt64(v: string): boolean {
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** labels.Parse: the requirements, or a 400 with upstream's message. */
export function parseLabelSelectorString(s: string): LabelRequirement[] {
  try {
    return new Parser(s).parse().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  } catch (e) {
    throw errors.badRequest((e as Error).message);
  }
}
