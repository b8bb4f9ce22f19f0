// The yaml library (72 modules, ~20–40 ms to load) is required on first use rather than at start-up:
// only YAML request bodies, YAML responses and `skiff kubeconfig --merge` need it.
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let lib: Yaml | undefined;

export function yaml(): Yaml {
  return (lib ??= createRequire(import.meta.url)('yaml') as Yaml);
}

/**
 * Repeated mapping keys of a YAML (or JSON) text, worded as go-yaml v2's strict decoder reports them
 * (`line 9: key "foo" already set in map`, 1-based line of the repeated key), in document order.
 * Unparseable text gives none: the ordinary decode reports its syntax error.
 */
export function yamlDuplicateKeys(text: string): string[] {
  const Y = yaml();
  const lines = new Y.LineCounter();
  let docs;
  try {
    docs = Y.parseAllDocuments(text, { uniqueKeys: false, lineCounter: lines });
  } catch {
    return [];
  }
  if (!Array.isArray(docs) || docs.length === 0) return [];
  const out: string[] = [];
  Y.visit(docs[0], {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key as any;
        const v = Y.isScalar(k) ? k.value : k;
        const id = typeof v === 'string' ? `s:${v}` : Y.isScalar(k) ? `v:${String(v)}` : undefined;
        if (id === undefined) continue;
        if (seen.has(id)) out.push(`line ${lines.linePos(k.range?.[0] ?? 0).line}: key ${typeof v === 'string' ? JSON.stringify(v) : String(v)} already set in map`);
        seen.add(id);
      }
    },
  });
  return out;
}

/** go-yaml v2's strict-decoding error text for a list of its findings. */
export function yamlStrictMessage(findings: string[]): string {
  return `yaml: unmarshal errors:\n${findings.map((f) => `  ${f}`).join('\n')}`;
}
