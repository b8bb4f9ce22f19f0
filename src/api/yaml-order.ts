// The key order of upstream's YAML responses. Upstream encodes JSON, then converts it to YAML through
// a generic map (sigs.k8s.io/yaml JSONToYAML → its goyaml.v2 fork), whose encoder sorts mapping keys
// "naturally": letters compare by code point, a non-letter sorts before a letter, and runs of digits
// compare by their numeric value. The pairs are sorted once the document is built, so integer-like keys
// (which a plain object iterates first) take their place too.

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** goyaml.v2's ordering of two string keys (negative: a first). */
export function yamlKeyCompare(a: string, b: string): number {
  const ar = [...a], br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]), bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i] ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    // Digit runs compare by value; a run continuing a non-zero number (e.g. "10" vs "100") compares as one.
    let an = 0, bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) if (ar[j] !== '0') { an = 1; bn = 1; break; }
    }
    let ai = i, bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + (ar[ai].charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + (br[bi].charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ar[i] < br[i] ? -1 : 1;
  }
  return ar.length - br.length;
}

const keyOf = (p: { key?: unknown }) => String((p.key as { value?: unknown } | null)?.value ?? p.key);

/**
 * Options for the yaml library that write what goyaml.v2 writes: mapping keys in its order, YAML 1.1
 * quoting (strings such as "y", "on" or a timestamp are quoted), block sequences not indented under
 * their key, no line folding.
 */
export const GO_YAML_OPTIONS = {
  version: '1.1' as const,
  lineWidth: 0,
  indentSeq: false,
  sortMapEntries: (a: { key?: unknown }, b: { key?: unknown }) => yamlKeyCompare(keyOf(a), keyOf(b)),
};
