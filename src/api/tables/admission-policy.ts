// Printers for ValidatingAdmissionPolicy and its bindings, with upstream's columns: the number of
// validations and the paramKind; the policy and the param reference (`<ns>/<name>`, `*/<name>` when
// the namespace is left to the request, or the selector as Go prints a LabelSelector).
import { AGE_COL, NAME_COL, age, arr, col, str } from './util.ts';
import type { Printer } from './util.ts';

const policies: Printer = {
  columns: [
    NAME_COL,
    col('Validations', 'integer', 'How many validation rules the policy defines.'),
    col('ParamKind', 'string', 'The kind of resource that parameterizes the policy.'),
    AGE_COL,
  ],
  row(o, now) {
    const pk = o.spec?.paramKind;
    return [str(o.metadata.name), arr(o.spec?.validations).length, pk ? `${str(pk.apiVersion)}/${str(pk.kind)}` : '<unset>', age(o, now)];
  },
};

/** metav1.LabelSelector as its generated Go String() prints it. */
function goSelector(s: any): string {
  const labels = Object.keys(s?.matchLabels ?? {}).sort().map((k) => `${k}: ${s.matchLabels[k]},`).join('');
  const exprs = arr<any>(s?.matchExpressions).map((e) => `LabelSelectorRequirement{Key:${str(e.key)},Operator:${str(e.operator)},Values:[${arr(e.values).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

function paramRef(pr: any): string {
  if (!pr) return '<unset>';
  if (pr.name) return pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
  if (pr.selector) return goSelector(pr.selector);
  return '<unset>';
}

const bindings: Printer = {
  columns: [
    NAME_COL,
    col('PolicyName', 'string', 'The policy the binding applies.'),
    col('ParamRef', 'string', 'The resource that parameterizes the policy for this binding.'),
    AGE_COL,
  ],
  row: (o, now) => [str(o.metadata.name), str(o.spec?.policyName), paramRef(o.spec?.paramRef), age(o, now)],
};

export const admissionPolicyPrinters: Record<string, Printer> = {
  'admissionregistration.k8s.io/validatingadmissionpolicies': policies,
  'admissionregistration.k8s.io/validatingadmissionpolicybindings': bindings,
};
