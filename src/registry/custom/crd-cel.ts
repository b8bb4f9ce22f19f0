// The bridge between CRD validation (src/schema validateCRD, which walks the schema and asks for the
// CEL errors of each node with rules) and the CEL compiler (src/cel compileSchemaRules, which compiles
// a whole schema at once, cached per schema object). The root schema is compiled once per validation;
// each node then gets the errors that belong to its own rules, moved under the node's field path, and
// the errors of the whole schema (total cost) go with the first node asked about.
import type { FieldError } from '../../errors.ts';
import { compileSchemaRules } from '../../cel/index.ts';
import type { StructuralSchema } from '../../schema/types.ts';

type J = Record<string, any>;
const isMap = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const COST = /exceeds budget by factor|contributed to estimated rule cost total/;

/** Paths of every schema node in the compiler's notation (`.properties[spec].items`), root ''. */
function nodePaths(root: J): Map<J, string> {
  const out = new Map<J, string>();
  const stack: [J, string][] = [[root, '']];
  while (stack.length) {
    const [s, p] = stack.pop()!;
    if (out.has(s)) continue;
    out.set(s, p);
    if (isMap(s.properties)) for (const k of Object.keys(s.properties)) if (isMap(s.properties[k])) stack.push([s.properties[k], `${p}.properties[${k}]`]);
    if (isMap(s.additionalProperties)) stack.push([s.additionalProperties, `${p}.additionalProperties`]);
    if (isMap(s.items)) stack.push([s.items, `${p}.items`]);
  }
  return out;
}

interface Compiled { paths: Map<J, string>; errors: FieldError[]; rootDone: boolean }

/**
 * A `celRules` callback for one validateCRD call: `(node, path, ctx)` → the CEL errors of the rules at
 * `node`, whose CRD field path is `path`.
 */
export function celRulesFor(): (node: J, path: string, ctx: { uncorrelatablePath?: string; suppressCost?: boolean; root: J }) => FieldError[] {
  const roots = new WeakMap<J, Compiled>();
  return (node, path, ctx) => {
    let c = roots.get(ctx.root);
    if (!c) {
      c = { paths: nodePaths(ctx.root), errors: compileSchemaRules(ctx.root as StructuralSchema, ''), rootDone: false };
      roots.set(ctx.root, c);
    }
    const rel = c.paths.get(node);
    if (rel === undefined) return [];
    const rootPath = path.slice(0, path.length - crdPath(rel).length);
    const mine = `${rel}.x-kubernetes-validations[`;
    const out: FieldError[] = [];
    for (const e of c.errors) {
      if (ctx.suppressCost && COST.test(e.detail ?? '')) continue;
      if (e.field.startsWith(mine)) out.push(withUncorrelatable({ ...e, field: path + e.field.slice(rel.length) }, ctx.uncorrelatablePath));
      else if (!c.rootDone && !isRulePath(e.field)) out.push({ ...e, field: rootPath + crdPath(e.field) });
    }
    c.rootDone = true;
    return out;
  };
}

/** The compiler's relative path (`.properties[a]`) as a CRD field path suffix (identical notation). */
const crdPath = (rel: string) => rel;
const isRulePath = (f: string) => /\.x-kubernetes-validations\[\d+\]/.test(f);

const UNCORRELATABLE = 'oldSelf cannot be used on the uncorrelatable portion of the schema within ';
/** Upstream names the uncorrelatable part by its CRD field path. */
function withUncorrelatable(e: FieldError, path: string | undefined): FieldError {
  if (path === undefined || !e.detail?.startsWith(UNCORRELATABLE)) return e;
  return { ...e, detail: UNCORRELATABLE + path };
}
