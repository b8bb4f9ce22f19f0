// An event recorder: core/v1 Events about an object, written in the background (a controller never
// waits for its events) and correlated as upstream's client-go recorder does (tools/record's
// EventCorrelator, with its default settings):
//  - the same event again (same source, object, type, reason and message) bumps `count` and
//    `lastTimestamp` of the Event already written instead of creating a new one;
//  - from the 10th distinct message with the same source, object, type and reason within 10 minutes,
//    the messages are folded into one Event "(combined from similar events): <latest message>";
//  - a source may send 25 events about one object in a burst, then one per 5 minutes (a token bucket
//    on the injected clock); the rest are dropped, as upstream's spam filter drops them.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { res } from './util.ts';
import { Lru } from '../util/lru.ts';
import { Fifo } from '../util/fifo.ts';
import { inSlice, nextTurn } from './turns.ts';

export interface EventRecorder {
  /** type: 'Normal' | 'Warning'. host: the node, for kubelet events. */
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, opts?: { fieldPath?: string; host?: string }): void;
  /** Resolves when every queued event has been written (tests). */
  flush(): Promise<void>;
}

const MAX_REMEMBERED = 4096;      // each cache, as upstream's LRUs
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;     // one token per 5 minutes

const MAX_IN_FLIGHT = 32;

/**
 * A queued write. Each holds only what its write needs (the Event is built when it is written): under
 * a burst of pods the queue holds tens of thousands of them (one pod brings four events), and a
 * closure per write kept every variable of the call that queued it (~2.5 KB an event at 10,000 pods).
 * Nor does a queued write hold a promise of its own: writes of one Event are kept in order by its
 * entry's `writing`, which exists only while one of them is being written.
 */
type Job =
  | { op: 'create'; entry: Remembered; ns: string; name: string; involved: Record<string, unknown>; type: string; reason: string; message: string; host: string; now: number }
  | { op: 'update'; entry: Remembered; key: string; count: number; message: string; now: number };

/** `writing`: settles when the write of this Event under way ends (absent when none is). */
interface Remembered { ns: string; name: string; count: number; writing?: Promise<void> }

export function eventRecorder(store: Store, clock: Clock, component: string, log?: (m: string) => void): EventRecorder {
  const events = res('', 'v1', 'events');
  const seen = new Lru<Remembered>(MAX_REMEMBERED);
  const write = async (j: Job): Promise<void> => {
    // A count update never overtakes the create (or an earlier update) of the same Event: it waits
    // for the write under way (waiters wake in the order they came, and each checks again).
    const entry = j.entry;
    while (entry.writing) await entry.writing;
    let done!: () => void;
    entry.writing = new Promise<void>((r) => { done = r; });
    try {
      if (j.op === 'create') {
        const t = rfc3339(j.now);
        await store.create(events, j.ns, {
          apiVersion: 'v1', kind: 'Event',
          metadata: { name: j.name, namespace: j.ns },
          involvedObject: j.involved,
          reason: j.reason, message: j.message, type: j.type,
          source: { component, ...(j.host ? { host: j.host } : {}) },
          firstTimestamp: t, lastTimestamp: t, count: 1,
          eventTime: null, reportingComponent: component, reportingInstance: j.host,
        });
        return;
      }
      const { entry: prev, count, message, now, key } = j;
      try {
        await store.guaranteedUpdate(events, prev.ns, prev.name, (e) => {
          e.count = Math.max(e.count ?? 1, count); e.lastTimestamp = rfc3339(now); e.message = message; return e;
        });
      } catch {
        if (seen.peek(key) === prev) seen.delete(key);
      }
    } finally { entry.writing = undefined; done(); }
  };
  // The distinct messages of a group: most groups (a kubelet's Pulled, Created, Started about one pod)
  // only ever have one, kept as a string; a Set is made for the second.
  const similar = new Lru<{ one: string; many?: Set<string>; last: number }>(MAX_REMEMBERED);
  const buckets = new Lru<{ tokens: number; at: number }>(MAX_REMEMBERED);
  /** The spam filter: true when this source may record one more event about the object now. */
  const allow = (key: string, now: number): boolean => {
    const b = buckets.get(key) ?? { tokens: SPAM_BURST, at: now };
    b.tokens = Math.min(SPAM_BURST, b.tokens + Math.max(0, now - b.at) / SPAM_REFILL_MS);
    b.at = now;
    buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
  const pending = new Fifo<Job>();
  let running = 0;
  let waiters: (() => void)[] = [];
  // Writes start inside the event-loop slices background work shares (turns.ts), as the work queues'
  // items do: recording never competes with the API for the thread. The caller never waits either
  // way; under load the writes trail behind the changes they report, as a recorder's queue does.
  const turn = () => pump(true);
  const pump = (onTurn = false) => {
    while (running < MAX_IN_FLIGHT && pending.length) {
      if (!onTurn && !inSlice()) { nextTurn(turn); return; }
      onTurn = false;
      const job = pending.shift()!;
      running++;
      void write(job).catch((e) => log?.(`events: ${(e as Error).message}`)).finally(() => {
        running--;
        pump();
        if (!running && !pending.length) { const w = waiters; waiters = []; for (const f of w) f(); }
      });
    }
  };
  return {
    event(obj, type, reason, message, opts = {}) {
      const ns = obj.metadata.namespace || 'default';
      const now = clock.now();
      // The source and the object (upstream's key names kind, namespace, name, uid and apiVersion; a uid
      // alone names one object, and the recorder's component is the same for all its keys). A short key
      // keeps the caches' lookups cheap: the kubelet records several events for every pod it starts.
      // Keys are joined (flat strings): a template literal makes a tree of string pieces that each remembered key keeps.
      const uid = obj.metadata.uid;
      const object = uid ? [opts.host ?? '', uid].join('\u0000') : [opts.host ?? '', '', obj.kind, obj.metadata.namespace ?? '', obj.metadata.name, obj.apiVersion].join('\u0000');
      // Aggregation: distinct messages for the same source, object, type and reason within 10 minutes.
      const aggKey = [object, type, reason].join('\u0000');
      let group = similar.get(aggKey);
      if (!group || now - group.last > AGGREGATE_INTERVAL_MS) group = { one: message, last: now };
      else if (group.many) group.many.add(message);
      else if (group.one !== message) group.many = new Set([group.one, message]);
      group.last = now;
      similar.set(aggKey, group);
      let key = [aggKey, opts.fieldPath ?? '', message].join('\u0000');
      if (group.many && group.many.size >= AGGREGATE_MAX_EVENTS) {
        group.many.delete(group.many.values().next().value!); // keep the set at its bound
        message = `(combined from similar events): ${message}`;
        key = aggKey;
      }
      const prev = seen.get(key);
      if (!allow(object, now)) return;
      if (prev) {
        prev.count++;
        pending.push({ op: 'update', entry: prev, key, count: prev.count, message, now });
      } else {
        const name = `${obj.metadata.name}.${(now * 1e6 + Math.floor(clock.random() * 1e6)).toString(16)}`;
        const entry: Remembered = { ns, name, count: 1 };
        seen.set(key, entry);
        const involved = {
          apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace,
          uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, ...(opts.fieldPath ? { fieldPath: opts.fieldPath } : {}),
        };
        pending.push({ op: 'create', entry, ns, name, involved, type, reason, message, host: opts.host ?? '', now });
      }
      pump();
    },
    flush() {
      if (!running && !pending.length) return Promise.resolve();
      return new Promise((r) => waiters.push(r));
    },
  };
}
