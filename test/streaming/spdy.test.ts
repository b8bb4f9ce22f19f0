// exec and port-forward over SPDY/3.1, driven by a small Node SPDY client (spdy-client.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, makePod } from './helpers.ts';
import type { Env } from './helpers.ts';
import { upgrade } from './spdy-client.ts';
import type { SpdyClient } from './spdy-client.ts';
import { FrameType, controlFrame, dataFrame, ping } from '../../src/streaming/spdy/frames.ts';

let env: Env;
before(async () => {
  env = await startEnv();
  await makePod(env.store, 'web', { containers: [{ name: 'main', image: 'nginx:1.27', ports: [{ containerPort: 80 }] } as any] });
});
after(async () => { await env.stop(); });

const execPath = (command: string[], flags: Record<string, string>) => {
  const q = new URLSearchParams(flags);
  for (const c of command) q.append('command', c);
  return `/api/v1/namespaces/default/pods/web/exec?${q}`;
};

async function spdy(path: string, protocols: string[]): Promise<SpdyClient> {
  const a = await upgrade(env.url, path, { 'X-Stream-Protocol-Version': protocols });
  assert.equal(a.status, 101, a.body);
  return a.client!;
}

/** Run an exec as client-go does: error, then stdin/stdout/stderr streams; returns their contents. */
async function exec(command: string[], opts: { stdin?: string; protocol?: string } = {}) {
  const c = await spdy(execPath(command, { stdout: 'true', stderr: 'true', ...(opts.stdin !== undefined ? { stdin: 'true' } : {}) }), [opts.protocol ?? 'v4.channel.k8s.io']);
  const error = await c.open({ streamtype: 'error' });
  c.send(error, '', true);
  const stdin = opts.stdin !== undefined ? await c.open({ streamtype: 'stdin' }) : undefined;
  const stdout = await c.open({ streamtype: 'stdout' });
  const stderr = await c.open({ streamtype: 'stderr' });
  if (stdin) c.send(stdin, opts.stdin!, true);
  await c.until(() => error.fin && stdout.fin && stderr.fin, 'streams to finish');
  await c.until(() => c.closed, 'connection to close');
  assert.ok(error.replied && stdout.replied && stderr.replied, 'every stream got a SYN_REPLY');
  return { stdout: c.text(stdout), stderr: c.text(stderr), error: c.text(error) };
}

test('v4 exec: stdout and stderr on their streams, Success on the error stream', async () => {
  const r = await exec(['sh', '-c', 'echo out; echo err >&2']);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.deepEqual(JSON.parse(r.error), { metadata: {}, status: 'Success' });
});

test('stdin ends with the stream FIN: the command sees all of it', async () => {
  const r = await exec(['cat'], { stdin: 'one\ntwo\n' });
  assert.equal(r.stdout, 'one\ntwo\n');
});

test('a non-zero exit is a v4 NonZeroExitCode status, and plain text before v4', async () => {
  const v4 = JSON.parse((await exec(['sh', '-c', 'exit 3'])).error);
  assert.equal(v4.reason, 'NonZeroExitCode');
  assert.deepEqual(v4.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  const v3 = await exec(['sh', '-c', 'exit 3'], { protocol: 'v3.channel.k8s.io' });
  assert.equal(v3.error, 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3');
});

test('the agreed protocol is echoed; an unknown one is a 403 Status', async () => {
  const ok = await upgrade(env.url, execPath(['true'], { stdout: 'true' }), { 'X-Stream-Protocol-Version': ['v9.channel.k8s.io', 'v4.channel.k8s.io'] });
  assert.equal(ok.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
  ok.client!.close();
  const bad = await upgrade(env.url, execPath(['true'], { stdout: 'true' }), { 'X-Stream-Protocol-Version': 'v9.channel.k8s.io' });
  assert.equal(bad.status, 403);
  const st = JSON.parse(bad.body);
  assert.equal(st.reason, 'Forbidden');
  assert.match(st.message, /unable to negotiate protocol: client supports \[v9\.channel\.k8s\.io\]/);
});

test('PINGs are echoed and unknown streams are reset', async () => {
  const c = await spdy(execPath(['true'], { stdout: 'true' }), ['v4.channel.k8s.io']);
  c.raw(ping(1));
  c.raw(dataFrame(99, Buffer.from('x'), false));
  await c.until(() => c.control.some((f) => f.kind === 'control' && f.type === FrameType.Ping)
    && c.control.some((f) => f.kind === 'control' && f.type === FrameType.RstStream), 'PING echo and RST_STREAM');
  const rst = c.control.find((f) => f.kind === 'control' && f.type === FrameType.RstStream)!;
  assert.ok(rst.kind === 'control' && rst.payload.readUInt32BE(0) === 99 && rst.payload.readUInt32BE(4) === 2, 'INVALID_STREAM for stream 99');
  c.close();
});

for (const [what, bytes] of [
  ['a wrong SPDY version', (() => { const f = controlFrame(FrameType.Ping, 0, Buffer.alloc(4)); f.writeUInt16BE(0x8002, 0); return f; })()],
  ['a corrupt header block', controlFrame(FrameType.SynStream, 0, Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from('garbage!')]))],
  ['an oversized frame', Buffer.from([0x80, 3, 0, 1, 0, 0xff, 0xff, 0xff])],
  ['a short control frame', controlFrame(FrameType.RstStream, 0, Buffer.alloc(2))],
] as const) {
  test(`${what} gets GOAWAY and a closed connection; the server keeps serving`, async () => {
    const c = await spdy(execPath(['true'], { stdout: 'true' }), ['v4.channel.k8s.io']);
    c.raw(bytes);
    await c.until(() => c.closed, 'connection to close');
    assert.ok(c.control.some((f) => f.kind === 'control' && f.type === FrameType.GoAway), 'GOAWAY sent');
    assert.equal((await exec(['echo', 'still here'])).stdout, 'still here\n');
  });
}

// ---------- port-forward ----------

const pfPath = '/api/v1/namespaces/default/pods/web/portforward';

async function forward(port: string, payload: string, requestId = '0') {
  const c = await spdy(pfPath, ['portforward.k8s.io']);
  const error = await c.open({ streamtype: 'error', port, requestid: requestId });
  c.send(error, '', true);
  const data = await c.open({ streamtype: 'data', port, requestid: requestId });
  if (payload) c.send(data, payload);
  return { c, error, data };
}

test('port-forward: an HTTP request to a declared port gets the simulated body', async () => {
  const { c, error, data } = await forward('80', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await c.until(() => data.fin && error.fin, 'response');
  const res = c.text(data);
  assert.match(res, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(res.endsWith('\r\n\r\nHello from pod default/web, container main, port 80\n'), res);
  assert.equal(c.text(error), '');
  c.close();
});

test('port-forward: other bytes are echoed until the client closes', async () => {
  const { c, data } = await forward('80', 'ping\n');
  await c.until(() => c.text(data) === 'ping\n', 'echo');
  c.send(data, 'bye', true);
  await c.until(() => data.fin, 'FIN after the client FIN');
  assert.equal(c.text(data), 'ping\nbye');
  c.close();
});

test('port-forward: undeclared and malformed ports are reported on the error stream', async () => {
  const refused = await forward('81', '');
  await refused.c.until(() => refused.error.fin, 'error stream');
  assert.match(refused.c.text(refused.error), /^error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "[^"]+": failed to connect to localhost:81 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused /);
  refused.c.close();
  const bad = await forward('eighty', '');
  await bad.c.until(() => bad.error.fin, 'error stream');
  assert.match(bad.c.text(bad.error), /unable to parse "eighty" as a port/);
  bad.c.close();
});

test('port-forward: the pod must exist and be scheduled', async () => {
  await makePod(env.store, 'waiting', { nodeName: null });
  const a = await upgrade(env.url, '/api/v1/namespaces/default/pods/waiting/portforward', { 'X-Stream-Protocol-Version': 'portforward.k8s.io' });
  assert.equal(a.status, 400);
  assert.match(JSON.parse(a.body).message, /does not have a host assigned/);
  const missing = await upgrade(env.url, '/api/v1/namespaces/default/pods/nope/portforward', { 'X-Stream-Protocol-Version': 'portforward.k8s.io' });
  assert.equal(missing.status, 404);
});

test('exec -it over SPDY: a line-at-a-time shell with a resize stream, ending on exit n', async () => {
  const c = await spdy(execPath(['sh'], { stdout: 'true', stdin: 'true', tty: 'true' }), ['v4.channel.k8s.io']);
  const error = await c.open({ streamtype: 'error' });
  const stdin = await c.open({ streamtype: 'stdin' });
  const stdout = await c.open({ streamtype: 'stdout' });
  const resize = await c.open({ streamtype: 'resize' });
  c.send(resize, '{"Width":80,"Height":24}');
  await c.until(() => c.text(stdout).includes('/ # '), 'prompt');
  c.send(stdin, 'echo hi\r');
  await c.until(() => c.text(stdout).includes('hi\r\n'), 'command output');
  c.send(stdin, 'exit 4\r');
  await c.until(() => error.fin, 'exit status');
  const st = JSON.parse(c.text(error));
  assert.deepEqual(st.details.causes, [{ reason: 'ExitCode', message: '4' }]);
  c.close();
});
