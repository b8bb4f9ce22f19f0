// Lease-based leader election, as client-go's leaderelection package runs it for kube-controller-manager
// and kube-scheduler: a candidate acquires a coordination.k8s.io/v1 Lease in kube-system when it is free
// or its holder has not renewed it for leaseDurationSeconds (measured on the candidate's own clock from
// when it last saw the lease change, so clocks need not agree), renews it every retry period, and gives
// up leading when it cannot renew within the renew deadline. Every write is a compare-and-swap through
// the store, so two candidates never both hold a lease. A leader that stops releases the lease
// (holderIdentity emptied, duration 1 s) so that another takes over at once.
import type { Clock, TimerHandle } from '../clock.ts';
import { rfc3339Micro } from '../clock.ts';
import { StatusError } from '../errors.ts';
import type { Store } from '../registry/store.ts';
import { findResource } from '../registry/resources.ts';
import type { KObject } from '../registry/strategy.ts';

/** client-go's defaults for the control-plane components. */
export const LEASE_DURATION_MS = 15_000;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;

export interface ElectionOptions {
  store: Store;
  clock: Clock;
  /** Lease names, all of which must be held to lead (kube-controller-manager, kube-scheduler). */
  leases: string[];
  /** This server's identity (upstream: hostname_uuid). */
  identity: string;
  /** Called once leadership is won; resolves when the components run. */
  onStartedLeading(): Promise<void>;
  /** Called when leadership is lost or the election stops; resolves when the components have stopped. */
  onStoppedLeading(): Promise<void>;
  log?: (msg: string) => void;
  timing?: { leaseMs: number; renewDeadlineMs: number; retryMs: number };
}

export interface Election { isLeader(): boolean; stop(): Promise<void> }

interface Observed { rv: string; holder: string; at: number }

const leases = () => findResource('coordination.k8s.io', 'v1', 'leases')!;
const NS = 'kube-system';

export function startElection(o: ElectionOptions): Election {
  const t = o.timing ?? { leaseMs: LEASE_DURATION_MS, renewDeadlineMs: RENEW_DEADLINE_MS, retryMs: RETRY_PERIOD_MS };
  const observed = new Map<string, Observed>();
  let leading = false;
  let lastRenew = 0;
  let stopped = false;
  let timer: TimerHandle | undefined;
  let busy: Promise<void> = Promise.resolve();

  /**
   * One attempt to acquire or renew every lease; true when all are ours now. Each lease is looked at
   * every time, so that their expiry clocks run together (a dead leader's leases are all free one
   * lease duration after it died, not one duration per lease).
   */
  const tryAll = async (): Promise<boolean> => {
    let all = true;
    for (const name of o.leases) if (!(await tryLease(name))) all = false;
    return all;
  };

  const tryLease = async (name: string): Promise<boolean> => {
    const now = o.clock.now();
    let cur: KObject | undefined;
    try { cur = await o.store.get(leases(), NS, name); } catch (e) { if (!(e instanceof StatusError && e.code === 404)) return false; }
    const spec = { holderIdentity: o.identity, leaseDurationSeconds: t.leaseMs / 1000, acquireTime: rfc3339Micro(now), renewTime: rfc3339Micro(now), leaseTransitions: 0 };
    if (!cur) {
      try {
        await o.store.create(leases(), NS, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NS }, spec });
        return true;
      } catch { return false; }
    }
    const holder = String(cur.spec?.holderIdentity ?? '');
    const seen = observed.get(name);
    if (!seen || seen.rv !== cur.metadata.resourceVersion) observed.set(name, { rv: cur.metadata.resourceVersion!, holder, at: now });
    const ours = holder === o.identity;
    const durationMs = Number(cur.spec?.leaseDurationSeconds ?? t.leaseMs / 1000) * 1000;
    const expired = holder === '' || now - observed.get(name)!.at >= durationMs;
    if (!ours && !expired) return false;
    if (!ours) o.log?.(`leader election: ${o.identity} takes lease ${name} from ${holder || 'nobody'} (unchanged for ${now - observed.get(name)!.at} ms)`);
    const next = {
      ...cur,
      spec: {
        ...spec,
        acquireTime: ours ? cur.spec?.acquireTime ?? spec.acquireTime : spec.acquireTime,
        leaseTransitions: Number(cur.spec?.leaseTransitions ?? 0) + (ours ? 0 : 1),
      },
    };
    try {
      // resourceVersion in the body makes this a compare-and-swap: a rival's write in between wins.
      const out = await o.store.update(leases(), NS, name, next);
      observed.set(name, { rv: out.obj.metadata.resourceVersion!, holder: o.identity, at: now });
      return true;
    } catch { return false; }
  };

  const release = async (): Promise<void> => {
    for (const name of o.leases) {
      try {
        const cur = await o.store.get(leases(), NS, name);
        if (cur.spec?.holderIdentity !== o.identity) continue;
        await o.store.update(leases(), NS, name, { ...cur, spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: rfc3339Micro(o.clock.now()) } });
      } catch { /* gone or taken: nothing to release */ }
    }
  };

  const step = async (): Promise<void> => {
    const ok = await tryAll();
    const now = o.clock.now();
    if (ok) {
      lastRenew = now;
      if (!leading && !stopped) {
        leading = true;
        o.log?.(`leader election: ${o.identity} leads (${o.leases.join(', ')})`);
        await o.onStartedLeading();
      }
    } else if (leading && now - lastRenew >= t.renewDeadlineMs) {
      leading = false;
      o.log?.(`leader election: ${o.identity} lost its leases (${o.leases.join(', ')})`);
      await o.onStoppedLeading();
    }
  };

  const loop = () => {
    if (stopped) return;
    busy = step().catch((e) => o.log?.(`leader election: ${(e as Error).message}`)).finally(() => {
      if (!stopped) timer = o.clock.setTimeout(loop, t.retryMs);
    });
  };
  loop();

  return {
    isLeader: () => leading,
    async stop() {
      stopped = true;
      timer?.cancel();
      await busy;
      if (leading) {
        leading = false;
        await o.onStoppedLeading();
        await release();
      }
    },
  };
}
