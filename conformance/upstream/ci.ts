// CI's share of upstream's conformance suite: a fixed list of fast specs that pass (each a few
// seconds in RESULTS.md), across api-machinery, apps, auth, node and storage, run by run.ts with
// the small e2e-subset.test (build.sh --subset, cached in ~/.cache/skiff-e2e) in a loopback-only
// network namespace, 4 processes. `npm test` runs it as its last stage.
//
//   node conformance/upstream/ci.ts [--build-only] [--list]
//
// --build-only builds (or finds) the binary and exits; --list prints the specs.
// Exit status: 0 when every listed spec ran and passed; 1 when one failed, was skipped or did not
// run (a renamed spec is an error, not a silent skip); 2 on a set-up error (no Go, no root, …).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from './report.ts';

const HERE = import.meta.dirname;

/** Spec texts exactly as upstream v1.32 names them (see RESULTS.md). */
export const CI_SPECS = [
  '[sig-api-machinery] Discovery should validate PreferredVersion for each APIGroup [Conformance]',
  '[sig-api-machinery] server version should find the server version [Conformance]',
  '[sig-api-machinery] Watchers should be able to start watching from a specific resource version [Conformance]',
  '[sig-api-machinery] FieldValidation should detect unknown and duplicate fields of a typed object [Conformance]',
  '[sig-api-machinery] CustomResourceDefinition resources [Privileged:ClusterAdmin] Simple CustomResourceDefinition creating/deleting custom resource definition objects works [Conformance]',
  '[sig-api-machinery] ResourceQuota should be able to update and delete ResourceQuota. [Conformance]',
  '[sig-api-machinery] Garbage collector should not be blocked by dependency circle [Conformance]',
  '[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should mutate configmap [Conformance]',
  '[sig-api-machinery] AggregatedDiscovery should support aggregated discovery interface [Conformance]',
  '[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for CRD with validation schema [Conformance]',
  '[sig-node] Pods should be submitted and removed [NodeConformance] [Conformance]',
  '[sig-node] Pods should support remote command execution over websockets [NodeConformance] [Conformance]',
  '[sig-node] Kubelet when scheduling a busybox command in a pod should print the output to logs [NodeConformance] [Conformance]',
  "[sig-node] Containers should be able to override the image's default command and arguments [NodeConformance] [Conformance]",
  '[sig-node] Variable Expansion should allow composing env vars into new env vars [NodeConformance] [Conformance]',
  '[sig-node] Downward API should provide pod name, namespace and IP address as env vars [NodeConformance] [Conformance]',
  '[sig-node] ConfigMap should be consumable via environment variable [NodeConformance] [Conformance]',
  '[sig-node] Secrets should patch a secret [Conformance]',
  '[sig-node] PodTemplates should run the lifecycle of PodTemplates [Conformance]',
  '[sig-node] RuntimeClass should support RuntimeClasses API operations [Conformance]',
  '[sig-node] Lease lease API should be available [Conformance]',
  '[sig-storage] ConfigMap should be consumable from pods in volume with mappings [NodeConformance] [Conformance]',
  '[sig-storage] Secrets should be consumable from pods in volume with defaultMode set [LinuxOnly] [NodeConformance] [Conformance]',
  '[sig-storage] ConfigMap binary data should be reflected in volume [NodeConformance] [Conformance]',
  '[sig-storage] Downward API volume should provide podname only [NodeConformance] [Conformance]',
  '[sig-storage] EmptyDir volumes should support (root,0644,tmpfs) [LinuxOnly] [NodeConformance] [Conformance]',
  '[sig-storage] Projected combined should project all components that make up the projection API [Projection] [NodeConformance] [Conformance]',
  '[sig-apps] Deployment RecreateDeployment should delete old pods and create new ones [Conformance]',
  '[sig-apps] ReplicaSet should adopt matching pods on creation and release no longer matching pods [Conformance]',
  '[sig-apps] Job should delete a job [Conformance]',
  '[sig-apps] DisruptionController should create a PodDisruptionBudget [Conformance]',
  '[sig-auth] ServiceAccounts should mount an API token into pods [Conformance]',
  '[sig-auth] Certificates API [Privileged:ClusterAdmin] should support CSR API operations [Conformance]',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What went wrong with the listed specs in a run's summary ([] when all of them passed). */
export function problems(summary: Pick<Summary, 'specs'>, specs = CI_SPECS): string[] {
  const byName = new Map(summary.specs.map((s) => [s.name, s]));
  const out: string[] = [];
  for (const name of specs) {
    const r = byName.get(name);
    if (!r) out.push(`did not run (renamed upstream, or not linked into e2e-subset.test?): ${name}`);
    else if (r.state !== 'passed') out.push(`${r.state}: ${name}${r.message ? `\n    ${r.message.split('\n')[0]}` : ''}`);
  }
  return out;
}

function main(): number {
  const argv = process.argv.slice(2);
  if (argv.includes('--list')) { process.stdout.write(CI_SPECS.join('\n') + '\n'); return 0; }
  if (argv.includes('--build-only')) {
    const r = spawnSync('bash', [join(HERE, 'build.sh'), '--subset'], { stdio: ['ignore', 'inherit', 'inherit'] });
    return r.status ?? 2;
  }
  const reportDir = mkdtempSync(join(tmpdir(), 'skiff-e2e-ci-'));
  const args = [join(HERE, 'run.ts'), '--subset', '--procs', '4', '--timeout', '15m', '--report-dir', reportDir, ...CI_SPECS.flatMap((s) => ['--focus', escape(s)])];
  // Niced, so a shared machine's other work keeps its share; run.ts's own exit status is re-checked below.
  const r = spawnSync('nice', ['-n', '5', process.execPath, ...args], { stdio: 'inherit' });
  const file = join(reportDir, 'summary.json');
  if (!existsSync(file)) { process.stderr.write(`upstream e2e subset: no summary (run.ts exited ${r.status}); see ${reportDir}\n`); return r.status === 2 ? 2 : 1; }
  const bad = problems(JSON.parse(readFileSync(file, 'utf8')) as Summary);
  const extra = r.status !== 0 && !bad.length ? [`run.ts exited ${r.status}`] : [];
  for (const p of [...bad, ...extra]) process.stderr.write(`upstream e2e subset: ${p}\n`);
  process.stdout.write(`upstream e2e subset: ${CI_SPECS.length - bad.length} of ${CI_SPECS.length} listed specs passed (reports in ${reportDir})\n`);
  return bad.length || extra.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main());
