// The exec byte path end to end: every byte value in and out over WebSocket (binary v5, base64)
// and SPDY, through plain commands, `sh -c` scripts and tar, as kubectl cp and exec use them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { extract } from 'tar-stream';
import { startEnv, makePod } from './helpers.ts';
import type { Env } from './helpers.ts';
import { upgrade } from './spdy-client.ts';
import { parse, serialize } from 'just-bash';
import { byteExactScript } from '../../src/streaming/shell-output.ts';

let env: Env;
before(async () => {
  env = await startEnv();
  await makePod(env.store, 'bytes', { containers: [{ name: 'main', image: 'busybox:1.36' }] });
});
after(async () => { await env.stop(); });

const ALL = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))]);

function query(command: string[], stdin: boolean): string {
  const q = new URLSearchParams({ stdout: 'true', stderr: 'true', ...(stdin ? { stdin: 'true' } : {}) });
  for (const c of command) q.append('command', c);
  return `/api/v1/namespaces/default/pods/bytes/exec?${q}`;
}

/** exec over WebSocket: binary frames (v5, stdin closed with the CLOSE signal) or base64 text frames. */
function ws(command: string[], opts: { stdin?: Buffer; protocol?: string } = {}): Promise<{ stdout: Buffer; stderr: Buffer; status: any }> {
  const protocol = opts.protocol ?? 'v5.channel.k8s.io';
  const b64 = protocol.includes('base64');
  return new Promise((resolve, reject) => {
    const sock = new WebSocket(`${env.url.replace('http', 'ws')}${query(command, !!opts.stdin)}`, [protocol]);
    const out: Buffer[] = [], err: Buffer[] = [];
    let status: any;
    sock.on('open', () => {
      if (!opts.stdin) return;
      sock.send(Buffer.concat([Buffer.from([0]), opts.stdin]));
      sock.send(Buffer.from([255, 0]));
    });
    sock.on('message', (d: Buffer) => {
      const ch = b64 ? d.toString()[0].charCodeAt(0) - 48 : d[0];
      const body = b64 ? Buffer.from(d.toString().slice(1), 'base64') : d.subarray(1);
      if (ch === 1) out.push(body); else if (ch === 2) err.push(body); else if (ch === 3) status = JSON.parse(body.toString());
    });
    sock.on('error', reject);
    sock.on('close', () => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), status }));
  });
}

/** exec over SPDY/3.1 with the v4 protocol; stdin ends with the stream's FIN. */
async function spdy(command: string[], stdin?: Buffer): Promise<{ stdout: Buffer; stderr: Buffer }> {
  const a = await upgrade(env.url, query(command, !!stdin), { 'X-Stream-Protocol-Version': ['v4.channel.k8s.io'] });
  assert.equal(a.status, 101, a.body);
  const c = a.client!;
  const error = await c.open({ streamtype: 'error' });
  c.send(error, '', true);
  const inS = stdin ? await c.open({ streamtype: 'stdin' }) : undefined;
  const out = await c.open({ streamtype: 'stdout' });
  const err = await c.open({ streamtype: 'stderr' });
  if (inS) c.send(inS, stdin!, true);
  await c.until(() => error.fin && out.fin && err.fin, 'streams to finish');
  return { stdout: Buffer.concat(out.data), stderr: Buffer.concat(err.data) };
}

async function tarMembers(archive: Buffer): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  const x = extract();
  const done = (async () => {
    for await (const e of x) { const parts: Buffer[] = []; for await (const b of e) parts.push(b as Buffer); m.set(e.header.name, Buffer.concat(parts)); }
  })();
  x.end(archive);
  await done;
  return m;
}

test('WebSocket v5: every byte value through cat, and through a sh -c script that mixes text and bytes', async () => {
  assert.deepEqual((await ws(['cat'], { stdin: ALL })).stdout, ALL);
  const w = await ws(['sh', '-c', 'cat > /tmp/all.bin'], { stdin: ALL });
  assert.equal(w.status.status, 'Success');
  const mixed = await ws(['sh', '-c', 'echo ✓; cat /tmp/all.bin; for i in 1 2; do cat /tmp/all.bin; done; echo é >&2']);
  assert.deepEqual(mixed.stdout, Buffer.concat([Buffer.from('✓\n'), ALL, ALL, ALL]));
  assert.equal(mixed.stderr.toString(), 'é\n');
});

test('WebSocket base64 protocol: binary stdout survives the text framing', async () => {
  await ws(['sh', '-c', 'cat > /tmp/b64.bin'], { stdin: ALL });
  const r = await ws(['cat', '/tmp/b64.bin'], { protocol: 'v4.base64.channel.k8s.io' });
  assert.deepEqual(r.stdout, ALL);
});

test('SPDY: every byte value in, and back out inside a tar archive named as kubectl cp expects', async () => {
  assert.deepEqual((await spdy(['cat'], ALL)).stdout, ALL);
  await spdy(['sh', '-c', 'mkdir -p /data && cat > /data/all.bin'], ALL);
  const r = await spdy(['tar', 'cf', '-', '/data/all.bin']);
  assert.equal(r.stderr.toString(), "tar: Removing leading `/' from member names\n");
  assert.deepEqual([...(await tarMembers(r.stdout))], [['data/all.bin', ALL]]);
});

test('sh -c scripts with pipelines (anywhere, also in $(...)) and eval keep their meaning', async () => {
  assert.equal((await ws(['sh', '-c', 'echo hi | tr a-z A-Z'])).stdout.toString(), 'HI\n');
  assert.equal((await ws(['sh', '-c', 'x=$(echo hi | tr a-z A-Z); echo "$x"; echo two | wc -c'])).stdout.toString(), 'HI\n4\n');
  assert.equal((await ws(['sh', '-c', 'eval "echo ev | tr a-z A-Z"'])).stdout.toString(), 'EV\n');
  assert.equal((await ws(['sh', '-c', 'cd /tmp && . /dev/null; echo "$PWD"'])).stdout.toString(), '/tmp\n');
  // Without a pipeline, $0, the arguments, stderr and the exit code are the script's.
  const r = await ws(['sh', '-c', 'echo "$0:$1:$#"; echo oops >&2; exit 5', 'name', 'a b']);
  assert.equal(r.stdout.toString(), 'name:a b:1\n');
  assert.equal(r.stderr.toString(), 'oops\n');
  assert.deepEqual(r.status.details.causes, [{ reason: 'ExitCode', message: '5' }]);
});

test('kubectl cp --retries: sh -c "tar cf - X | tail -c+N" resumes the archive at byte N, byte-exact', async () => {
  await ws(['sh', '-c', 'mkdir -p /r && cat > /r/all.bin'], { stdin: ALL });
  const whole = (await ws(['tar', 'cf', '-', '/r/all.bin'])).stdout;
  const piped = await ws(['sh', '-c', 'tar cf - /r/all.bin | tail -c+1']);
  assert.deepEqual(piped.stdout, whole);
  assert.equal(piped.stderr.toString(), "tar: Removing leading `/' from member names\n");
  assert.deepEqual((await ws(['sh', '-c', 'tar cf - /r/all.bin | tail -c+513'])).stdout, whole.subarray(512));
  assert.deepEqual((await ws(['tail', '-c', '+300', '/r/all.bin'])).stdout, ALL.subarray(299));
  assert.equal((await ws(['sh', '-c', 'printf "l1\\nl2\\nl3\\n" | tail -n 2'])).stdout.toString(), 'l2\nl3\n');
});

test('byteExactScript: plain scripts get the shell-wide redirection; pipelines, eval, source and syntax errors do not', () => {
  const w = (sc: string) => byteExactScript(sc, { parse, serialize }, '/o', '/e');
  assert.equal(w('cat /a; for i in 1 2; do cat /b; done'), 'exec >/o 2>/e; cat /a; for i in 1 2; do cat /b; done');
  assert.equal(w('find . -name x; ls .'), 'exec >/o 2>/e; find . -name x; ls .');
  // A lone pipeline of simple commands gets the redirection on its last command.
  assert.equal(w("tar cf - '/my dir' | tail -c+513"), "tar cf - '/my dir' | tail -c+513 > /o");
  for (const sc of ['a | b > f', 'a | b; c', 'a | { b; }', 'cat <<EOF | wc -l\nx\nEOF', 'x=$(a | b)', 'if true; then a |& b; fi', 'eval "$X"', 'source ./env', 'true && . ./env', 'if then']) assert.equal(w(sc), undefined, sc);
});

test('printf and echo -e byte escapes print the bytes they name; literal text stays UTF-8', async () => {
  const hex = async (script: string) => (await ws(['sh', '-c', script])).stdout.toString('hex');
  assert.equal(await hex('printf "\\303\\251 \\000\\377 ✓"'), 'c3a92000ff20e29c93');
  assert.equal(await hex('echo -e "\\xff\\x41"'), 'ff410a');
  assert.equal(await hex('printf "é\\n"'), 'c3a90a');
  assert.equal(await hex('printf "\\u00e9"'), 'c3a9');
  assert.equal(await hex('printf "\\377" | od -t x1'), Buffer.from('0000000  ff\n0000001\n').toString('hex'));
  assert.equal((await ws(['printf', '\\101\\n'])).stdout.toString(), 'A\n');
  assert.equal((await ws(['sh', '-c', 'printf -v x "%s-%s" a b; echo "$x"'])).stdout.toString(), 'a-b\n');
});
