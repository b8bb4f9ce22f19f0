// Validation scenarios driven by real kubectl: malformed objects applied with `kubectl apply -f`
// are refused with upstream's error text (422 Invalid, one line per cause) and nothing is stored.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext } from '../lib.ts';
import { check } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';

/** A Deployment whose pod template carries `affinity` (YAML flow text). */
const deploymentWithAffinity = (ctx: CaseContext, name: string, affinity: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ctx.ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
      affinity: ${affinity}
`;

async function applyFails(ctx: CaseContext, name: string, yaml: string): Promise<string> {
  const p = join(ctx.tmp, `${name}.yaml`);
  writeFileSync(p, yaml);
  const r = await kubectl(ctx, ['apply', '-f', p]);
  check(r.code === 1, `kubectl apply of ${name} must fail: exit=${r.code} stdout=${r.stdout} stderr=${r.stderr}`);
  return r.stderr;
}

async function notStored(ctx: CaseContext, resource: string, name: string): Promise<void> {
  const r = await kubectl(ctx, ['get', resource, name, '-n', ctx.ns]);
  check(r.code === 1 && /NotFound|not found/.test(r.stderr), `${resource}/${name} must not be stored: exit=${r.code} ${r.stderr}`);
}

export const validationCases: Case[] = [
  {
    behavior: 'validation.pod-scheduling-fields', name: 'apply-bad-affinity', core: true,
    async run(ctx) {
      // One cause: kubectl prints it on the same line.
      const weight = await applyFails(ctx, 'bad-weight', deploymentWithAffinity(ctx, 'bad-weight',
        '{nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 0, preference: {matchExpressions: [{key: ssd, operator: Exists}]}}]}}'));
      const want = 'The Deployment "bad-weight" is invalid: spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100';
      check(weight.trim() === want, `stderr ${JSON.stringify(weight)}\n  want ${JSON.stringify(want)}`);
      await notStored(ctx, 'deployment', 'bad-weight');

      // Several causes: one "* " line each, in upstream's order.
      const term = 'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]';
      const multi = await applyFails(ctx, 'bad-terms', deploymentWithAffinity(ctx, 'bad-terms',
        '{podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchExpressions: [{key: app, operator: In}]}, topologyKey: ""}]}}'));
      const lines = multi.trim().split('\n');
      check(lines[0].trim() === 'The Deployment "bad-terms" is invalid:', `first line ${JSON.stringify(lines[0])}`);
      const causes = lines.slice(1);
      const expected = [
        `* ${term}.labelSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
        `* ${term}.topologyKey: Required value: can not be empty`,
        `* ${term}.topologyKey: Invalid value: "": name part must be non-empty`,
        `* ${term}.topologyKey: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ];
      check(JSON.stringify(causes) === JSON.stringify(expected), `causes ${JSON.stringify(causes, null, 1)}\n  want ${JSON.stringify(expected, null, 1)}`);
      await notStored(ctx, 'deployment', 'bad-terms');
    },
  },
  {
    behavior: 'validation.pod-scheduling-fields', name: 'apply-bad-spread-and-toleration',
    async run(ctx) {
      const stderr = await applyFails(ctx, 'bad-pod', `apiVersion: v1
kind: Pod
metadata: {name: bad-pod, namespace: ${ctx.ns}, labels: {app: x}}
spec:
  containers: [{name: c, image: nginx}]
  topologySpreadConstraints:
  - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: x}}}
  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, minDomains: 2}
  tolerations:
  - {key: gpu, operator: Exists, value: "yes", effect: NoSchedule, tolerationSeconds: 30}
`);
      const expected = [
        'The Pod "bad-pod" is invalid:',
        '* spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
        '* spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"',
        '* spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
        '* spec.tolerations[0].operator: Invalid value: "yes": value must be empty when `operator` is \'Exists\'',
      ];
      const lines = stderr.trim().split('\n').map((l) => l.trimEnd());
      check(JSON.stringify(lines) === JSON.stringify(expected), `stderr ${JSON.stringify(lines, null, 1)}\n  want ${JSON.stringify(expected, null, 1)}`);
      await notStored(ctx, 'pod', 'bad-pod');
    },
  },
  {
    behavior: 'pods.affinity-match-label-keys', name: 'apply-match-label-keys',
    async run(ctx) {
      const p = join(ctx.tmp, 'mlk.yaml');
      writeFileSync(p, `apiVersion: v1
kind: Pod
metadata: {name: mlk, namespace: ${ctx.ns}, labels: {app: web, tenant: t1}}
spec:
  containers: [{name: c, image: nginx}]
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 10
        podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [tenant], mismatchLabelKeys: [missing]}
`);
      await ok(ctx, ['apply', '-f', p]);
      const term = JSON.parse(await ok(ctx, ['get', 'pod', 'mlk', '-n', ctx.ns, '-o', 'jsonpath={.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm}']));
      const sel = term.labelSelector ?? {};
      check(JSON.stringify(sel.matchLabels) === '{"app":"web"}', `stored matchLabels ${JSON.stringify(sel.matchLabels)}`);
      const e = sel.matchExpressions ?? [];
      check(e.length === 1 && e[0].key === 'tenant' && e[0].operator === 'In' && JSON.stringify(e[0].values) === '["t1"]', `stored matchExpressions ${JSON.stringify(e)}, want [tenant In (t1)]`);
      check(JSON.stringify(term.matchLabelKeys) === '["tenant"]', `matchLabelKeys kept: ${JSON.stringify(term.matchLabelKeys)}`);
    },
  },
];
