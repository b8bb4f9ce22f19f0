// The watch hub's fan-out: which watchers get which events of a commit, in what order, and what a
// watcher added or cancelled from inside another watcher's callback sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchHub } from '../../src/storage/watch-hub.ts';
import type { WatchEvent } from '../../src/storage/types.ts';

const put = (key: string, rev: number): WatchEvent => ({ type: 'PUT', kv: { key, value: new Uint8Array(0), createRevision: rev, modRevision: rev } });

function recorder(hub: WatchHub, prefix: string, log: string[], after = 0) {
  const got: string[] = [];
  const w = hub.subscribe(prefix, { afterRevision: after, onEvents: (evs) => { log.push(prefix); for (const e of evs) got.push(`${e.kv.key}@${e.kv.modRevision}`); } }, after);
  return { got, w };
}

test('each watcher gets exactly the events under its prefix, whatever the prefix looks like', () => {
  const hub = new WatchHub(100);
  const log: string[] = [];
  const all = recorder(hub, '', log);
  const root = recorder(hub, '/', log);
  const cms = recorder(hub, '/registry/configmaps/', log);
  const ns = recorder(hub, '/registry/configmaps/default/', log);
  const partial = recorder(hub, '/registry/config', log); // not a whole segment
  const exact = recorder(hub, '/registry/configmaps/default/a', log); // one key and its longer siblings
  const pods = recorder(hub, '/registry/pods/', log);
  const relative = recorder(hub, 'x/', log); // keys need not start with '/'
  hub.publish([put('/registry/configmaps/default/a', 1), put('/registry/configmaps/other/b', 2), put('/registry/configmaps/default/ab', 3), put('x/y', 4), put('/registry/configmapsX/c', 5)]);
  assert.deepEqual(all.got, ['/registry/configmaps/default/a@1', '/registry/configmaps/other/b@2', '/registry/configmaps/default/ab@3', 'x/y@4', '/registry/configmapsX/c@5']);
  assert.deepEqual(root.got, ['/registry/configmaps/default/a@1', '/registry/configmaps/other/b@2', '/registry/configmaps/default/ab@3', '/registry/configmapsX/c@5']);
  assert.deepEqual(cms.got, ['/registry/configmaps/default/a@1', '/registry/configmaps/other/b@2', '/registry/configmaps/default/ab@3']);
  assert.deepEqual(ns.got, ['/registry/configmaps/default/a@1', '/registry/configmaps/default/ab@3']);
  assert.deepEqual(partial.got, ['/registry/configmaps/default/a@1', '/registry/configmaps/other/b@2', '/registry/configmaps/default/ab@3', '/registry/configmapsX/c@5']);
  assert.deepEqual(exact.got, ['/registry/configmaps/default/a@1', '/registry/configmaps/default/ab@3']);
  assert.deepEqual(pods.got, []);
  assert.deepEqual(relative.got, ['x/y@4']);
  // One callback per watcher per commit, in the order the watchers subscribed.
  assert.deepEqual(log, ['', '/', '/registry/configmaps/', '/registry/configmaps/default/', '/registry/config', '/registry/configmaps/default/a', 'x/']);
});

test('two watchers of one prefix both get its events; a cancelled one gets nothing more', () => {
  const hub = new WatchHub(100);
  const log: string[] = [];
  const a = recorder(hub, '/r/', log);
  const b = recorder(hub, '/r/', log);
  hub.publish([put('/r/1', 1)]);
  a.w.cancel();
  hub.publish([put('/r/2', 2)]);
  assert.deepEqual(a.got, ['/r/1@1']);
  assert.deepEqual(b.got, ['/r/1@1', '/r/2@2']);
  assert.equal(hub.watcherCount, 1);
  b.w.cancel();
  assert.equal(hub.watcherCount, 0);
});

test('events at or below what a watcher was already given are not repeated', () => {
  const hub = new WatchHub(100);
  const late = recorder(hub, '/r/', [], 2);
  hub.publish([put('/r/1', 1), put('/r/2', 2), put('/r/3', 3)]);
  assert.deepEqual(late.got, ['/r/3@3']);
});

test('a watcher added by a callback does not get the commit being published; one cancelled by a callback does not either', () => {
  const hub = new WatchHub(100);
  const log: string[] = [];
  let added: ReturnType<typeof recorder> | undefined;
  let victim: ReturnType<typeof recorder> | undefined;
  hub.subscribe('/r/', { afterRevision: 0, onEvents: () => { added ??= recorder(hub, '/r/', log, 0); victim!.w.cancel(); } }, 0);
  victim = recorder(hub, '/r/', log);
  hub.publish([put('/r/1', 1)]);
  assert.deepEqual(added!.got, []);
  assert.deepEqual(victim.got, []);
  hub.publish([put('/r/2', 2)]);
  assert.deepEqual(added!.got, ['/r/2@2']);
});

test('a callback that throws ends only its own watch', () => {
  const hub = new WatchHub(100);
  let closed: unknown;
  hub.subscribe('/r/', { afterRevision: 0, onEvents: () => { throw new Error('boom'); }, onClose: (e) => { closed = e; } }, 0);
  const ok = recorder(hub, '/r/', []);
  hub.publish([put('/r/1', 1)]);
  hub.publish([put('/r/2', 2)]);
  assert.match(String((closed as Error).message), /boom/);
  assert.deepEqual(ok.got, ['/r/1@1', '/r/2@2']);
  assert.equal(hub.watcherCount, 1);
});
