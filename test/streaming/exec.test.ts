import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startEnv, makePod } from './helpers.ts';
import type { Env } from './helpers.ts';

let env: Env;
before(async () => {
  env = await startEnv();
  await makePod(env.store, 'web', { containers: [{ name: 'main', image: 'nginx:1.27', env: [{ name: 'GREETING', value: 'hi' }] }] });
  await makePod(env.store, 'pending', { states: { main: { waiting: { reason: 'ContainerCreating' } } } });
});
after(async () => { await env.stop(); });

interface Result { protocol: string; stdout: Buffer; stderr: Buffer; error: string; closeCode: number }

/** Run one exec over a real WebSocket, like kubectl (v5 unless told otherwise). */
function execWs(pod: string, command: string[], opts: { stdin?: Buffer; protocols?: string[]; tty?: boolean; container?: string; keys?: string[] } = {}): Promise<Result> {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  if (opts.container) q.set('container', opts.container);
  q.set('stdout', 'true');
  if (!opts.tty) q.set('stderr', 'true');
  if (opts.stdin || opts.keys) q.set('stdin', 'true');
  if (opts.tty) q.set('tty', 'true');
  const url = `${env.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/${pod}/exec?${q}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? ['v5.channel.k8s.io']);
    const out: Buffer[] = [], err: Buffer[] = [];
    let error = '';
    ws.on('open', () => {
      if (opts.stdin) {
        ws.send(Buffer.concat([Buffer.from([0]), opts.stdin]));
        ws.send(Buffer.from([255, 0]));
      }
      for (const k of opts.keys ?? []) ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(k)]));
    });
    ws.on('message', (d: Buffer) => {
      if (d[0] === 1) out.push(d.subarray(1));
      else if (d[0] === 2) err.push(d.subarray(1));
      else if (d[0] === 3) error += d.subarray(1).toString();
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c; });
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body) })));
    });
    ws.on('error', reject);
    ws.on('close', (code) => resolve({ protocol: ws.protocol, stdout: Buffer.concat(out), stderr: Buffer.concat(err), error, closeCode: code }));
  });
}

test('echo succeeds: v5 negotiated, stdout on channel 1, Success status on channel 3', async () => {
  const r = await execWs('web', ['echo', 'hello', 'world']);
  assert.equal(r.protocol, 'v5.channel.k8s.io');
  assert.equal(r.stdout.toString(), 'hello world\n');
  assert.deepEqual(JSON.parse(r.error), { metadata: {}, status: 'Success' });
});

test('non-zero exit code → NonZeroExitCode status with the code as cause', async () => {
  const r = await execWs('web', ['sh', '-c', 'echo oops >&2; exit 3']);
  assert.equal(r.stderr.toString(), 'oops\n');
  const st = JSON.parse(r.error);
  assert.equal(st.status, 'Failure');
  assert.equal(st.reason, 'NonZeroExitCode');
  assert.deepEqual(st.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  assert.match(st.message, /^command terminated with non-zero exit code: .*exit code 3$/);
});

test('stdin is delivered until the v5 close signal (cat echoes it, bytes intact)', async () => {
  const data = Buffer.concat([Buffer.from('héllo\n'), Buffer.from([0, 255, 10])]);
  const r = await execWs('web', ['cat'], { stdin: data });
  assert.deepEqual(r.stdout, data);
  assert.equal(JSON.parse(r.error).status, 'Success');
});

test('unknown executable → InternalError with the OCI runtime wording', async () => {
  const r = await execWs('web', ['nosuchcmd', '-x']);
  const st = JSON.parse(r.error);
  assert.equal(st.status, 'Failure');
  assert.equal(st.reason, 'InternalError');
  assert.match(st.message, /exec: "nosuchcmd": executable file not found in \$PATH: unknown$/);
});

test('container environment: hostname, env, /etc/hostname, test -d, files persist between execs', async () => {
  assert.equal((await execWs('web', ['hostname'])).stdout.toString(), 'web\n');
  assert.equal((await execWs('web', ['cat', '/etc/hostname'])).stdout.toString(), 'web\n');
  const envOut = (await execWs('web', ['env'])).stdout.toString();
  assert.match(envOut, /^GREETING=hi$/m);
  assert.match(envOut, /^HOSTNAME=web$/m);
  assert.doesNotMatch(envOut, /^SHELLOPTS=/m);
  assert.equal(JSON.parse((await execWs('web', ['test', '-d', '/tmp'])).error).status, 'Success');
  assert.equal(JSON.parse((await execWs('web', ['test', '-d', '/nope'])).error).reason, 'NonZeroExitCode');
  await execWs('web', ['sh', '-c', 'echo kept > /tmp/f']);
  assert.equal((await execWs('web', ['cat', '/tmp/f'])).stdout.toString(), 'kept\n');
});

test('v4 client (Python) gets the v4 protocol and a Status', async () => {
  const r = await execWs('web', ['false'], { protocols: ['v4.channel.k8s.io'] });
  assert.equal(r.protocol, 'v4.channel.k8s.io');
  assert.equal(JSON.parse(r.error).details.causes[0].message, '1');
});

test('interactive tty shell: runs a line, keeps cwd, exits with the given code', async () => {
  const r = await execWs('web', ['sh'], { tty: true, keys: ['cd /etc\r', 'pwd\r', 'exit 4\r'] });
  const out = r.stdout.toString();
  assert.match(out, /\r\n\/etc\r\n/);
  assert.equal(JSON.parse(r.error).details.causes[0].message, '4');
});

test('errors before the upgrade are HTTP Status replies', async () => {
  await assert.rejects(execWs('missing', ['ls']), (e: any) => e.status === 404 && e.body.reason === 'NotFound');
  await assert.rejects(execWs('pending', ['ls']), (e: any) => e.status === 404 && /container not found \("main"\)/.test(e.body.message));
  await assert.rejects(execWs('web', ['ls'], { container: 'zz' }), (e: any) => e.status === 400 && e.body.message === 'container zz is not valid for pod web');
  const plain = await fetch(`${env.url}/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true`);
  assert.equal(plain.status, 400);
  assert.equal((await plain.json()).message, 'Upgrade request required');
});
