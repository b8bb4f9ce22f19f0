// A pod's view of the simulated network: what its programs listen on and dial from. A program gets
// one with `forPod(io.pod)` (registry.ts); the pod's address is read when used, so a handle made
// before the kubelet assigned the IP works once it has.
import type { KObject } from '../registry/strategy.ts';
import type { Connection, Network } from './network.ts';
import type { Answer } from './dns.ts';
import { resolvConf } from './dns.ts';
import { NetError } from './types.ts';
import type { DatagramHandler, DialOptions, Listening, Proto, StreamHandler } from './types.ts';

export class PodNet {
  readonly network: Network;
  private readonly pod: KObject;
  constructor(network: Network, pod: KObject) { this.network = network; this.pod = pod; }

  /** The pod as the network knows it now (with its IP), or as it was given. */
  private current(): KObject { return this.network.podByUid(this.uid) ?? this.pod; }
  get uid(): string { return String(this.pod.metadata.uid ?? ''); }
  get ip(): string { return this.network.addressesOf(this.pod)[0] ?? '127.0.0.1'; }
  get hostname(): string { const p = this.current() as any; return String(p.spec?.hostname ?? p.metadata?.name ?? 'localhost'); }
  /** /etc/resolv.conf of the pod. */
  resolvConf(): { searches: string[]; ndots: number; nameservers: string[] } { return resolvConf(this.current()); }

  /** Listen on a port of the pod; closed when `signal` aborts. */
  listen(port: number, proto: Proto, h: { stream?: StreamHandler; datagram?: DatagramHandler }, signal?: AbortSignal): Listening {
    const l = this.network.listen(this.uid, port, proto, h);
    signal?.addEventListener('abort', () => l.close(), { once: true });
    return l;
  }
  listenStream(port: number, handler: StreamHandler, signal?: AbortSignal, proto: Proto = 'TCP'): Listening { return this.listen(port, proto, { stream: handler }, signal); }
  listenDatagram(port: number, handler: DatagramHandler, signal?: AbortSignal): Listening { return this.listen(port, 'UDP', { datagram: handler }, signal); }

  lookup(name: string): Answer { return this.network.dns.lookup(name, this.current()); }
  srv(name: string) { return this.network.dns.srv(name, this.current()); }
  ptr(ip: string): string[] { return this.network.dns.ptr(ip); }
  connect(host: string, port: number, opts?: DialOptions & { proto?: Proto }): Promise<Connection> {
    return this.network.dial({ pod: this.current(), ip: this.ip }, host, port, opts?.proto ?? 'TCP', opts);
  }
  datagram(host: string, port: number, msg: Buffer | string, opts?: DialOptions): Promise<Buffer> {
    return this.network.datagram({ pod: this.current(), ip: this.ip }, host, port, Buffer.from(msg), opts);
  }
}

export { NetError };
