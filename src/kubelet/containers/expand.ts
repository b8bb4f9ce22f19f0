// Upstream's `$(VAR)` expansion (third_party/forked/golang/expansion): `$(NAME)` becomes the value
// of NAME when it is defined and stays as written when it is not; `$$` is an escaped `$`; a `$`
// followed by anything else, or an unterminated `$(`, is kept literally.

/** Expand `input` with `lookup` (undefined = not defined: the reference stays verbatim). */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  if (!input.includes('$')) return input;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) { out += ch; i++; continue; }
    const next = input[i + 1];
    if (next === '$') { out += '$'; i += 2; continue; }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) { out += '$('; i += 2; continue; }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v === undefined ? `$(${name})` : v;
      i = close + 1;
      continue;
    }
    out += `$${next}`;
    i += 2;
  }
  return out;
}

/** A lookup over ordered maps: the first map that defines the name wins. */
export const lookupIn = (...maps: Record<string, string>[]) => (name: string): string | undefined => {
  for (const m of maps) if (Object.hasOwn(m, name)) return m[name];
  return undefined;
};
