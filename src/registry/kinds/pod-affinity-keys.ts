// Pod creation folds a pod affinity term's matchLabelKeys / mismatchLabelKeys into its
// labelSelector, as upstream's pod strategy does (MatchLabelKeysInPodAffinity, on by default
// since 1.31): for each key the pod carries, `key In (value)` or `key NotIn (value)` is appended
// to matchExpressions. Terms without a labelSelector are left alone (they match nothing, and
// validation refuses the keys there).
import { isObj } from './util.ts';

function fold(term: unknown, labels: Record<string, unknown>): void {
  if (!isObj(term) || !isObj(term.labelSelector)) return;
  const sel = term.labelSelector;
  const add = (keys: unknown, operator: 'In' | 'NotIn') => {
    if (!Array.isArray(keys)) return;
    for (const key of keys) {
      if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(labels, key) || typeof labels[key] !== 'string') continue;
      if (sel.matchExpressions !== undefined && sel.matchExpressions !== null && !Array.isArray(sel.matchExpressions)) return;
      sel.matchExpressions = [...(sel.matchExpressions ?? []), { key, operator, values: [labels[key]] }];
    }
  };
  add(term.matchLabelKeys, 'In');
  add(term.mismatchLabelKeys, 'NotIn');
}

export function foldPodAffinityLabelKeys(spec: Record<string, any>, labels: unknown): void {
  if (!isObj(spec.affinity) || !isObj(labels)) return;
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = spec.affinity[kind];
    if (!isObj(a)) continue;
    if (Array.isArray(a.requiredDuringSchedulingIgnoredDuringExecution)) for (const t of a.requiredDuringSchedulingIgnoredDuringExecution) fold(t, labels);
    if (Array.isArray(a.preferredDuringSchedulingIgnoredDuringExecution)) for (const w of a.preferredDuringSchedulingIgnoredDuringExecution) if (isObj(w)) fold(w.podAffinityTerm, labels);
  }
}
