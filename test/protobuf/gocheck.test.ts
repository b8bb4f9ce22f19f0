// Cross-check against the real Kubernetes Go serializers (k8s.io/apimachinery v0.32.4):
//  1. Go encodes typed objects with the protobuf serializer; Skiff decodes them and must produce
//     exactly the JSON that Go's JSON serializer prints for the same objects.
//  2. Skiff encodes JSON objects; Go decodes them with the protobuf serializer and must end up with
//     the same typed object as when it decodes the JSON itself.
//  3. A watch stream: Go's frame decodes in Skiff, Skiff's frames decode with Go's stream decoder.
// Skipped (with a message) when `go` is not installed. The first run compiles the program (~1 min).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEnvelope, encodeEnvelope, encodeWatchEvent, decodeWatchFrames } from '../../src/protobuf/index.ts';
import { corpus } from './corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const goAvailable = spawnSync('go', ['version']).status === 0;
const skip = goAvailable ? false : 'go toolchain not installed: skipping the cross-check against the real Kubernetes protobuf serializer';

let dir = '';
let bin = '';

before(() => {
  if (!goAvailable) return;
  dir = mkdtempSync(join(tmpdir(), 'skiff-gocheck-'));
  bin = join(dir, 'gocheck');
  const b = spawnSync('go', ['build', '-o', bin, '.'], { cwd: join(here, 'gocheck'), encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  assert.equal(b.status, 0, `go build failed:\n${b.stderr}`);
});

process.on('exit', () => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function run(mode: string, out: string): string {
  const r = spawnSync(bin, [mode, out], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `gocheck ${mode} failed:\n${r.stderr}`);
  return r.stdout;
}

const GO_OBJECTS = ['deployment', 'namespace', 'ssar', 'configmap', 'secret', 'pod', 'lease'];

test('Go-encoded protobuf decodes to the JSON Go prints', { skip, timeout: 300_000 }, () => {
  const out = mkdtempSync(join(dir, 'go-'));
  run('encode', out);
  for (const name of GO_OBJECTS) {
    const want = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
    const got = decodeEnvelope(readFileSync(join(out, `${name}.pb`))).object;
    assert.deepEqual(got, want, name);
  }
  const stream = readFileSync(join(out, 'watch.bin'));
  const { events, consumed } = decodeWatchFrames(stream);
  assert.equal(consumed, stream.length);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'ADDED');
  assert.deepEqual(events[0].object, JSON.parse(readFileSync(join(out, 'watch.json'), 'utf8')));
});

test('Skiff-encoded protobuf decodes in Go to the same object as the JSON', { skip, timeout: 300_000 }, () => {
  const out = mkdtempSync(join(dir, 'ours-'));
  // everything except the kinds outside k8s.io/api (CRD, APIService)
  const names = Object.keys(corpus).filter((n) => !['crd', 'apiService'].includes(n));
  for (const name of names) {
    writeFileSync(join(out, `${name}.ours.pb`), encodeEnvelope(corpus[name]));
    writeFileSync(join(out, `${name}.ours.json`), JSON.stringify(corpus[name]));
  }
  const pod = { apiVersion: 'v1', kind: 'Pod', ...corpus.podList.items[0] };
  const status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'gone', reason: 'Expired', code: 410 };
  writeFileSync(join(out, 'watch.ours.bin'), Buffer.concat([encodeWatchEvent('ADDED', pod), encodeWatchEvent('DELETED', pod), encodeWatchEvent('ERROR', status)]));
  const res = JSON.parse(run('check', out));
  for (const name of names) {
    assert.ok(res[name], `no Go result for ${name}`);
    assert.deepEqual(res[name].fromPb, res[name].fromJson, name);
  }
  assert.deepEqual(res.watch.map((e: any) => e.type), ['ADDED', 'DELETED', 'ERROR']);
  assert.equal(res.watch[0].object.metadata.name, pod.metadata.name);
  assert.equal(res.watch[0].object.kind, 'Pod');
  assert.equal(res.watch[2].object.code, 410);
});
