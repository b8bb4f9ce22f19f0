// The simulated network: listeners registered by the programs of pods, keyed by pod (uid) and
// (protocol, port), and dials that resolve names (dns.ts), follow Services (routing.ts) and hand
// both ends of an in-memory stream pair to the caller and the listener. No real socket is ever
// opened to a pod, node or Service address: the whole network lives in this process.
import { duplexPair } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { KObject } from '../registry/strategy.ts';
import { ClusterIndex, podIPs } from './cluster-index.ts';
import { Dns } from './dns.ts';
import { Router } from './routing.ts';
import { isLoopback, joinHostPort } from './ip.ts';
import { NetError } from './types.ts';
import type { DatagramHandler, DialOptions, Listening, Peer, Proto, StreamHandler } from './types.ts';

export interface NetClock { now(): number; setTimeout(fn: () => void, ms: number): { cancel(): void } }

/** An accepted connection, from the dialer's side. */
export interface Connection { socket: Duplex; local: Peer; remote: Peer; /** The Service dialled through, if any. */ service?: string }

/** Who dials: a pod (its addresses, search path, loopback) or the API server itself. */
export interface Dialer { pod?: KObject; ip: string }

type Handler = { proto: Proto; owner: string; stream?: StreamHandler; datagram?: DatagramHandler };

/** The Service whose endpoints are the API server (the kube-apiserver's own `default/kubernetes`). */
export const API_SERVICE = 'default/kubernetes';

/** Linux gives up a TCP connect after ~127 s of SYN retries (tcp_syn_retries = 6). */
const DEFAULT_CONNECT_TIMEOUT_MS = 127_000;
/**
 * Open connections a pod may hold, its ends of both dialled and accepted ones: a container's usual
 * soft RLIMIT_NOFILE. Past it a dial fails as socket(2) does (EMFILE), so a program that calls itself
 * without end (a request that waits on a request to itself) stops there instead of growing without bound.
 */
export const MAX_OPEN_CONNECTIONS_PER_POD = 1024;

export class Network {
  readonly index = new ClusterIndex();
  readonly dns = new Dns(this.index);
  readonly router: Router;
  readonly clock: NetClock;
  /** pod uid → `${proto}/${port}` → handler */
  private readonly listeners = new Map<string, Map<string, Handler>>();
  private ephemeral = 32768;
  /** pod uid → its open connection ends */
  private readonly open = new Map<string, number>();
  /**
   * The API server, reached through the `kubernetes` Service (in-cluster clients): its endpoints are
   * the server's own address, not a pod's, so connections are handed to the server in process.
   */
  apiServer?: StreamHandler;

  constructor(clock: NetClock) {
    this.clock = clock;
    this.router = new Router(this.index, () => clock.now());
    this.index.onPodGone = (pod) => this.listeners.delete(String(pod.metadata.uid ?? ''));
  }

  /** Register a listener of a pod (identified by uid). A taken port is EADDRINUSE, as bind(2). */
  listen(podUid: string, port: number, proto: Proto, h: { stream?: StreamHandler; datagram?: DatagramHandler }): Listening {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new NetError('EINVAL', `listen ${proto.toLowerCase()} :${port}: invalid port`);
    let m = this.listeners.get(podUid);
    if (!m) this.listeners.set(podUid, m = new Map());
    const key = `${proto}/${port}`;
    if (m.has(key)) throw new NetError('EADDRINUSE', `listen ${proto.toLowerCase()} :${port}: bind: address already in use`);
    const entry: Handler = { proto, owner: podUid, ...h };
    m.set(key, entry);
    return {
      port,
      close: () => { const cur = this.listeners.get(podUid); if (cur?.get(key) === entry) cur.delete(key); },
    };
  }

  /** Whether a pod (by uid) listens on the port. */
  listening(podUid: string, port: number, proto: Proto = 'TCP'): boolean { return Boolean(this.listeners.get(podUid)?.has(`${proto}/${port}`)); }

  private handlerAt(ip: string, port: number, proto: Proto, from: Dialer): Handler | undefined {
    const pods = isLoopback(ip) ? (from.pod ? [from.pod] : []) : this.index.by('pods', 'ip', ip);
    for (const p of pods) {
      const h = this.listeners.get(String(p.metadata.uid ?? ''))?.get(`${proto}/${port}`);
      if (h) return h;
    }
    return undefined;
  }

  private nextPort(): number { this.ephemeral = this.ephemeral >= 60999 ? 32768 : this.ephemeral + 1; return this.ephemeral; }

  /** The first address of a name (or the address itself). */
  resolve(host: string, from: Dialer): string {
    const a = this.dns.lookup(host.replace(/^\[(.*)\]$/, '$1'), from.pod);
    if (!a.addresses.length) throw new NetError('ENOTFOUND', `lookup ${host}: no such host`);
    return a.addresses[0];
  }

  /** Where a packet to ip:port ends: a listener, a refusal or nowhere. */
  private target(ip: string, port: number, proto: Proto, from: Dialer): { ip: string; port: number; h?: Handler; refused: boolean; service?: string } {
    if (isLoopback(ip)) {
      const own = this.handlerAt(ip, port, proto, from);
      // A host-network pod's loopback is the node's: hostPorts bound to 127.0.0.1 (or all addresses) answer there.
      const node = (from.pod as any)?.spec?.hostNetwork ? String((from.pod as any).spec.nodeName ?? '') : '';
      const hp = !own && node ? this.router.hostPort(node, [ip, '127.0.0.1', '::1'], port, proto) : undefined;
      if (hp) return { ip: hp.ip, port: hp.port, h: this.handlerAt(hp.ip, hp.port, proto, from), refused: true };
      return { ip: from.ip, port, h: own, refused: true };
    }
    const r = this.router.route(ip, port, proto, from.ip);
    if (r.kind === 'service' && r.service === API_SERVICE && this.apiServer) {
      return { ip: r.ip, port: r.port, h: { proto, owner: '', stream: this.apiServer }, refused: true, service: r.service };
    }
    switch (r.kind) {
      case 'pod': case 'service': return { ip: r.ip, port: r.port, h: this.handlerAt(r.ip, r.port, proto, from), refused: true, service: r.kind === 'service' ? r.service : undefined };
      case 'no-endpoints': case 'node': return { ip, port, refused: true };
      default: return { ip, port, refused: false };
    }
  }

  /** Open a stream connection (TCP or SCTP) to host:port. */
  async dial(from: Dialer, host: string, port: number, proto: Proto = 'TCP', opts: DialOptions = {}): Promise<Connection> {
    const net = proto.toLowerCase();
    const ip = this.resolve(host, from);
    const t = this.target(ip, port, proto, from);
    if (!t.h?.stream) {
      if (t.refused) throw new NetError('ECONNREFUSED', `dial ${net} ${joinHostPort(ip, port)}: connect: connection refused`);
      await this.wait(opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, opts);
      throw new NetError('ETIMEDOUT', opts.timeoutMs !== undefined ? `dial ${net} ${joinHostPort(ip, port)}: i/o timeout` : `dial ${net} ${joinHostPort(ip, port)}: connect: connection timed out`);
    }
    const dialer = String(from.pod?.metadata?.uid ?? ''), acceptor = t.h.owner;
    if (dialer && (this.open.get(dialer) ?? 0) >= MAX_OPEN_CONNECTIONS_PER_POD || (this.open.get(acceptor) ?? 0) >= MAX_OPEN_CONNECTIONS_PER_POD) {
      throw new NetError('EMFILE', `dial ${net} ${joinHostPort(ip, port)}: socket: too many open files`);
    }
    const [client, server] = duplexPair();
    this.hold(dialer, client);
    this.hold(acceptor, server);
    const local = { ip: isLoopback(ip) ? ip : from.ip, port: this.nextPort() };
    const remote = { ip, port };
    Object.assign(server, { remoteAddress: local.ip, remotePort: local.port, localAddress: t.ip, localPort: t.port, remoteFamily: local.ip.includes(':') ? 'IPv6' : 'IPv4' });
    Object.assign(client, { remoteAddress: ip, remotePort: port, localAddress: local.ip, localPort: local.port });
    t.h.stream(server, local, { ip: t.ip, port: t.port });
    return { socket: client, local, remote, service: t.service };
  }

  /** Count a connection end against its pod until the end closes. */
  private hold(uid: string, end: Duplex): void {
    if (!uid) return;
    this.open.set(uid, (this.open.get(uid) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (this.open.get(uid) ?? 1) - 1;
      if (n > 0) this.open.set(uid, n); else this.open.delete(uid);
    };
    end.once('close', release);
  }

  /** Open connection ends a pod holds now. */
  openConnections(podUid: string): number { return this.open.get(podUid) ?? 0; }

  /** Send one datagram and wait for the reply (UDP). No listener: refused (ICMP port unreachable) or a timeout. */
  async datagram(from: Dialer, host: string, port: number, msg: Buffer, opts: DialOptions = {}): Promise<Buffer> {
    const ip = this.resolve(host, from);
    const t = this.target(ip, port, 'UDP', from);
    const timeout = opts.timeoutMs ?? 5000;
    if (!t.h?.datagram) {
      if (t.refused) throw new NetError('ECONNREFUSED', `read udp ${joinHostPort(from.ip, this.nextPort())}->${joinHostPort(ip, port)}: read: connection refused`);
      await this.wait(timeout, opts);
      throw new NetError('ETIMEDOUT', `read udp ${joinHostPort(from.ip, this.ephemeral)}->${joinHostPort(ip, port)}: i/o timeout`);
    }
    const reply = await t.h.datagram(msg, { ip: from.ip, port: this.nextPort() }, { ip: t.ip, port: t.port });
    if (reply === undefined) {
      await this.wait(timeout, opts);
      throw new NetError('ETIMEDOUT', `read udp ${joinHostPort(from.ip, this.ephemeral)}->${joinHostPort(ip, port)}: i/o timeout`);
    }
    return Buffer.isBuffer(reply) ? reply : Buffer.from(reply);
  }

  /** Sleep on the network's clock (simulated time); an abort ends it early. */
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => this.wait(ms, { signal }).catch(() => {});

  /** Wait simulated time (the caller's sleep when given); an abort ends the wait early with an error. */
  private async wait(ms: number, opts: DialOptions): Promise<void> {
    if (opts.signal?.aborted) throw new NetError('ETIMEDOUT', 'operation was canceled');
    if (opts.sleep) { await opts.sleep(ms, opts.signal); return; }
    await new Promise<void>((resolve) => {
      const t = this.clock.setTimeout(() => { opts.signal?.removeEventListener('abort', done); resolve(); }, ms);
      const done = () => { t.cancel(); resolve(); };
      opts.signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** The addresses of the pod known by this uid (the index's current copy). */
  podByUid(uid: string): KObject | undefined { return this.index.by('pods', 'uid', uid)[0]; }
  /** The pod's addresses: the index's copy, or the caller's when the informer has not delivered the IP yet. */
  addressesOf(pod: KObject): string[] {
    const known = this.podByUid(String(pod.metadata?.uid ?? ''));
    const ips = known ? podIPs(known) : [];
    return ips.length ? ips : podIPs(pod);
  }
}
