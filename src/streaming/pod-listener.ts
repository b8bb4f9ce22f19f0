// Port-forward into a pod whose emulated program listens on the port (src/netsim): the forwarded
// connection is dialled inside the pod's network (localhost, as the kubelet's port-forward does) and
// bytes flow both ways. Pods with no emulated listener keep the declared-port responder (pod-port.ts).
import type { KObject } from '../registry/strategy.ts';
import { findNetworkForPod } from '../netsim/index.ts';
import type { Network } from '../netsim/index.ts';
import type { PortConnection } from './pod-port.ts';

/** The network a pod's emulated program listens on `port` in, if any. */
export function emulatedListener(pod: KObject, port: number): Network | undefined {
  const net = findNetworkForPod(pod);
  return net?.listening(String(pod.metadata?.uid ?? ''), port) ? net : undefined;
}

/** Connect to the emulated listener; data written before the dial completes is kept and sent in order. */
export function openEmulated(net: Network, pod: KObject, port: number, write: (b: Buffer) => void, close: () => void): PortConnection {
  const pending: Buffer[] = [];
  let ended = false;
  let socket: import('node:stream').Duplex | undefined;
  let done = false;
  const finish = () => { if (!done) { done = true; close(); } };
  const ip = net.addressesOf(pod)[0] ?? '127.0.0.1';
  net.dial({ pod: net.podByUid(String(pod.metadata?.uid ?? '')) ?? pod, ip }, '127.0.0.1', port).then((c) => {
    socket = c.socket;
    socket.on('data', (b: Buffer) => write(b));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    for (const b of pending) socket.write(b);
    pending.length = 0;
    if (ended) socket.end();
  }, finish);
  return {
    data(b) { if (socket) socket.write(b); else pending.push(Buffer.from(b)); },
    end() { ended = true; socket?.end(); },
  };
}
