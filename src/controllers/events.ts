// An event recorder: core/v1 Events about an object, written in the background (a controller never
// waits for its events) and aggregated as upstream's recorder does: the same reason and message on
// the same object bumps `count` and `lastTimestamp` instead of creating a new Event.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { res } from './util.ts';

export interface EventRecorder {
  /** type: 'Normal' | 'Warning'. host: the node, for kubelet events. */
  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, opts?: { fieldPath?: string; host?: string }): void;
  /** Resolves when every queued event has been written (tests). */
  flush(): Promise<void>;
}

const MAX_REMEMBERED = 4096;
const MAX_IN_FLIGHT = 32;

export function eventRecorder(store: Store, clock: Clock, component: string, log?: (m: string) => void): EventRecorder {
  const events = res('', 'v1', 'events');
  const seen = new Map<string, { ns: string; name: string; count: number }>();
  const pending: (() => Promise<void>)[] = [];
  let running = 0;
  let waiters: (() => void)[] = [];
  const pump = () => {
    while (running < MAX_IN_FLIGHT && pending.length) {
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
      const key = `${obj.metadata.uid}\u0000${reason}\u0000${message}\u0000${opts.fieldPath ?? ''}`;
      const now = clock.now();
      const prev = seen.get(key);
      if (prev) {
        prev.count++;
        const count = prev.count;
        pending.push(async () => {
          try {
            await store.guaranteedUpdate(events, prev.ns, prev.name, (e) => {
              e.count = Math.max(e.count ?? 1, count); e.lastTimestamp = rfc3339(now); return e;
            });
          } catch { seen.delete(key); }
        });
      } else {
        const name = `${obj.metadata.name}.${(now * 1e6 + Math.floor(clock.random() * 1e6)).toString(16)}`;
        if (seen.size >= MAX_REMEMBERED) seen.delete(seen.keys().next().value!);
        seen.set(key, { ns, name, count: 1 });
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
        pending.push(async () => { await store.create(events, ns, ev); });
      }
      pump();
    },
    flush() {
      if (!running && !pending.length) return Promise.resolve();
      return new Promise((r) => waiters.push(r));
    },
  };
}
