// Webhook rule matching as upstream's rules.Matcher: operations, groups, versions, resources with
// subresources and wildcards, scope; equivalent resources for matchPolicy Equivalent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { equivalents, ruleMatches } from '../../src/admission/webhooks/match.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { AdmissionAttributes } from '../../src/admission/index.ts';

const pods = findResource('', 'v1', 'pods')!;
const nss = findResource('', 'v1', 'namespaces')!;
const attrs = (r = pods, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE', resource: r, requestResource: r, subresource: '', name: 'x', namespace: 'd', user: { name: 'u', groups: [] }, dryRun: false, options: {}, ...extra,
});
const rule = (o: Partial<{ operations: string[]; apiGroups: string[]; apiVersions: string[]; resources: string[]; scope: string }> = {}) => ({
  operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*', ...o,
});

test('operations, groups, versions and resources, exact and wildcard', () => {
  assert.equal(ruleMatches(rule(), attrs(), pods), true);
  assert.equal(ruleMatches(rule({ operations: ['UPDATE'] }), attrs(), pods), false);
  assert.equal(ruleMatches(rule({ operations: ['*'] }), attrs(), pods), true);
  assert.equal(ruleMatches(rule({ apiGroups: ['apps'] }), attrs(), pods), false);
  assert.equal(ruleMatches(rule({ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }), attrs(), pods), true);
  assert.equal(ruleMatches(rule({ apiVersions: ['v2'] }), attrs(), pods), false);
  assert.equal(ruleMatches(rule({ resources: ['services'] }), attrs(), pods), false);
});

test('subresources: "pods" does not match pods/status; "pods/status", "pods/*", "*/status" and "*/*" do', () => {
  const a = attrs(pods, { operation: 'UPDATE', subresource: 'status' });
  const r = (resources: string[]) => ruleMatches(rule({ operations: ['UPDATE'], resources }), a, pods);
  assert.deepEqual([r(['pods']), r(['pods/status']), r(['pods/*']), r(['*/status']), r(['*/*']), r(['*']), r(['pods/log'])], [false, true, true, true, true, false, false]);
});

test('scope: Namespaced excludes cluster-scoped objects and Namespaces; Cluster includes Namespaces', () => {
  const ns = attrs(nss, { namespace: '', name: 'n' });
  const r = (scope: string, a: AdmissionAttributes, res = pods) => ruleMatches(rule({ scope, resources: ['*'] }), a, res);
  assert.deepEqual([r('Namespaced', attrs()), r('Cluster', attrs()), r('Namespaced', ns, nss), r('Cluster', ns, nss), r('*', ns, nss), r('Bogus', attrs())], [true, false, false, true, true, false]);
});

test('equivalent resources: HPAs across autoscaling versions, Events across groups, others alone', () => {
  const hpa1 = findResource('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  assert.deepEqual(equivalents(hpa1).map((r) => `${r.group}/${r.version}`).sort(), ['autoscaling/v1', 'autoscaling/v2']);
  assert.deepEqual(equivalents(findResource('', 'v1', 'events')!).map((r) => `${r.group}/${r.version}`).sort(), ['/v1', 'events.k8s.io/v1']);
  assert.deepEqual(equivalents(pods), [pods]);
});
