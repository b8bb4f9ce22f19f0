// Service-account tokens with real kubectl: `kubectl create token` (TokenRequest) returns a JWT that
// kubectl can then authenticate with (`--token`), with the requested lifetime, audience and bound
// object (Secret, Node); tokens stop working when their account or bound object goes away.
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';
import { kubectl, ok, show } from './kubectl.ts';

/**
 * The default ServiceAccount of the case's namespace, once the controller has created it; it is bound
 * to `view` in the namespace (RBAC is enforced, as upstream: a token alone grants nothing).
 */
async function defaultAccountUid(ctx: CaseContext): Promise<string> {
  const bound = await kubectl(ctx, ['create', 'rolebinding', 'default-view', '--clusterrole=view', `--serviceaccount=${ctx.ns}:default`, '-n', ctx.ns]);
  check(bound.code === 0 || /AlreadyExists/.test(bound.stderr), `bind the default account: ${show(bound)}`);
  return waitFor('the default ServiceAccount', async () => {
    const r = await kubectl(ctx, ['get', 'sa', 'default', '-n', ctx.ns, '-o', 'jsonpath={.metadata.uid}']);
    return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
  }, { timeoutMs: 20_000, signal: ctx.signal });
}

function claims(token: string): any {
  const parts = token.split('.');
  check(parts.length === 3, `not a JWT: ${JSON.stringify(token.slice(0, 80))}`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

async function createToken(ctx: CaseContext, extra: string[] = []): Promise<string> {
  const token = (await ok(ctx, ['create', 'token', 'default', '-n', ctx.ns, ...extra])).trim();
  check(/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token), `kubectl create token printed ${JSON.stringify(token.slice(0, 120))}`);
  return token;
}

const getPodsAs = (ctx: CaseContext, token: string) => kubectl(ctx, ['--token', token, 'get', 'pods', '-n', ctx.ns]);
const unauthorized = (r: { code: number | null; stderr: string }) => r.code === 1 && /Unauthorized|must be logged in/.test(r.stderr);

export const tokenCases: Case[] = [
  {
    behavior: 'tokens.create-and-authenticate', name: 'create-token-use-it', core: true,
    async run(ctx) {
      const uid = await defaultAccountUid(ctx);
      const token = await createToken(ctx);
      const c = claims(token);
      check(c.sub === `system:serviceaccount:${ctx.ns}:default` && c.exp - c.iat === 3600 && c['kubernetes.io']?.serviceaccount?.uid === uid,
        `claims of the default token: ${JSON.stringify(c)}`);
      const r = await getPodsAs(ctx, token);
      check(r.code === 0, `kubectl --token=<it> get pods: ${show(r)}`);
      const forged = await getPodsAs(ctx, `${token.slice(0, -4)}AAAA`);
      check(unauthorized(forged), `a token with a broken signature: ${show(forged)}`);
      // The account goes away (the controller recreates "default" with a new uid): the token is refused.
      await ok(ctx, ['delete', 'sa', 'default', '-n', ctx.ns]);
      await waitFor('the token to be refused', async () => unauthorized(await getPodsAs(ctx, token)), { timeoutMs: 10_000, signal: ctx.signal });
    },
  },
  {
    behavior: 'tokens.duration-and-audience', name: 'create-token-duration-audience', core: true,
    async run(ctx) {
      await defaultAccountUid(ctx);
      const ten = claims(await createToken(ctx, ['--duration=10m']));
      check(ten.exp - ten.iat === 600, `--duration=10m: exp-iat=${ten.exp - ten.iat}`);
      const short = await kubectl(ctx, ['create', 'token', 'default', '-n', ctx.ns, '--duration=1m']);
      check(short.code === 1 && /may not specify a duration less than 10 minutes/.test(short.stderr), `--duration=1m: ${show(short)}`);
      const missing = await kubectl(ctx, ['create', 'token', 'nobody', '-n', ctx.ns]);
      check(missing.code === 1 && /serviceaccounts "nobody" not found/.test(missing.stderr), `unknown account: ${show(missing)}`);
      const other = await createToken(ctx, ['--audience=vault']);
      check(JSON.stringify(claims(other).aud) === '["vault"]', `--audience=vault: aud=${JSON.stringify(claims(other).aud)}`);
      const r = await getPodsAs(ctx, other);
      check(unauthorized(r), `a token for another audience against the API server: ${show(r)}`);
    },
  },
  {
    behavior: 'tokens.bound-object', name: 'create-token-bound-secret', core: true,
    async run(ctx) {
      await defaultAccountUid(ctx);
      await ok(ctx, ['create', 'secret', 'generic', 'anchor', '-n', ctx.ns, '--from-literal=k=v']);
      const token = await createToken(ctx, ['--bound-object-kind=Secret', '--bound-object-name=anchor']);
      check(claims(token)['kubernetes.io']?.secret?.name === 'anchor', `bound claims: ${JSON.stringify(claims(token))}`);
      const r = await getPodsAs(ctx, token);
      check(r.code === 0, `a Secret-bound token: ${show(r)}`);
      await ok(ctx, ['delete', 'secret', 'anchor', '-n', ctx.ns]);
      const after = await getPodsAs(ctx, token);
      check(unauthorized(after), `the token after its Secret was deleted: ${show(after)}`);
    },
  },
  {
    // --bound-object-kind=Node needs kubectl 1.31 or later: not a core (version-skew) case.
    behavior: 'tokens.bound-node', name: 'create-token-bound-node',
    async run(ctx) {
      await defaultAccountUid(ctx);
      const node = `tok-${ctx.ns}`.slice(0, 63);
      // Tainted, so no other case's pod lands on it while it exists.
      await ok(ctx, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: node }, spec: { taints: [{ key: 'skiff.dev/token-test', effect: 'NoSchedule' }] } }) });
      try {
        const token = await createToken(ctx, ['--bound-object-kind=Node', `--bound-object-name=${node}`]);
        check(claims(token)['kubernetes.io']?.node?.name === node, `bound claims: ${JSON.stringify(claims(token))}`);
        const r = await getPodsAs(ctx, token);
        check(r.code === 0, `a Node-bound token: ${show(r)}`);
        await ok(ctx, ['delete', 'node', node]);
        const after = await getPodsAs(ctx, token);
        check(unauthorized(after), `the token after its Node was deleted: ${show(after)}`);
      } finally { await kubectl(ctx, ['delete', 'node', node, '--ignore-not-found']); }
    },
  },
  {
    behavior: 'tokens.whoami', name: 'whoami-with-token',
    async run(ctx) {
      const uid = await defaultAccountUid(ctx);
      const token = await createToken(ctx);
      const who = JSON.parse(await ok(ctx, ['--token', token, 'auth', 'whoami', '-o', 'json']));
      const u = who.status?.userInfo ?? {};
      check(u.username === `system:serviceaccount:${ctx.ns}:default` && u.uid === uid
        && JSON.stringify(u.groups) === JSON.stringify(['system:serviceaccounts', `system:serviceaccounts:${ctx.ns}`, 'system:authenticated']),
      `kubectl auth whoami with the token: ${JSON.stringify(who)}`);
    },
  },
];
