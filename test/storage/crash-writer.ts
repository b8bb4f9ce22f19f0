// Child process for crash.test.ts: writes to a file store with many writes in flight and prints
// one line per acknowledged write: "<key> <revision> <value>". It runs until it is killed.
// Usage: node test/storage/crash-writer.ts <db path> <normal|full>
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import type { Durability } from '../../src/storage/sqlite.ts';
import { isStorageError } from '../../src/storage/types.ts';

const [path, durability = 'normal'] = process.argv.slice(2);
const store = new SqliteBackend({ path, durability: durability as Durability, compactIntervalMs: 0 });
const enc = new TextEncoder();
const ack = (key: string, rev: number, value: string) => { process.stdout.write(`${key} ${rev} ${value}\n`); };

let n = 0;
async function creator(): Promise<void> {
  for (;;) {
    const i = n++;
    const key = `/crash/obj/${i}`;
    const value = `v${i}`;
    const kv = await store.create(key, enc.encode(value));
    ack(key, kv.modRevision, value);
    if (i % 5 === 0) {
      const u = await store.update(key, enc.encode(`${value}u`), kv.modRevision);
      ack(key, u.modRevision, `${value}u`);
    }
  }
}
async function counter(id: number): Promise<void> {
  // Compare-and-swap increments of a shared key: conflicts are retried, never lost.
  for (let j = 0; ; j++) {
    const cur = await store.get('/crash/counter');
    const value = `${id}:${j}`;
    try {
      const kv = cur ? await store.update('/crash/counter', enc.encode(value), cur.modRevision) : await store.create('/crash/counter', enc.encode(value));
      ack('/crash/counter', kv.modRevision, value);
    } catch (e) {
      if (!isStorageError(e, 'Conflict') && !isStorageError(e, 'KeyExists')) throw e;
    }
  }
}
process.stdout.write('ready\n');
for (let i = 0; i < 60; i++) void creator();
for (let i = 0; i < 4; i++) void counter(i);
