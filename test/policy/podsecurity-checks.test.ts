// Golden cases for the Pod Security checks: each pod fragment with the exact reasons and details
// upstream's k8s.io/pod-security-admission gives at a level and version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, forbiddenDetail } from '../../src/admission/podsecurity/checks.ts';
import { policyOf } from '../../src/admission/podsecurity/policy.ts';

const ok = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const spec = (c: Record<string, unknown> = {}, s: Record<string, unknown> = {}) => ({ containers: [{ name: 'c', image: 'x', securityContext: { ...ok, ...c } }], ...s });

const cases: { name: string; level: 'baseline' | 'restricted'; minor?: number; spec: any; meta?: any; want: string }[] = [
  { name: 'clean', level: 'restricted', spec: spec(), want: '' },
  { name: 'privileged', level: 'baseline', spec: spec({ privileged: true }), want: 'privileged (container "c" must not set securityContext.privileged=true)' },
  { name: 'host namespaces', level: 'baseline', spec: spec({}, { hostNetwork: true, hostIPC: true }), want: 'host namespaces (hostNetwork=true, hostIPC=true)' },
  { name: 'host ports', level: 'baseline', spec: { containers: [{ name: 'a', ports: [{ containerPort: 1, hostPort: 80 }, { containerPort: 2, hostPort: 443 }] }, { name: 'b', ports: [{ containerPort: 3, hostPort: 80 }] }] }, want: 'hostPort (containers "a", "b" use hostPorts 443, 80)' },
  { name: 'capabilities baseline', level: 'baseline', spec: spec({ capabilities: { add: ['NET_ADMIN', 'CHOWN', 'SYS_ADMIN'] } }), want: 'non-default capabilities (container "c" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)' },
  { name: 'capabilities restricted', level: 'restricted', spec: spec({ capabilities: { add: ['CHOWN'] } }), want: 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "CHOWN" in securityContext.capabilities.add)' },
  { name: 'sysctls 1.32', level: 'baseline', spec: spec({}, { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '1' }, { name: 'kernel.msgmax', value: '1' }] } }), want: 'forbidden sysctls (kernel.msgmax)' },
  { name: 'sysctls 1.31', level: 'baseline', minor: 31, spec: spec({}, { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '1' }] } }), want: 'forbidden sysctls (net.ipv4.tcp_rmem)' },
  { name: 'runAsNonRoot false and runAsUser 0', level: 'restricted', spec: spec({ runAsNonRoot: false, runAsUser: 0 }, { securityContext: { runAsUser: 0 } }), want: 'runAsNonRoot != true (container "c" must not set securityContext.runAsNonRoot=false), runAsUser=0 (pod and container "c" must not set runAsUser=0)' },
  { name: 'runAsUser before 1.23', level: 'restricted', minor: 22, spec: spec({ runAsUser: 0 }), want: '' },
  { name: 'seLinux', level: 'baseline', spec: spec({ seLinuxOptions: { type: 'spc_t', user: 'u' } }), want: 'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)' },
  { name: 'seccomp unconfined', level: 'baseline', spec: spec({ seccompProfile: { type: 'Unconfined' } }), want: 'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")' },
  { name: 'procMount', level: 'baseline', spec: spec({ procMount: 'Unmasked' }), want: 'procMount (container "c" must not set securityContext.procMount to "Unmasked")' },
  { name: 'apparmor', level: 'baseline', spec: spec({ appArmorProfile: { type: 'Unconfined' } }), want: 'forbidden AppArmor profile (container "c" must not set AppArmor profile type to "Unconfined")' },
  { name: 'hostPath baseline', level: 'baseline', spec: spec({}, { volumes: [{ name: 'h', hostPath: { path: '/' } }] }), want: 'hostPath volumes (volume "h")' },
  { name: 'volumes restricted', level: 'restricted', spec: spec({}, { volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }, { name: 'e', emptyDir: {} }] }), want: 'restricted volume types (volume "n" uses restricted volume type "nfs")' },
  { name: 'windows host process', level: 'baseline', spec: spec({ windowsOptions: { hostProcess: true } }), want: 'hostProcess (container "c" must not set securityContext.windowsOptions.hostProcess=true)' },
  { name: 'windows pods skip linux-only restricted checks', level: 'restricted', spec: { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'w' }] }, want: '' },
  { name: 'init and ephemeral containers are checked', level: 'baseline', spec: { initContainers: [{ name: 'i', securityContext: { privileged: true } }], containers: [{ name: 'c' }], ephemeralContainers: [{ name: 'e', securityContext: { privileged: true } }] }, want: 'privileged (containers "i", "e" must not set securityContext.privileged=true)' },
  { name: 'malformed containers do not crash', level: 'restricted', spec: { containers: 'nope', volumes: [null, 3] }, want: '' },
];

for (const c of cases) {
  test(`pod security check: ${c.name}`, () => {
    assert.equal(forbiddenDetail(evaluate(c.level, c.minor ?? 32, c.meta ?? {}, c.spec)), c.want);
  });
}

test('pod security policy: labels parse as upstream, warn follows a stricter enforce, bad values are field errors', () => {
  let p = policyOf({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.29' });
  assert.deepEqual(p.policy.enforce, { level: 'baseline', minor: 29 });
  assert.deepEqual(p.policy.warn, { level: 'baseline', minor: 29 });
  assert.deepEqual(p.policy.audit, { level: 'privileged' });
  p = policyOf({ 'pod-security.kubernetes.io/enforce': 'nope', 'pod-security.kubernetes.io/warn-version': 'v2.0' });
  assert.equal(p.policy.enforce.level, 'restricted', 'an unparsable enforce level fails closed');
  assert.deepEqual(p.errors.map((e) => e.field), ['metadata.labels[pod-security.kubernetes.io/enforce]', 'metadata.labels[pod-security.kubernetes.io/warn-version]']);
  p = policyOf({ 'pod-security.kubernetes.io/audit': 'bogus' });
  assert.equal(p.policy.audit.level, 'privileged', 'audit fails open');
});
