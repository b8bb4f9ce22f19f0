// The conformance catalogue stays consistent with the suites: every case names a behaviour in
// behaviors.yaml, every behaviour is proved by at least one case, and the tests it lists exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubectlCases } from '../conformance/suites/kubectl.ts';
import { metricsCases } from '../conformance/suites/metrics.ts';
import { lifecycleCases } from '../conformance/suites/lifecycle.ts';
import { eventCases } from '../conformance/suites/events.ts';
import { schedulingCases } from '../conformance/suites/scheduling.ts';
import { schedulingRelabelCases } from '../conformance/suites/scheduling-relabel.ts';
import { nodesCases } from '../conformance/suites/nodes.ts';
import { clientNodeCases } from '../conformance/suites/client-node.ts';
import { pythonCases, clientGoCases } from '../conformance/suites/external.ts';
import { controllerRuntimeCases } from '../conformance/suites/controller-runtime.ts';
import { streamCases } from '../conformance/suites/streams.ts';
import { validationCases } from '../conformance/suites/validation.ts';
import { servedGroupCases } from '../conformance/suites/served-groups.ts';
import { cpCases } from '../conformance/suites/cp.ts';
import { volumeCases } from '../conformance/suites/volumes.ts';
import { revisionCases } from '../conformance/suites/revisions.ts';
import { tokenCases } from '../conformance/suites/tokens.ts';
import { rbacCases } from '../conformance/suites/rbac.ts';
import { tokenClientNodeCases } from '../conformance/suites/tokens-client-node.ts';
import { preemptionCases } from '../conformance/suites/preemption.ts';
import { crdCases } from '../conformance/suites/crds.ts';
import { admissionPolicyCases } from '../conformance/suites/admission-policy.ts';
import { crdClientNodeCases } from '../conformance/suites/crds-client-node.ts';
import { clientGoProxyCase, proxyCases } from '../conformance/suites/proxy.ts';
import { policyCases } from '../conformance/suites/policy.ts';
import { conversionClientGoCases, webhookCases } from '../conformance/suites/webhooks.ts';
import { containerCases } from '../conformance/suites/containers.ts';
import { flowcontrolCases } from '../conformance/suites/flowcontrol.ts';

const root = join(import.meta.dirname, '..');
const catalogue = parse(readFileSync(join(root, 'conformance', 'behaviors.yaml'), 'utf8')).behaviors as Array<{ id: string; status: string; reason?: string; tests: Array<Record<string, string>> }>;
const suites: Record<string, Array<{ behavior: string; name: string }>> = { kubectl: [...kubectlCases, ...metricsCases, ...lifecycleCases, ...schedulingCases, ...schedulingRelabelCases, ...nodesCases, ...streamCases, ...eventCases, ...validationCases, ...servedGroupCases, ...cpCases, ...tokenCases, ...rbacCases, ...revisionCases, ...preemptionCases, ...volumeCases, ...crdCases, ...proxyCases, ...admissionPolicyCases, ...policyCases, ...webhookCases, ...containerCases, ...flowcontrolCases], 'client-node': [...clientNodeCases, ...tokenClientNodeCases, ...crdClientNodeCases], python: pythonCases, 'client-go': [...clientGoCases, clientGoProxyCase, ...conversionClientGoCases], 'controller-runtime': controllerRuntimeCases };

test('every case refers to a catalogued behaviour', () => {
  const ids = new Set(catalogue.map((b) => b.id));
  for (const [client, cases] of Object.entries(suites)) {
    for (const c of cases) assert.ok(ids.has(c.behavior), `${client} case ${c.name} refers to unknown behaviour ${c.behavior}`);
  }
});

test('every behaviour lists tests that exist and prove it', () => {
  for (const b of catalogue) {
    assert.ok(b.tests?.length, `${b.id} lists no tests`);
    assert.ok(b.status === 'implemented' || (b.status === 'pending' && b.reason), `${b.id}: status implemented, or pending with a reason`);
    for (const t of b.tests) {
      for (const [client, ref] of Object.entries(t)) {
        const name = ref.split('#')[1];
        assert.ok(suites[client]?.some((c) => c.name === name && c.behavior === b.id), `${b.id}: ${client}: ${ref} is not a case proving it`);
      }
    }
  }
});

test('case names are unique within each suite', () => {
  for (const [client, cases] of Object.entries(suites)) {
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, `${client} has duplicate case names`);
  }
});
