// Writes src/auth/rbac/bootstrap-policy.json, Skiff's compact form of the bootstrap RBAC policy that
// kube-apiserver v1.32 reconciles at start (default feature gates). It reads the policy as upstream
// dumps it for its own golden tests (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata) from
// a Kubernetes source tree: node scripts/gen-rbac-policy.ts <kubernetes source dir>.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const src = process.argv[2];
if (!src) { process.stderr.write('usage: node scripts/gen-rbac-policy.ts <kubernetes source dir>\n'); process.exit(2); }
const dir = join(src, 'plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata');
const items = (f: string) => parse(readFileSync(join(dir, f), 'utf8')).items as any[];

const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
const rule = (r: any) => (r.nonResourceURLs
  ? { v: r.verbs, u: r.nonResourceURLs }
  : { v: r.verbs, g: r.apiGroups, r: r.resources, ...(r.resourceNames ? { n: r.resourceNames } : {}) });
const labels = (o: any) => {
  const l = { ...(o.metadata.labels ?? {}) };
  delete l[BOOTSTRAP_LABEL];
  return Object.keys(l).length ? { labels: l } : {};
};
const subject = (s: any) => `${s.kind}:${s.kind === 'ServiceAccount' ? `${s.namespace}/${s.name}` : s.name}`;
const role = (o: any) => ({
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name, ...labels(o),
  ...(o.aggregationRule ? { aggregate: o.aggregationRule.clusterRoleSelectors } : {}),
  rules: (o.rules ?? []).map(rule),
});
const binding = (o: any) => ({
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name,
  role: `${o.roleRef.kind}:${o.roleRef.name}`, subjects: (o.subjects ?? []).map(subject),
});

const policy = {
  source: 'kube-apiserver v1.32 bootstrap RBAC policy (default feature gates)',
  clusterRoles: [...items('cluster-roles.yaml'), ...items('controller-roles.yaml')].map(role),
  clusterRoleBindings: [...items('cluster-role-bindings.yaml'), ...items('controller-role-bindings.yaml')].map(binding),
  roles: items('namespace-roles.yaml').map(role),
  roleBindings: items('namespace-role-bindings.yaml').map(binding),
};
const out = join(import.meta.dirname, '../src/auth/rbac/bootstrap-policy.json');
// One object per line: readable diffs when upstream's policy changes.
const section = (k: string, list: object[]) => `  ${JSON.stringify(k)}: [\n${list.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`;
const text = `{\n  "source": ${JSON.stringify(policy.source)},\n${(['clusterRoles', 'clusterRoleBindings', 'roles', 'roleBindings'] as const).map((k) => section(k, policy[k])).join(',\n')}\n}\n`;
writeFileSync(out, text);
process.stdout.write(`wrote ${out}: ${policy.clusterRoles.length} cluster roles, ${policy.clusterRoleBindings.length} cluster role bindings, ${policy.roles.length} roles, ${policy.roleBindings.length} role bindings\n`);
