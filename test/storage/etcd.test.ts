// The storage contract, unchanged, against a real etcd (and what only etcd has: several backends on one etcd).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdBackend } from '../../src/storage/etcd.ts';
import { runBackendContract, v, s, collect, waitFor } from './contract.ts';
import { etcdAvailable, startEtcd } from './etcd-server.ts';
import type { EtcdServer } from './etcd-server.ts';

// CI installs etcd (.ci/run); elsewhere a machine without it skips these, saying so.
const skip = !etcdAvailable() && process.env.CI !== 'true' ? 'etcd is not installed (apt-get install etcd-server)' : false;
let etcd: EtcdServer;
let seq = 0;
if (!skip) {
  before(async () => { etcd = await startEtcd(); });
  after(async () => { await etcd?.stop(); });
}
// Every store gets a prefix of its own on the one etcd, so each starts empty.
const fresh = () => EtcdBackend.open({ endpoints: [etcd.url], prefix: `/t${++seq}`, compactIntervalMs: 0 });

if (!skip) runBackendContract('etcd', fresh, async (old) => EtcdBackend.open({ endpoints: [etcd.url], prefix: (old as any).pfx, compactIntervalMs: 0 }));

describe('etcd backend specifics', { skip }, () => {
  it('two backends on one etcd see every write, in order, with no gap or duplicate', async () => {
    const prefix = `/shared${++seq}`;
    const a = await EtcdBackend.open({ endpoints: [etcd.url], prefix, compactIntervalMs: 0 });
    const b = await EtcdBackend.open({ endpoints: [etcd.url], prefix, compactIntervalMs: 0 });
    try {
      const wa = collect(a, '/k/', a.currentRevision());
      const wb = collect(b, '/k/', b.currentRevision());
      const writes = [];
      for (let i = 0; i < 50; i++) writes.push(await (i % 2 ? a : b).create(`/k/${i}`, v(String(i))));
      const expected = writes.map((kv) => kv.modRevision);
      await waitFor(() => wa.events.length >= 50 && wb.events.length >= 50, 'events on both servers');
      assert.deepEqual(wa.events.map((e) => e.kv.modRevision), expected);
      assert.deepEqual(wb.events.map((e) => e.kv.modRevision), expected);
      // A write through one is a conflict for a stale write through the other.
      const cur = await b.get('/k/3');
      await a.update('/k/3', v('x'), cur!.modRevision);
      await assert.rejects(b.update('/k/3', v('y'), cur!.modRevision), (e: any) => e.code === 'Conflict');
      assert.equal(s((await b.get('/k/3'))?.value), 'x');
      wa.cancel(); wb.cancel();
    } finally { await a.close(); await b.close(); }
  });

  it('an unreachable etcd fails requests with Unavailable, not a hang', async () => {
    await assert.rejects(EtcdBackend.open({ endpoints: ['http://127.0.0.1:9'], requestTimeoutMs: 500, compactIntervalMs: 0 }), (e: any) => e.code === 'Unavailable');
  });
});
