// The resource table of one server: the built-in table (resources.ts, plus the group-versions that
// extension routes serve, served-groups.ts) and the resources this server serves from its CRDs.
// Several servers may run in one process, so CRD-served resources live here, never in a module global;
// routing, discovery, OpenAPI, the namespace controller and the garbage collector look them up here.
import type { ResourceInfo } from './resources.ts';
import { servedGroupVersions, servedResources, findServedResource } from '../api/served-groups.ts';
import { RESOURCES, findKind } from './resources.ts';
import type { CustomDef } from './custom/types.ts';

export interface GroupVersions { group: string; versions: string[] }

/** Kubernetes' version priority (k8s.io/apimachinery version.CompareKubeAwareVersionStrings): v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > others (lexical). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return { major: Number(m[1]), rank: m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, minor: Number(m[3] ?? 0) };
  };
  const x = parse(a), y = parse(b);
  if (x && !y) return -1;
  if (!x && y) return 1;
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  if (x.rank !== y.rank) return y.rank - x.rank;
  if (x.major !== y.major) return y.major - x.major;
  return y.minor - x.minor;
}

interface Index {
  groups: GroupVersions[];
  byGvr: Map<string, ResourceInfo>;
  byGvk: Map<string, ResourceInfo>;
  byGv: Map<string, ResourceInfo[]>;
}

export class ResourceTable {
  private readonly defs = new Map<string, CustomDef>();
  private index: Index | undefined;
  private readonly listeners = new Set<() => void>();
  /** Bumped on every change of the custom part (OpenAPI documents cache on it). */
  generation = 0;

  /** Serve (or re-serve) the resources of one CRD. */
  setCustom(def: CustomDef): void {
    this.defs.set(def.crdName, def);
    this.changed();
  }

  /** Stop serving the resources of one CRD. */
  removeCustom(crdName: string): void {
    if (this.defs.delete(crdName)) this.changed();
  }

  /** Rebuild after the served groups changed outside the table (an aggregated API came or went). */
  invalidate(): void { this.changed(); }

  custom(crdName: string): CustomDef | undefined { return this.defs.get(crdName); }
  customDefs(): CustomDef[] { return [...this.defs.values()]; }

  /** Called after every change of the served custom resources. Returns an unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.index = undefined;
    this.generation++;
    for (const fn of this.listeners) fn();
  }

  private build(): Index {
    const groups: GroupVersions[] = servedGroupVersions().map((g) => ({ group: g.group, versions: [...g.versions] }));
    const byGvr = new Map<string, ResourceInfo>();
    const byGvk = new Map<string, ResourceInfo>();
    const byGv = new Map<string, ResourceInfo[]>();
    const customGroups = new Map<string, Set<string>>();
    for (const def of [...this.defs.values()].sort((a, b) => (a.crdName < b.crdName ? -1 : 1))) {
      for (const r of def.versions.values()) {
        if (!r.custom!.version.served) continue;
        const gvr = `${r.group}/${r.version}/${r.resource}`;
        // A built-in resource of the same name wins (upstream never lets a CRD shadow one).
        if (findServedResource(r.group, r.version, r.resource) || byGvr.has(gvr)) continue;
        byGvr.set(gvr, r);
        if (!byGvk.has(`${r.group}/${r.version}/${r.kind}`)) byGvk.set(`${r.group}/${r.version}/${r.kind}`, r);
        const gv = `${r.group}/${r.version}`;
        let list = byGv.get(gv);
        if (!list) byGv.set(gv, list = []);
        list.push(r);
        let vs = customGroups.get(r.group);
        if (!vs) customGroups.set(r.group, vs = new Set());
        vs.add(r.version);
      }
    }
    for (const list of byGv.values()) list.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
    for (const [group, vs] of [...customGroups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const versions = [...vs].sort(compareKubeVersions);
      const g = groups.find((x) => x.group === group);
      if (g) { for (const v of versions) if (!g.versions.includes(v)) g.versions.push(v); } else groups.push({ group, versions });
    }
    return { groups, byGvr, byGvk, byGv };
  }

  private get idx(): Index { return (this.index ??= this.build()); }

  /** Every served group with its versions in preference order: built-in groups first, then CRD groups by name. */
  groupVersions(): readonly GroupVersions[] { return this.idx.groups; }

  /** The resources of one served group-version: built-in (and extension-served), then custom. */
  resources(group: string, version: string): ResourceInfo[] {
    const custom = this.idx.byGv.get(`${group}/${version}`);
    const builtin = servedResources(group, version);
    return custom ? [...builtin, ...custom] : builtin;
  }

  /** A served resource by group, version and plural. */
  find(group: string, version: string, resource: string): ResourceInfo | undefined {
    return findServedResource(group, version, resource) ?? this.idx.byGvr.get(`${group}/${version}/${resource}`);
  }

  /** A stored resource by group, version and kind (owner references, HPA scale targets). */
  findKind(group: string, version: string, kind: string): ResourceInfo | undefined {
    return findKind(group, version, kind) ?? this.idx.byGvk.get(`${group}/${version}/${kind}`);
  }

  /** Every served custom resource (one entry per served version). */
  customResources(): ResourceInfo[] { return [...this.idx.byGvr.values()]; }

  /** Built-in stored resources followed by the served custom ones. */
  all(): ResourceInfo[] { return [...RESOURCES, ...this.customResources()]; }
}

/** The table of a server without CRDs (tests and tools that build an app without a store table). */
export const BUILTIN_TABLE = new ResourceTable();
