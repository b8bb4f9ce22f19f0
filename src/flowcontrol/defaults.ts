// Scheme defaults of flowcontrol.apiserver.k8s.io/v1 (pkg/apis/flowcontrol/v1/defaults.go), and the
// semantic spec comparison the mandatory-object checks and the ensurer use.
import type { KObject } from '../registry/strategy.ts';

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function defaultFlowSchema(obj: KObject): void {
  if (isObj(obj.spec) && (obj.spec.matchingPrecedence === undefined || obj.spec.matchingPrecedence === null || obj.spec.matchingPrecedence === 0)) obj.spec.matchingPrecedence = 1000;
}

export function defaultPriorityLevel(obj: KObject): void {
  const spec = obj.spec;
  if (!isObj(spec)) return;
  if (isObj(spec.exempt)) {
    spec.exempt.nominalConcurrencyShares ??= 0;
    spec.exempt.lendablePercent ??= 0;
  }
  if (isObj(spec.limited)) {
    spec.limited.nominalConcurrencyShares ??= 30;
    spec.limited.lendablePercent ??= 0;
    const q = spec.limited.limitResponse?.queuing;
    if (isObj(q)) {
      if (!q.handSize) q.handSize = 8;
      if (!q.queues) q.queues = 64;
      if (!q.queueLengthLimit) q.queueLengthLimit = 50;
    }
  }
}

/** A value with Go's zero values (false, 0, '', empty lists and objects, null) left out. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canonical) : undefined;
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical(v[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === false || v === 0 || v === '' || v === null) return undefined;
  return v;
}

/** apiequality.Semantic.DeepEqual on decoded specs: zero values and absent fields are the same. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return semanticKey(a) === semanticKey(b);
}

/** A value's semantic form as a string: equal for values semanticEqual calls equal. */
export function semanticKey(v: unknown): string {
  return JSON.stringify(canonical(v)) ?? '';
}
