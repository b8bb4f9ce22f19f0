// Python and client-go scenarios: thin wrappers that run a scenario program with the suite's
// kubeconfig and the case's namespace; the program exits 0 on success and explains failures.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext } from '../lib.ts';
import { check, execFile } from '../lib.ts';

const here = import.meta.dirname;

export function scenarioCase(behavior: string, name: string, cmd: () => string[], scenario: string, opts: { noNamespace?: boolean; timeoutMs?: number } = {}): Case {
  return {
    behavior, name, noNamespace: opts.noNamespace, timeoutMs: opts.timeoutMs,
    async run(ctx: CaseContext) {
      const [bin, ...pre] = cmd();
      const r = await execFile(bin, [...pre, ctx.cluster.kubeconfigPath, scenario, ctx.ns], { timeoutMs: opts.timeoutMs ?? 60_000, signal: ctx.signal });
      const fail = (r.stderr.match(/FAIL: .*/g) ?? []).join('; ') || r.stderr.trim().split('\n').slice(-3).join(' | ');
      check(r.code === 0, `${scenario}: exit=${r.code} ${fail.slice(0, 700)}`);
    },
  };
}

export const pythonTool = { python: 'python3' };
const py = () => [pythonTool.python, join(here, '..', 'python', 'scenarios.py')];

export const pythonCases: Case[] = [
  scenarioCase('crud.typed', 'crud', py, 'crud'),
  scenarioCase('watch.events', 'watch', py, 'watch'),
  scenarioCase('watch.events', 'watch-from-rv', py, 'watch-rv'),
  scenarioCase('crud.create-from-file', 'create-from-yaml', py, 'create-from-yaml'),
  scenarioCase('patch.strategic', 'patch', py, 'patch'),
  scenarioCase('crd.custom-objects-api', 'custom-objects', py, 'custom-objects'),
  scenarioCase('rbac.python-token', 'service-account-token', py, 'sa-token'),
];

export const goTool = { bin: join(here, '..', 'go', 'bin', 'skiff-conformance') };
const go = () => [goTool.bin];

export const clientGoCases: Case[] = [
  scenarioCase('crud.typed', 'typed-crud', go, 'typed-crud', { noNamespace: true }),
  scenarioCase('namespace.delete', 'namespaces', go, 'namespaces', { noNamespace: true }),
  scenarioCase('watch.informer', 'shared-informer', go, 'informer', { noNamespace: true }),
  scenarioCase('crud.dynamic', 'dynamic-client', go, 'dynamic', { noNamespace: true }),
  scenarioCase('apply.server-side', 'apply-configurations', go, 'apply', { noNamespace: true }),
  scenarioCase('crd.custom-objects-api', 'dynamic-custom-resources', go, 'dynamic-crd', { noNamespace: true }),
  scenarioCase('protobuf.client-go', 'protobuf-crud', go, 'protobuf', { noNamespace: true }),
  scenarioCase('rbac.client-go', 'impersonation', go, 'impersonation', { noNamespace: true }),
  {
    // The same program with a kubeconfig holding a client certificate (CN=cg-cert, O=cg-group).
    behavior: 'rbac.client-go', name: 'client-certificate',
    async run(ctx: CaseContext) {
      const { userKubeconfig } = await import('../../src/auth/user-kubeconfig.ts');
      const kc = join(ctx.tmp, 'cg-cert.kubeconfig');
      writeFileSync(kc, await userKubeconfig({ server: ctx.cluster.url, caPem: ctx.cluster.caPem, token: ctx.cluster.token }, { user: 'cg-cert', groups: ['cg-group'] }));
      const r = await execFile(goTool.bin, [kc, 'client-cert', ctx.ns], { timeoutMs: 60_000, signal: ctx.signal });
      check(r.code === 0, `client-cert: exit=${r.code} ${(r.stderr.match(/FAIL: .*/g) ?? []).join('; ').slice(0, 700)}`);
    },
  },
];

/** client-go cases that need in-process set-up live with their area. */
export async function moreClientGoCases(): Promise<Case[]> { return [(await import('./proxy.ts')).clientGoProxyCase]; }
