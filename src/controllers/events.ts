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

export function eventRecorder(store: Store, clock: Clock, component: string, log?: (m: string) => void): EventRecorder {
  const events = res('', 'v1', 'events');
  // `written`: settles when the last write queued for this Event has finished, so a count update never
  // overtakes the create (or an earlier update) of the same Event.
  const seen = new Lru<{ ns: string; name: string; count: number; written: Promise<void> }>(MAX_REMEMBERED);
  const queueWrite = (entry: { written: Promise<void> }, write: () => Promise<unknown>, onError?: () => void) => {
    const after = entry.written;
    let done!: () => void;
    entry.written = new Promise<void>((r) => { done = r; });
    pending.push(async () => {
      try { await after; await write(); } catch (e) { if (onError) onError(); else throw e; } finally { done(); }
    });
  };
  const similar = new Lru<{ messages: Set<string>; last: number }>(MAX_REMEMBERED);
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
  const pending = new Fifo<() => Promise<void>>();
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
      void job().catch((e) => log?.(`events: ${(e as Error).message}`)).finally(() => {
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
      const uid = obj.metadata.uid;
      const object = uid ? `${opts.host ?? ''}\u0000${uid}` : `${opts.host ?? ''}\u0000\u0000${obj.kind}\u0000${obj.metadata.namespace ?? ''}\u0000${obj.metadata.name}\u0000${obj.apiVersion}`;
      // Aggregation: distinct messages for the same source, object, type and reason within 10 minutes.
      const aggKey = `${object}\u0000${type}\u0000${reason}`;
      let group = similar.get(aggKey);
      if (!group || now - group.last > AGGREGATE_INTERVAL_MS) group = { messages: new Set(), last: now };
      group.messages.add(message);
      group.last = now;
      similar.set(aggKey, group);
      let key = `${aggKey}\u0000${opts.fieldPath ?? ''}\u0000${message}`;
      if (group.messages.size >= AGGREGATE_MAX_EVENTS) {
        group.messages.delete(group.messages.values().next().value!); // keep the set at its bound
        message = `(combined from similar events): ${message}`;
        key = aggKey;
      }
      const prev = seen.get(key);
      if (!allow(object, now)) return;
      if (prev) {
        prev.count++;
        const count = prev.count;
        const text = message;
        queueWrite(prev, () => store.guaranteedUpdate(events, prev.ns, prev.name, (e) => {
          e.count = Math.max(e.count ?? 1, count); e.lastTimestamp = rfc3339(now); e.message = text; return e;
        }), () => { if (seen.peek(key) === prev) seen.delete(key); });
      } else {
        const name = `${obj.metadata.name}.${(now * 1e6 + Math.floor(clock.random() * 1e6)).toString(16)}`;
        const entry = { ns, name, count: 1, written: Promise.resolve() };
        seen.set(key, entry);
        const ev: KObject = {
          apiVersion: 'v1', kind: 'Event',
          metadata: { name, namespace: ns },
          involvedObject: {
            apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace,
            uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, ...(opts.fieldPath ? { fieldPath: opts.fieldPath } : {}),
          },
          reason, message, type,
          source: { component, ...(opts.host ? { host: opts.host } : {}) },
          firstTimestamp: rfc3339(now), lastTimestamp: rfc3339(now), count: 1,
          eventTime: null, reportingComponent: component, reportingInstance: opts.host ?? '',
        };
        queueWrite(entry, () => store.create(events, ns, ev));
      }
      pump();
    },
    flush() {
      if (!running && !pending.length) return Promise.resolve();
      return new Promise((r) => waiters.push(r));
    },
  };
}
