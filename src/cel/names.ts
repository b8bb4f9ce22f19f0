// Property names as CEL sees them (k8s.io/apiserver/pkg/cel/escaping.go): reserved words become
// `__word__`, and `__`, `.`, `-`, `/` are spelled out; names that cannot be escaped are not
// accessible from rules.

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function',
  'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const ESCAPABLE = /^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/;

/** The CEL field name for a property, or undefined when the property cannot be referenced. */
export function escapeName(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  if (!ESCAPABLE.test(name)) return undefined;
  if (!/__|[.\-/]/.test(name)) return name;
  return name.replace(/__|[.\-/]/g, (m) => (m === '__' ? '__underscores__' : m === '.' ? '__dot__' : m === '-' ? '__dash__' : '__slash__'));
}
