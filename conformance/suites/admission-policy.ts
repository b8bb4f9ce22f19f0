// ValidatingAdmissionPolicy driven by real kubectl: a policy and binding applied with `kubectl apply`
// refuse a Deployment with too many replicas, and kubectl prints upstream's text for the denial
// (422 Invalid, the cause without a field: `The deployments "x" is invalid: : ValidatingAdmissionPolicy ...`).
// A policy whose CEL does not compile is refused with the cel-go error at its field path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';

function file(ctx: CaseContext, name: string, text: string): string {
  const p = join(ctx.tmp, name);
  writeFileSync(p, text);
  return p;
}

const policyYaml = (name: string, expression: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: "${expression}"
`;

const bindingYaml = (name: string, ns: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}}
spec:
  policyName: ${name}
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: ${ns}}
`;

const deploymentYaml = (ns: string, name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
`;

export const admissionPolicyCases: Case[] = [
  {
    behavior: 'admission.validating-admission-policy', name: 'vap-deny-replicas', core: true,
    async run(ctx) {
      const name = `max-replicas-${ctx.ns}`;
      await ok(ctx, ['apply', '-f', file(ctx, 'policy.yaml', policyYaml(name, 'object.spec.replicas <= 5'))]);
      await ok(ctx, ['apply', '-f', file(ctx, 'binding.yaml', bindingYaml(name, ctx.ns))]);
      try {
        const big = file(ctx, 'big.yaml', deploymentYaml(ctx.ns, 'big', 6));
        const want = `The deployments "big" is invalid: : ValidatingAdmissionPolicy '${name}' with binding '${name}' denied request: failed expression: object.spec.replicas <= 5`;
        const stderr = await waitFor('the policy to deny', async () => {
          const r = await kubectl(ctx, ['apply', '-f', big]);
          return r.code === 1 ? r.stderr : undefined;
        });
        check(stderr.trim() === want, `stderr ${JSON.stringify(stderr)}\n  want ${JSON.stringify(want)}`);
        const gone = await kubectl(ctx, ['get', 'deployment', 'big', '-n', ctx.ns]);
        check(gone.code === 1 && /not found/.test(gone.stderr), `a denied deployment must not be stored: ${gone.stderr}`);
        await ok(ctx, ['apply', '-f', file(ctx, 'small.yaml', deploymentYaml(ctx.ns, 'small', 5))]);
        const upd = await kubectl(ctx, ['apply', '-f', file(ctx, 'small9.yaml', deploymentYaml(ctx.ns, 'small', 9))]);
        check(upd.code === 1 && upd.stderr.includes('denied request: failed expression: object.spec.replicas <= 5'), `an update to 9 replicas must be denied: ${upd.stderr}`);
      } finally {
        await kubectl(ctx, ['delete', 'validatingadmissionpolicybinding', name]);
        await kubectl(ctx, ['delete', 'validatingadmissionpolicy', name]);
      }
    },
  },
  {
    behavior: 'admission.validating-admission-policy', name: 'vap-bad-cel',
    async run(ctx) {
      const name = `bad-cel-${ctx.ns}`;
      const r = await kubectl(ctx, ['apply', '-f', file(ctx, 'bad.yaml', policyYaml(name, 'object.spec.replicas <= '))]);
      check(r.code === 1, `a policy with uncompilable CEL must be refused: ${r.stdout} ${r.stderr}`);
      const first = r.stderr.trim().split('\n')[0];
      const want = `The ValidatingAdmissionPolicy "${name}" is invalid: spec.validations[0].expression: Invalid value: "object.spec.replicas <= ": compilation failed: ERROR: <input>:1:25: Syntax error:`;
      check(first.startsWith(want), `stderr ${JSON.stringify(r.stderr)}\n  want prefix ${JSON.stringify(want)}`);
    },
  },
];
