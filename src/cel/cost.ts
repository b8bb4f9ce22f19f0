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

interface Est { cost: number; schema?: StructuralSchema; size: number; value?: unknown }
type Node = { op: string; args: any };

/** The size of an actual JSON value (string length, items, keys), when known. */
function valueSize(v: unknown): number | undefined {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return undefined;
}

/** The largest of a collection's elements (or keys), standing for every element in a runtime estimate. */
function largest(values: unknown[]): unknown {
  let best: unknown, bestSize = -1;
  for (const x of values) {
    const n = typeof x === 'string' ? x.length : x && typeof x === 'object' ? JSON.stringify(x).length : 0;
    if (n > bestSize) { best = x; bestSize = n; }
  }
  return best;
}

const UNSET = Symbol('unset');

class Estimator {
  private readonly scope = new Map<string, { schema?: StructuralSchema; value: unknown }>();
  private readonly self: StructuralSchema;
  private readonly selfValue: unknown;
  private readonly oldSelfValue: unknown;
  constructor(ctx: CostContext, selfValue: unknown = UNSET, oldSelfValue: unknown = UNSET) {
    this.self = ctx.root ? withTypeAndObjectMeta(ctx.schema) : ctx.schema;
    this.selfValue = selfValue;
    this.oldSelfValue = oldSelfValue;
  }

  private ref(schema: StructuralSchema | undefined, value: unknown): { schema?: StructuralSchema; size: number; value?: unknown } {
    const known = value === UNSET ? undefined : valueSize(value);
    return { schema, size: known ?? (value === UNSET ? sizeOf(schema) : 1), value };
  }

  est(n: Node): Est {
    switch (n.op) {
      case 'value': return { cost: 0, size: typeof n.args === 'string' ? n.args.length : 1 };
      case 'id': {
        if (n.args === 'self') return { cost: 1, ...this.ref(this.self, this.selfValue) };
        if (n.args === 'oldSelf') return { cost: 1, ...this.ref(this.self, this.oldSelfValue) };
        const v = this.scope.get(n.args);
        return { cost: 1, ...this.ref(v?.schema, v ? v.value : UNSET) };
      }
      case '.': case '.?': {
        const o = this.est(n.args[0]);
        return { cost: o.cost + 1, ...this.ref(child(o.schema, n.args[1]), fieldOf(o.value, n.args[1])) };
      }
      case '[]': case '[?]': {
        const o = this.est(n.args[0]), i = this.est(n.args[1]);
        return { cost: o.cost + i.cost + 1, ...this.ref(element(o.schema), elementOf(o.value)) };
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
    const isList = r.schema?.type === 'array' || Array.isArray(r.value);
    const el = isList ? r.schema?.items : element(r.schema);
    const saved = vars.map((v) => [v, this.scope.get(v)] as const);
    vars.forEach((v, i) => {
      if (i === 0 && !isList) this.scope.set(v, { schema: { type: 'string' }, value: keyOf(r.value) });
      else this.scope.set(v, { schema: el, value: elementOf(r.value) });
    });
    const body = this.est(args[args.length - 1]);
    for (const [v, s] of saved) { if (s) this.scope.set(v, s); else this.scope.delete(v); }
    return { cost: r.cost + r.size * (body.cost + 3), size: r.size };
  }
}

function fieldOf(v: unknown, name: string): unknown {
  if (v === UNSET) return UNSET;
  return v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, name) ? (v as Record<string, unknown>)[name] : undefined;
}
function elementOf(v: unknown): unknown {
  if (v === UNSET) return UNSET;
  if (Array.isArray(v)) return largest(v);
  return v && typeof v === 'object' ? largest(Object.values(v)) : undefined;
}
function keyOf(v: unknown): unknown {
  if (v === UNSET) return UNSET;
  return v && typeof v === 'object' && !Array.isArray(v) ? largest(Object.keys(v)) : undefined;
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

/**
 * The cost of evaluating `ast` on actual values: the same model with sizes taken from the values
 * (the largest element standing for all), an upper bound of what the evaluation does.
 */
export function runtimeRuleCost(ast: unknown, ctx: CostContext, self: unknown, oldSelf: unknown): number {
  return new Estimator(ctx, self, oldSelf === undefined ? UNSET : oldSelf).est(ast as Node).cost;
}
