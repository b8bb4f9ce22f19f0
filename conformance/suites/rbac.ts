// RBAC with real kubectl: a second user from `skiff kubeconfig --user` is refused with upstream's
// message, gains access through a RoleBinding and loses it when the binding goes; `kubectl auth
// can-i` (with --as and --list) answers from the authorizer; escalation through a binding is refused;
// `kubectl auth reconcile` and `kubectl certificate approve|deny` work.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext } from '../lib.ts';
import { check, execFile, waitFor } from '../lib.ts';
import { kubectl, ok, show } from './kubectl.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** `skiff kubeconfig --user NAME --group G…` run as the admin (KUBECONFIG), written into the case's directory. */
async function userKubeconfig(ctx: CaseContext, user: string, groups: string[] = []): Promise<string> {
  const r = await execFile(process.execPath, [join(ROOT, 'src', 'cli.ts'), 'kubeconfig', '--user', user, ...groups.flatMap((g) => ['--group', g])],
    { env: { ...process.env, KUBECONFIG: ctx.cluster.kubeconfigPath }, timeoutMs: 40_000, signal: ctx.signal });
  check(r.code === 0 && /client-certificate-data/.test(r.stdout), `skiff kubeconfig --user ${user}: exit=${r.code} ${r.stderr.slice(0, 400)}`);
  const path = join(ctx.tmp, `${user}.kubeconfig`);
  writeFileSync(path, r.stdout, { mode: 0o600 });
  return path;
}

const forbidden = (r: { code: number | null; stderr: string }, message: string) => r.code === 1 && r.stderr.includes(`Error from server (Forbidden): ${message}`);

export const rbacCases: Case[] = [
  {
    behavior: 'rbac.limited-user', name: 'second-user-bound-and-unbound', core: true,
    async run(ctx) {
      const kc = await userKubeconfig(ctx, `dev-${ctx.ns}`, ['devs']);
      const user = `dev-${ctx.ns}`;
      const who = await kubectl(ctx, ['auth', 'whoami', '-o', 'json'], { kubeconfig: kc });
      if (who.code === 0) check(JSON.parse(who.stdout).status.userInfo.username === user, `whoami: ${who.stdout}`);
      const before = await kubectl(ctx, ['get', 'pods', '-n', ctx.ns], { kubeconfig: kc });
      check(forbidden(before, `pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "${ctx.ns}"`), `before a binding: ${show(before)}`);
      await ok(ctx, ['create', 'rolebinding', 'dev-edit', '--clusterrole=edit', `--user=${user}`, '-n', ctx.ns]);
      await waitFor('access through the binding', async () => (await kubectl(ctx, ['get', 'pods', '-n', ctx.ns], { kubeconfig: kc })).code === 0, { timeoutMs: 10_000, signal: ctx.signal });
      await ok(ctx, ['create', 'configmap', 'by-dev', '-n', ctx.ns, '--from-literal=k=v', '--kubeconfig', kc]);
      const secretsElsewhere = await kubectl(ctx, ['get', 'secrets', '-n', 'kube-system'], { kubeconfig: kc });
      check(forbidden(secretsElsewhere, `secrets is forbidden: User "${user}" cannot list resource "secrets" in API group "" in the namespace "kube-system"`), `another namespace: ${show(secretsElsewhere)}`);
      await ok(ctx, ['delete', 'rolebinding', 'dev-edit', '-n', ctx.ns]);
      await waitFor('access gone with the binding', async () => forbidden(await kubectl(ctx, ['get', 'pods', '-n', ctx.ns], { kubeconfig: kc }), 'pods is forbidden'), { timeoutMs: 10_000, signal: ctx.signal });
    },
  },
  {
    behavior: 'rbac.can-i', name: 'auth-can-i-as-limited-user', core: true,
    async run(ctx) {
      const user = `viewer-${ctx.ns}`;
      await ok(ctx, ['create', 'rolebinding', 'v', '--clusterrole=view', `--user=${user}`, '-n', ctx.ns]);
      const yes = await kubectl(ctx, ['auth', 'can-i', 'list', 'pods', '-n', ctx.ns, `--as=${user}`]);
      check(yes.code === 0 && yes.stdout.trim() === 'yes', `can-i list pods --as: ${show(yes)}`);
      const no = await kubectl(ctx, ['auth', 'can-i', 'delete', 'pods', '-n', ctx.ns, `--as=${user}`]);
      check(no.code === 1 && no.stdout.trim() === 'no', `can-i delete pods --as: ${show(no)}`);
      const sub = await kubectl(ctx, ['auth', 'can-i', 'get', 'pods', '--subresource=log', '-n', ctx.ns, `--as=${user}`]);
      check(sub.code === 0 && sub.stdout.trim() === 'yes', `can-i get pods --subresource=log: ${show(sub)}`);
      const exec = await kubectl(ctx, ['auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', ctx.ns, `--as=${user}`]);
      check(exec.code === 1 && exec.stdout.trim() === 'no', `can-i create pods/exec: ${show(exec)}`);
      const admin = await kubectl(ctx, ['auth', 'can-i', '*', '*']);
      check(admin.code === 0 && admin.stdout.trim() === 'yes', `the admin can-i '*' '*': ${show(admin)}`);
      const url = await kubectl(ctx, ['auth', 'can-i', 'get', '/healthz', `--as=${user}`]);
      check(url.code === 0 && url.stdout.trim() === 'yes', `can-i get /healthz: ${show(url)}`);
      const kc = await userKubeconfig(ctx, user);
      const list = await ok(ctx, ['auth', 'can-i', '--list', '-n', ctx.ns, '--kubeconfig', kc]);
      check(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]/m.test(list) && /selfsubjectaccessreviews\.authorization\.k8s\.io/.test(list), `can-i --list: ${list.slice(0, 800)}`);
    },
  },
  {
    behavior: 'rbac.escalation', name: 'binding-escalation-refused', core: true,
    async run(ctx) {
      const user = `nsadmin-${ctx.ns}`;
      await ok(ctx, ['create', 'rolebinding', 'a', '--clusterrole=admin', `--user=${user}`, '-n', ctx.ns]);
      const kc = await userKubeconfig(ctx, user);
      await ok(ctx, ['create', 'rolebinding', 'view-for-friend', '--clusterrole=view', '--user=friend', '-n', ctx.ns, '--kubeconfig', kc]);
      const up = await kubectl(ctx, ['create', 'rolebinding', 'mine', '--clusterrole=cluster-admin', `--user=${user}`, '-n', ctx.ns], { kubeconfig: kc });
      check(up.code === 1 && up.stderr.includes(`rolebindings.rbac.authorization.k8s.io "mine" is forbidden: user "${user}" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:`),
        `binding to cluster-admin: ${show(up)}`);
      const role = await kubectl(ctx, ['create', 'role', 'nodes', '--verb=get', '--resource=nodes', '-n', ctx.ns], { kubeconfig: kc });
      check(role.code === 1 && /is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}/.test(role.stderr), `role with nodes: ${show(role)}`);
    },
  },
  {
    behavior: 'rbac.impersonation', name: 'as-and-as-group', core: true,
    async run(ctx) {
      const r = await kubectl(ctx, ['get', 'configmaps', '-n', ctx.ns, '--as=someone', '--as-group=outsiders']);
      check(forbidden(r, `configmaps is forbidden: User "someone" cannot list resource "configmaps" in API group "" in the namespace "${ctx.ns}"`), `--as: ${show(r)}`);
      const kc = await userKubeconfig(ctx, `plain-${ctx.ns}`);
      const imp = await kubectl(ctx, ['get', 'configmaps', '-n', ctx.ns, '--as=someone'], { kubeconfig: kc });
      check(forbidden(imp, `users "someone" is forbidden: User "plain-${ctx.ns}" cannot impersonate resource "users" in API group "" at the cluster scope`), `--as without the impersonate verb: ${show(imp)}`);
    },
  },
  {
    behavior: 'rbac.reconcile', name: 'auth-reconcile',
    async run(ctx) {
      const manifest = join(ctx.tmp, 'rbac.yaml');
      writeFileSync(manifest, `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reconciled, namespace: ${ctx.ns}}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reconciled, namespace: ${ctx.ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reconciled}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: rec-user}
`);
      const first = await ok(ctx, ['auth', 'reconcile', '-f', manifest]);
      check(/role\.rbac\.authorization\.k8s\.io\/reconciled reconciled/.test(first) && /rolebinding\.rbac\.authorization\.k8s\.io\/reconciled reconciled/.test(first), `reconcile: ${first}`);
      const yes = await kubectl(ctx, ['auth', 'can-i', 'get', 'configmaps', '-n', ctx.ns, '--as=rec-user']);
      check(yes.stdout.trim() === 'yes', `after reconcile: ${show(yes)}`);
      await ok(ctx, ['auth', 'reconcile', '-f', manifest]);
    },
  },
  {
    behavior: 'certificates.approve', name: 'certificate-approve-deny',
    async run(ctx) {
      const { makeCsr } = await import('../../src/auth/user-kubeconfig.ts');
      const csr = (name: string) => JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
        spec: { request: Buffer.from(makeCsr({ user: name }).csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } });
      const a = `${ctx.ns}-a`, d = `${ctx.ns}-d`;
      await ok(ctx, ['create', '-f', '-'], { input: csr(a) });
      await ok(ctx, ['create', '-f', '-'], { input: csr(d) });
      const pending = await ok(ctx, ['get', 'csr', a]);
      check(/SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION/.test(pending) && /Pending/.test(pending), `get csr: ${pending}`);
      await ok(ctx, ['certificate', 'approve', a]);
      await ok(ctx, ['certificate', 'deny', d]);
      await waitFor('the approved request to be issued', async () => /Approved,Issued/.test(await ok(ctx, ['get', 'csr', a])), { timeoutMs: 10_000, signal: ctx.signal });
      check(/Denied/.test(await ok(ctx, ['get', 'csr', d])), 'denied');
      const cert = await ok(ctx, ['get', 'csr', a, '-o', 'jsonpath={.status.certificate}']);
      check(Buffer.from(cert, 'base64').toString().includes('BEGIN CERTIFICATE'), 'certificate issued');
    },
  },
];
