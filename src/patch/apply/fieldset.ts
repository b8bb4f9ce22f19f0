// Field sets as used by server-side apply: a trie of path elements, with the FieldsV1 wire
// encoding of metadata.managedFields. Path elements are kept in their FieldsV1 key form:
//   f:<name>          a struct field or map key
//   k:<json object>   an element of a map-list, identified by its key fields (keys sorted)
//   v:<json value>    an element of a set-list, identified by its value
//   i:<index>         an element identified by position (only for malformed lists)
import { errors } from '../../errors.ts';
import { sortSmall } from '../../util/small-sort.ts';

export type PathElement = string;
export type Path = PathElement[];

/** The children of a node that has none (most nodes are leaves: they get no Map of their own). */
const NO_CHILDREN: ReadonlyMap<PathElement, FieldSet> = new Map();

export class FieldSet {
  /** Whether the path leading to this node is itself a member of the set. */
  self = false;
  private kids: Map<PathElement, FieldSet> | undefined;

  get children(): ReadonlyMap<PathElement, FieldSet> { return this.kids ?? NO_CHILDREN; }
  setChild(k: PathElement, c: FieldSet): void { (this.kids ??= new Map()).set(k, c); }
  /** Removes a child (safe while iterating children). */
  deleteChild(k: PathElement): void { this.kids?.delete(k); }

  static of(paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    let n: FieldSet = this;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) { c = new FieldSet(); n.setChild(pe, c); }
      n = c;
    }
    n.self = true;
  }

  has(path: Path): boolean {
    const n = this.node(path);
    return !!n && n.self;
  }

  /** The subtree at path, if any. */
  node(path: Path): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) { n = n.children.get(pe); if (!n) return undefined; }
    return n;
  }

  /** True when no path below this node is a member (the node's own flag is ignored). */
  isEmpty(): boolean {
    for (const c of this.children.values()) if (c.self || !c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.self = this.self;
    for (const [k, c] of this.children) s.setChild(k, c.clone());
    return s;
  }

  union(other: FieldSet): FieldSet {
    const s = new FieldSet();
    s.self = this.self || other.self;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      s.setChild(k, o ? c.union(o) : c.clone());
    }
    for (const [k, o] of other.children) if (!this.children.has(k)) s.setChild(k, o.clone());
    return s;
  }

  intersection(other: FieldSet): FieldSet {
    const s = new FieldSet();
    s.self = this.self && other.self;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const i = c.intersection(o);
      if (i.self || i.children.size) s.setChild(k, i);
    }
    return s;
  }

  difference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    s.self = this.self && !other.self;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const d = o ? c.difference(o) : c.clone();
      if (d.self || d.children.size) s.setChild(k, d);
    }
    return s;
  }

  equals(other: FieldSet): boolean {
    if (this.self !== other.self || this.children.size !== other.children.size) return false;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o || !c.equals(o)) return false;
    }
    return true;
  }

  /** Every member path, in upstream's order. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const k of sortedKeys(this.children)) {
      const c = this.children.get(k)!;
      const p = [...prefix, k];
      if (c.self) out.push(p);
      out.push(...c.paths(p));
    }
    return out;
  }

  /** The FieldsV1 JSON form (the root's own flag is not encoded). */
  toFieldsV1(): Record<string, unknown> {
    return this.fieldsV1Into({});
  }

  /** Writes the children's FieldsV1 form into `out` (after anything already in it). */
  private fieldsV1Into(out: Record<string, unknown>): Record<string, unknown> {
    for (const k of sortedKeys(this.children)) {
      const c = this.children.get(k)!;
      // A member with members below it says so with "." first.
      out[k] = c.fieldsV1Into(c.self && c.children.size > 0 ? { '.': {} } : {});
    }
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    decodeInto(s, v, 0);
    return s;
  }
}

function decodeInto(n: FieldSet, v: unknown, depth: number): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw errors.badRequest('invalid FieldsV1: expected an object');
  if (depth > 256) throw errors.badRequest('invalid FieldsV1: nesting too deep');
  for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
    if (k === '.') { n.self = true; continue; }
    if (!/^[fkvi]:/.test(k)) throw errors.badRequest(`invalid FieldsV1: unknown path element ${JSON.stringify(k)}`);
    const child = new FieldSet();
    decodeInto(child, c, depth + 1);
    // A key without children (an empty object) or with "." is a member.
    if (child.children.size === 0) child.self = true;
    n.setChild(k, child);
  }
}

const TYPE_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

export function comparePathElements(a: PathElement, b: PathElement): number {
  const ta = TYPE_ORDER[a[0]] ?? 9, tb = TYPE_ORDER[b[0]] ?? 9;
  if (ta !== tb) return ta - tb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(m: ReadonlyMap<PathElement, FieldSet>): PathElement[] {
  return sortSmall([...m.keys()], comparePathElements);
}

/** Path elements for the various kinds of children. */
export const pe = {
  field: (name: string): PathElement => `f:${name}`,
  key: (fields: Record<string, unknown>): PathElement => {
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(fields).sort()) sorted[k] = fields[k];
    return `k:${JSON.stringify(sorted)}`;
  },
  value: (v: unknown): PathElement => `v:${JSON.stringify(v)}`,
  index: (i: number): PathElement => `i:${i}`,
};

/** Upstream's rendering of a path, e.g. `.spec.template.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  let s = '';
  for (const e of path) {
    const body = e.slice(2);
    switch (e[0]) {
      case 'f': s += `.${body}`; break;
      case 'k': {
        const obj = JSON.parse(body) as Record<string, unknown>;
        s += `[${Object.keys(obj).map((k) => `${k}=${JSON.stringify(obj[k])}`).join(',')}]`;
        break;
      }
      case 'v': s += `[=${body}]`; break;
      default: s += `[${body}]`;
    }
  }
  return s;
}
