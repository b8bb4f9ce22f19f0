import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterHostPorts, filterResources, filterTaints, runFilters } from '../../src/scheduler/filters.ts';
import type { PodInfo } from '../../src/scheduler/filters.ts';
import { nodeInfoFor, podHostPorts, podRequests } from '../../src/scheduler/nodeinfo.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const node = (allocatable: Record<string, string> = {}, spec: Record<string, unknown> = {}): KObject => ({
  metadata: { name: 'n1', labels: {} }, spec,
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '10', ...allocatable }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const podInfo = (containers: unknown[]): PodInfo => {
  const p: KObject = { metadata: { name: 'p' }, spec: { containers } };
  return { pod: p, requests: podRequests(p), tolerations: [], hostPorts: podHostPorts(p) };
};
const PORTS = "node(s) didn't have free ports for the requested pod ports";

test('host ports: defaults TCP and 0.0.0.0; only hostPort > 0 counts', () => {
  const p = podInfo([{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }]);
  assert.deepEqual(p.hostPorts, [{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
});

test('host ports: same port+protocol on an overlapping hostIP conflicts', () => {
  const ni = nodeInfoFor(node());
  const want = (ports: unknown[]) => podInfo([{ name: 'c', ports }]);
  assert.deepEqual(filterHostPorts(want([{ containerPort: 80, hostPort: 8080 }]), ni), []);
  ni.usedPorts = [{ ip: '10.0.0.1', protocol: 'TCP', port: 8080 }];
  assert.deepEqual(filterHostPorts(want([{ containerPort: 80, hostPort: 8080 }]), ni), [PORTS]); // 0.0.0.0 overlaps every IP
  assert.deepEqual(filterHostPorts(want([{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }]), ni), [PORTS]);
  assert.deepEqual(filterHostPorts(want([{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.2' }]), ni), []);
  assert.deepEqual(filterHostPorts(want([{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }]), ni), []);
  assert.deepEqual(filterHostPorts(want([{ containerPort: 80, hostPort: 8081 }]), ni), []);
  assert.deepEqual(runFilters(want([{ containerPort: 80, hostPort: 8080 }]), ni), [PORTS]);
});

test('extended resources and ephemeral-storage are compared with allocatable like cpu/memory', () => {
  const ni = nodeInfoFor(node({ 'example.com/foo': '2', 'ephemeral-storage': '10Gi' }));
  const want = (requests: Record<string, string>) => podInfo([{ name: 'c', resources: { requests } }]);
  assert.deepEqual(filterResources(want({ 'example.com/foo': '2', 'ephemeral-storage': '10Gi' }), ni), []);
  ni.requested = { 'example.com/foo': 1 };
  assert.deepEqual(filterResources(want({ 'example.com/foo': '2' }), ni), ['Insufficient example.com/foo']);
  assert.deepEqual(filterResources(want({ 'example.com/bar': '1' }), ni), ['Insufficient example.com/bar']); // not offered at all
  assert.deepEqual(filterResources(want({ 'ephemeral-storage': '11Gi' }), ni), ['Insufficient ephemeral-storage']);
});

test('NoExecute taints filter like NoSchedule', () => {
  const ni = nodeInfoFor(node({}, { taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }] }));
  const p = podInfo([{ name: 'c' }]);
  assert.deepEqual(filterTaints(p, ni), ['node(s) had untolerated taint {k: v}']);
  p.tolerations = [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }];
  assert.deepEqual(filterTaints(p, ni), []);
});
