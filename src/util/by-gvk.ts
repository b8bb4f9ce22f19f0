// A memo keyed by group, version and kind in turn. Looked up on every write (schemas of built-in
// kinds): the three strings are the resource table's own, whose hashes V8 keeps, where a key joined
// from them would be a new string to flatten and hash on each lookup.

export class ByGvk<T> {
  private readonly groups = new Map<string, Map<string, Map<string, T>>>();

  /** The value kept for group/version/kind, made by `make` on the first lookup (`make` must not return undefined). */
  get(group: string, version: string, kind: string, make: () => T): T {
    let byVersion = this.groups.get(group);
    if (!byVersion) this.groups.set(group, byVersion = new Map());
    let byKind = byVersion.get(version);
    if (!byKind) byVersion.set(version, byKind = new Map());
    let v = byKind.get(kind);
    if (v === undefined) byKind.set(kind, v = make());
    return v;
  }
}
