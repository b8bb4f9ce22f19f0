// API Priority and Fairness with real kubectl: the flowcontrol objects listed with upstream's columns
// (and a FlowSchema naming a missing level shown MissingPL True), and overload per priority level —
// while one user's level is full, kubectl as that user is refused with 429 TooManyRequests and
// kubectl as another user (and the admin) still works. The full level is held with raw requests
// whose bodies are not finished (they hold their seats until the body ends).
import https from 'node:https';
import type { ClientRequest } from 'node:http';
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';
import { kubectl, ok, show } from './kubectl.ts';

const level = (name: string) => `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: ${name}}
spec: {type: Limited, limited: {nominalConcurrencyShares: 1, limitResponse: {type: Reject}}}
`;
const schema = (name: string, levelName: string, user: string) => `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: ${name}}
spec:
  matchingPrecedence: 500
  priorityLevelConfiguration: {name: ${levelName}}
  distinguisherMethod: {type: ByUser}
  rules:
  - subjects: [{kind: User, user: {name: ${user}}}]
    resourceRules: [{verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true}]
    nonResourceRules: [{verbs: ['*'], nonResourceURLs: ['*']}]
`;

/** A create as `user` whose body is left unfinished: it holds a seat of the user's level until ended. */
function heldCreate(ctx: CaseContext, user: string, name: string): { req: ClientRequest; done: Promise<number> } {
  const url = new URL(ctx.cluster.url);
  const req = https.request({ host: url.hostname, port: url.port, method: 'POST', path: `/api/v1/namespaces/${ctx.ns}/configmaps`, ca: ctx.cluster.caPem,
    headers: { Authorization: `Bearer ${ctx.cluster.token}`, 'Impersonate-User': user, 'Content-Type': 'application/json' } });
  const done = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
  });
  req.write(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"}`);
  return { req, done };
}

async function nominalSeats(ctx: CaseContext, levelName: string): Promise<number | undefined> {
  const m = new RegExp(`apiserver_flowcontrol_nominal_limit_seats\\{priority_level="${levelName}"\\} (\\d+)`).exec(await ok(ctx, ['get', '--raw', '/metrics']));
  return m ? Number(m[1]) : undefined;
}

export const flowcontrolCases: Case[] = [
  {
    behavior: 'apf.objects', name: 'get-flowschemas-prioritylevels',
    async run(ctx) {
      const out = await ok(ctx, ['get', 'flowschemas,prioritylevelconfigurations']);
      for (const col of ['PRIORITYLEVEL', 'MATCHINGPRECEDENCE', 'DISTINGUISHERMETHOD', 'MISSINGPL', 'NOMINALCONCURRENCYSHARES', 'QUEUELENGTHLIMIT']) check(out.includes(col), `column ${col}: ${out}`);
      check(/flowschema\.flowcontrol\.apiserver\.k8s\.io\/exempt\s+exempt\s+1\s+<none>\s+\S+\s+False/.test(out), `the exempt FlowSchema: ${out}`);
      check(/flowschema\.flowcontrol\.apiserver\.k8s\.io\/catch-all\s+catch-all\s+10000\s+ByUser\s+\S+\s+False/.test(out), `the catch-all FlowSchema: ${out}`);
      check(/prioritylevelconfiguration\.flowcontrol\.apiserver\.k8s\.io\/global-default\s+Limited\s+20\s+128\s+6\s+50/.test(out), `the global-default level: ${out}`);
      check(/prioritylevelconfiguration\.flowcontrol\.apiserver\.k8s\.io\/exempt\s+Exempt\s+<none>\s+<none>\s+<none>\s+<none>/.test(out), `the exempt level: ${out}`);
      // A FlowSchema naming a level that does not exist is shown as missing it (Dangling=True).
      const name = `lost-${ctx.ns}`;
      await ok(ctx, ['create', '-f', '-'], { input: schema(name, `no-level-${ctx.ns}`, `nobody-${ctx.ns}`) });
      await waitFor('MissingPL True', async () => /\sTrue\s*$/.test((await ok(ctx, ['get', 'flowschema', name, '--no-headers'])).trim()), { signal: ctx.signal });
      const refused = await kubectl(ctx, ['patch', 'flowschema', 'catch-all', '--type=merge', '-p', '{"spec":{"matchingPrecedence":5000}}']);
      check(refused.code === 1 && refused.stderr.includes("spec of 'catch-all' must equal the fixed value"), `changing a mandatory FlowSchema: ${show(refused)}`);
      await ok(ctx, ['delete', 'flowschema', name]);
    },
  },
  {
    behavior: 'apf.overload-per-user', name: 'flood-429-other-user-served', timeoutMs: 90_000,
    async run(ctx) {
      const flooder = `flooder-${ctx.ns}`, other = `other-${ctx.ns}`, levelName = `flood-${ctx.ns}`;
      await ok(ctx, ['create', 'rolebinding', 'apf-edit', '--clusterrole=edit', `--user=${flooder}`, `--user=${other}`, '-n', ctx.ns]);
      await ok(ctx, ['create', '-f', '-'], { input: level(levelName) + '---\n' + schema(levelName, levelName, flooder) });
      const seats = await waitFor('the level in use', () => nominalSeats(ctx, levelName), { signal: ctx.signal });
      await waitFor('the schema in use', async () => (await kubectl(ctx, ['get', 'flowschema', levelName, '-o', 'jsonpath={.status.conditions[0].status}'])).stdout === 'False', { signal: ctx.signal });
      const held = Array.from({ length: seats }, (_, i) => heldCreate(ctx, flooder, `held-${i}`));
      try {
        // Every seat of the flooder's level is taken: kubectl as the flooder gets 429s (client-go
        // retries them as Retry-After asks, then reports TooManyRequests).
        await waitFor('the level full', async () => {
          const r = await kubectl(ctx, ['get', 'configmaps', '-n', ctx.ns, `--as=${flooder}`, '-v=6'], { timeoutMs: 60_000 });
          return r.code === 1 && /\b429 Too Many Requests\b/.test(r.stderr) && /TooManyRequests|too many requests/i.test(r.stderr) ? r : undefined;
        }, { timeoutMs: 70_000, signal: ctx.signal });
        // Another user, and the admin, are served meanwhile.
        await ok(ctx, ['get', 'configmaps', '-n', ctx.ns, `--as=${other}`]);
        await ok(ctx, ['create', 'configmap', 'by-other', '-n', ctx.ns, '--from-literal=k=v', `--as=${other}`]);
        await ok(ctx, ['get', 'configmaps', '-n', ctx.ns]);
      } finally {
        for (const h of held) h.req.end('}');
      }
      const codes = await Promise.all(held.map((h) => h.done));
      check(codes.every((c) => c === 201), `the held creates finish: ${codes}`);
      await ok(ctx, ['get', 'configmaps', '-n', ctx.ns, `--as=${flooder}`]);
      await ok(ctx, ['delete', 'flowschema,prioritylevelconfiguration', levelName]);
    },
  },
];
