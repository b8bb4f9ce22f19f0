// What answers on a port inside a simulated pod (used by pods/portforward).
//
// A port is open when one of the pod's containers declares it (spec.containers[].ports[].containerPort).
// The simulated process behind it is deliberately tiny and deterministic:
//  - if the first bytes are an HTTP/1.x request line, it reads the request head and answers
//    `200 OK` with `Connection: close` and a text body naming the pod, container and port (or the
//    value of the pod annotation `skiff.dev/port-<port>-body`, when set), then closes;
//  - anything else is echoed back until the client closes its side.
// Undeclared ports are refused with containerd's error text, which the kubelet wraps for the client.
import { createHash } from 'node:crypto';
import type { KObject } from '../registry/strategy.ts';
import { allContainers } from './common.ts';

export const PORT_BODY_ANNOTATION = (port: number) => `skiff.dev/port-${port}-body`;

/** The container that declares `port`, or undefined when nothing listens on it. */
export function listenerFor(pod: KObject, port: number): string | undefined {
  for (const c of allContainers(pod)) {
    if (c.kind === 'init') continue;
    for (const p of (c as any).ports ?? []) {
      if (Number(p?.containerPort) === port && String(p?.protocol ?? 'TCP').toUpperCase() === 'TCP') return c.name;
    }
  }
  return undefined;
}

/** The sandbox id the runtime would report: stable per pod uid. */
export function sandboxId(pod: KObject): string {
  return createHash('sha256').update(`sandbox/${pod.metadata?.uid ?? ''}`).digest('hex');
}

/** The kubelet's wrapped error for a connection refused inside the pod (containerd runtime). */
export function refusedMessage(pod: KObject, port: number): string {
  const id = sandboxId(pod);
  const netns = `/var/run/netns/cni-${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
  return `error forwarding port ${port} to pod ${id}, uid : failed to execute portforward in network namespace ${JSON.stringify(netns)}: `
    + `failed to connect to localhost:${port} inside namespace ${JSON.stringify(id)}, IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused `
    + `IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
}

export interface PortConnection {
  /** Bytes from the client. */
  data(b: Buffer): void;
  /** The client closed its sending side. */
  end(): void;
}

const REQUEST_LINE = /^[A-Z]{3,10} \S+ HTTP\/1\.[01]\r?\n/;
const MAX_HEAD = 64 * 1024;

/** Start the simulated server for one accepted connection. `write`/`close` go back to the client. */
export function openPort(pod: KObject, container: string, port: number, write: (b: Buffer) => void, close: () => void): PortConnection {
  let mode: 'sniff' | 'http' | 'echo' | 'done' = 'sniff';
  let head = Buffer.alloc(0);
  const answer = () => {
    const ns = String(pod.metadata?.namespace ?? 'default'), name = String(pod.metadata?.name ?? '');
    const custom = pod.metadata?.annotations?.[PORT_BODY_ANNOTATION(port)];
    const body = Buffer.from(custom ?? `Hello from pod ${ns}/${name}, container ${container}, port ${port}\n`);
    write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
    mode = 'done';
    close();
  };
  return {
    data(b) {
      if (mode === 'done') return;
      if (mode === 'echo') { write(b); return; }
      head = Buffer.concat([head, b]);
      if (mode === 'sniff') {
        const nl = head.indexOf('\n');
        if (nl < 0) {
          const t = head.toString('latin1');
          if (/^[A-Z]{0,10}$/.test(t) || (/^[A-Z]{3,10} /.test(t) && head.length < MAX_HEAD)) return; // may still be a request line
        }
        if (REQUEST_LINE.test(head.subarray(0, nl + 1).toString('latin1'))) mode = 'http';
        else { mode = 'echo'; write(head); head = Buffer.alloc(0); return; }
      }
      if (head.includes('\r\n\r\n') || head.includes('\n\n') || head.length > MAX_HEAD) answer();
    },
    end() {
      if (mode === 'done') return;
      if (mode === 'sniff' && head.length) write(head); // a short non-HTTP message: echo it
      mode = 'done';
      close();
    },
  };
}
