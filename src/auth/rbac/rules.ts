// Policy rules: whether one allows a request (rbac/v1 evaluation helpers), whether a set of rules
// covers another (the escalation check's Covers), and the compact text upstream prints for rules a
// user lacks.

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** What is asked: a resource request (group, resource, subresource, name, namespace) or a path. */
export interface Attributes {
  user: { name: string; groups: string[]; uid?: string; extra?: Record<string, string[]> };
  verb: string;
  resourceRequest: boolean;
  path?: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/** A rule as stored or sent, with every list a list of strings (anything else is dropped): safe to match. */
export function normalizeRule(r: unknown): PolicyRule | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const o = r as Record<string, unknown>;
  const out: PolicyRule = { verbs: strings(o.verbs) ?? [] };
  for (const k of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) { const v = strings(o[k]); if (v) out[k] = v; }
  return out;
}

/** The rules of a Role or ClusterRole object, normalised. */
export function rulesOfRole(role: Record<string, any>): PolicyRule[] {
  return Array.isArray(role.rules) ? role.rules.map(normalizeRule).filter((r): r is PolicyRule => r !== undefined) : [];
}

const has = (list: string[] | undefined, x: string) => !!list && list.includes(x);

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, '*') || has(rule.verbs, verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, '*') || has(rule.apiGroups, group);
}

/** `*`, the exact `resource/subresource`, or `*\/subresource` for a subresource request. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return !rule.resourceNames?.length || rule.resourceNames.includes(name);
}

/** A URL rule matches itself, `*`, or as a prefix when it ends in `*`. */
export function nonResourceURLMatches(rule: PolicyRule, url: string): boolean {
  for (const r of rule.nonResourceURLs ?? []) {
    if (r === '*' || r === url) return true;
    if (r.endsWith('*') && url.startsWith(r.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceURLMatches(rule, a.path ?? '');
  const sub = a.subresource ?? '';
  const combined = sub ? `${a.resource}/${sub}` : a.resource ?? '';
  return apiGroupMatches(rule, a.apiGroup ?? '') && resourceMatches(rule, combined, sub) && resourceNameMatches(rule, a.name ?? '');
}

// ---------- coverage (escalation) ----------

/** One rule per (group, resource, verb[, name]) and per (url, verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of rule.apiGroups ?? []) {
    for (const r of rule.resources ?? []) {
      for (const v of rule.verbs ?? []) {
        if (rule.resourceNames?.length) for (const n of rule.resourceNames) out.push({ apiGroups: [g], resources: [r], verbs: [v], resourceNames: [n] });
        else out.push({ apiGroups: [g], resources: [r], verbs: [v] });
      }
    }
  }
  for (const u of rule.nonResourceURLs ?? []) for (const v of rule.verbs ?? []) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

const hasAll = (set: string[] | undefined, want: string[] | undefined) => (want ?? []).every((x) => has(set, x));

function resourcesCover(owner: string[] | undefined, want: string[] | undefined): boolean {
  if (has(owner, '*') || hasAll(owner, want)) return true;
  for (const path of want ?? []) {
    if (has(owner, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0 || !has(owner, '*/' + path.slice(slash + 1))) return false;
  }
  return true;
}

function urlCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourcesCover(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => urlCovers(o, p)));
  const names = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Whether `owner` covers every piece of `wanted`; the pieces it does not. */
export function covers(owner: PolicyRule[], wanted: PolicyRule[]): { ok: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const rule of wanted) for (const sub of breakdownRule(rule)) if (!owner.some((o) => ruleCovers(o, sub))) missing.push(sub);
  return { ok: missing.length === 0, missing };
}

/** Rules on one group and one resource (and at most one name) merged into one rule per resource, verbs joined. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = !r.nonResourceURLs?.length && (r.resourceNames?.length ?? 0) <= 1 && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) { out.push(r); continue; }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.length ? r.resourceNames[0] : null]);
    const seen = simple.get(key);
    if (seen) seen.verbs = [...seen.verbs, ...r.verbs];
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
export function goQuoteList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
