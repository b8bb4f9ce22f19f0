// Static cost estimation for rules, after cel-go's checker estimate as Kubernetes configures it:
// sizes come from the schema (maxItems, maxProperties, maxLength), or, where unbounded, from the
// largest request body (3 MiB) divided by the smallest serialized element; comprehensions multiply
// their body's cost by the size of what they range over. An approximation of upstream's figures
// that keeps the same limits meaningful (nested loops over unbounded lists exceed them).
import type { StructuralSchema } from '../schema/types.ts';
import { withTypeAndObjectMeta } from './types.ts';

export interface CostContext { schema: StructuralSchema; root: boolean }

const MAX_REQUEST_BYTES = 3 * 1024 * 1024;
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const STRING_TRAVERSAL = new Set(['contains', 'startsWith', 'endsWith', 'matches', 'find', 'findAll', 'indexOf', 'lastIndexOf',
  'lowerAscii', 'upperAscii', 'replace', 'split', 'substring', 'trim', 'reverse', 'charAt', 'quantity', 'url', 'ip', 'cidr', 'validate']);
const LIST_TRAVERSAL = new Set(['isSorted', 'sum', 'min', 'max', 'join']);

function minSerializedSize(s: StructuralSchema | undefined): number {
  if (!s || s['x-kubernetes-int-or-string']) return 1;
  switch (s.type) {
    case 'string': return 2 + (s.minLength ?? 0);
    case 'boolean': return 4;
    case 'integer': case 'number': return 1;
    default: return 2;
  }
}

/** The most elements a list or map node can hold (its maxItems/maxProperties, or what 3 MiB allows). */
export function maxCardinalityOf(s: StructuralSchema): number {
  if (s.type === 'array') return s.maxItems ?? Math.floor((MAX_REQUEST_BYTES - 2) / (minSerializedSize(s.items) + 1));
  const vs = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  return s.maxProperties ?? Math.floor((MAX_REQUEST_BYTES - 2) / (minSerializedSize(vs) + 4));
}

function sizeOf(s: StructuralSchema | undefined): number {
  if (!s) return MAX_REQUEST_BYTES;
  if (s.type === 'string') return s.maxLength ?? MAX_REQUEST_BYTES - 2;
  if (s.type === 'array' || s.type === 'object') return maxCardinalityOf(s);
  return 1;
}

interface Est { cost: number; schema?: StructuralSchema; size: number }
type Node = { op: string; args: any };

class Estimator {
  private readonly scope = new Map<string, StructuralSchema | undefined>();
  private readonly self: StructuralSchema;
  constructor(ctx: CostContext) { this.self = ctx.root ? withTypeAndObjectMeta(ctx.schema) : ctx.schema; }

  est(n: Node): Est {
    switch (n.op) {
      case 'value': return { cost: 0, size: typeof n.args === 'string' ? n.args.length : 1 };
      case 'id': {
        const s = n.args === 'self' || n.args === 'oldSelf' ? this.self : this.scope.get(n.args);
        return { cost: 1, schema: s, size: sizeOf(s) };
      }
      case '.': case '.?': {
        const o = this.est(n.args[0]);
        const s = child(o.schema, n.args[1]);
        return { cost: o.cost + 1, schema: s, size: sizeOf(s) };
      }
      case '[]': case '[?]': {
        const o = this.est(n.args[0]), i = this.est(n.args[1]);
        const s = element(o.schema);
        return { cost: o.cost + i.cost + 1, schema: s, size: sizeOf(s) };
      }
      case 'list': case 'map': {
        const parts = (n.args as any[]).flat();
        return { cost: 10 + parts.reduce((a: number, p: Node) => a + this.est(p).cost, 0), size: parts.length };
      }
      case 'call': return this.call(n.args[0], undefined, n.args[1]);
      case 'rcall': return this.call(n.args[0], n.args[1], n.args[2]);
      default: {
        const parts: Node[] = Array.isArray(n.args) ? n.args : [n.args];
        let cost = 1, size = 1, smallest = Infinity;
        for (const p of parts) {
          if (!p || typeof p !== 'object') continue;
          const e = this.est(p);
          cost += e.cost;
          size = Math.max(size, e.size);
          smallest = Math.min(smallest, e.size);
        }
        // Equality stops at the shorter operand; concatenation and `in` traverse the larger.
        if (n.op === '==' || n.op === '!=') cost += Math.ceil(0.1 * smallest);
        else if (n.op === '+' || n.op === 'in') cost += Math.ceil(0.1 * size);
        return { cost, size };
      }
    }
  }

  private call(name: string, recv: Node | undefined, args: Node[]): Est {
    if (recv && MACROS.has(name) && args.length >= 2) return this.macro(recv, args);
    if (name === 'has') return { cost: 1, size: 1 };
    const r = recv ? this.est(recv) : undefined;
    let cost = 1 + (r?.cost ?? 0), size = 1;
    for (const a of args) { const e = this.est(a); cost += e.cost; size = Math.max(size, e.size); }
    // Prefix/suffix checks traverse only the argument; the rest traverse the receiver (or argument).
    const traversed = name === 'startsWith' || name === 'endsWith' ? size : Math.max(r?.size ?? 0, args.length ? size : 0);
    if (STRING_TRAVERSAL.has(name)) cost += Math.ceil(0.1 * traversed);
    if (LIST_TRAVERSAL.has(name)) cost += traversed;
    return { cost, size: r?.size ?? size };
  }

  private macro(recv: Node, args: Node[]): Est {
    const r = this.est(recv);
    const vars = args.slice(0, -1).map((a) => a.args as string);
    const el = r.schema?.type === 'array' ? r.schema.items : undefined;
    const saved = vars.map((v) => [v, this.scope.get(v)] as const);
    vars.forEach((v, i) => this.scope.set(v, i === 0 && r.schema?.type !== 'array' ? { type: 'string' } : el));
    const body = this.est(args[args.length - 1]);
    for (const [v, s] of saved) this.scope.set(v, s);
    return { cost: r.cost + r.size * (body.cost + 3), size: r.size };
  }
}

function child(s: StructuralSchema | undefined, name: string): StructuralSchema | undefined {
  if (!s) return undefined;
  if (s.properties && Object.hasOwn(s.properties, name)) return s.properties[name];
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}
function element(s: StructuralSchema | undefined): StructuralSchema | undefined {
  if (!s) return undefined;
  if (s.type === 'array') return s.items;
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** The estimated worst-case cost of one evaluation of `ast` with `self` typed by the context's schema. */
export function estimateRuleCost(ast: unknown, ctx: CostContext): number {
  return new Estimator(ctx).est(ast as Node).cost;
}
