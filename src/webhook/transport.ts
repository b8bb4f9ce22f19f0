// How the webhook client reaches an address. Loopback and other real addresses are dialled for real
// (TLS over TCP); addresses of the simulated cluster (pod, node and Service IPs Skiff hands out) are
// never dialled: they go to a pluggable `simulated` transport (the in-process network of emulated pods,
// wired at server start), and without one they fail as a dial to an unreachable host fails upstream.

/** One HTTP exchange the client asks a transport to carry. */
export interface TransportRequest {
  /** The address to connect to (an IP or a host name) and its port. */
  address: string;
  port: number;
  /** TLS settings: PEM CA bundle (undefined: system roots), the name the certificate must carry. */
  ca?: string;
  serverName: string;
  /** Host header and path (with query), as Go's client sends them. */
  host: string;
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Client certificate (the aggregator's front-proxy identity). */
  cert?: string;
  key?: string;
  /** Skip the server certificate check. */
  insecure?: boolean;
  signal: AbortSignal;
  /** Largest response body accepted. */
  maxBytes: number;
  /** Hand back the body as a stream once headers arrive (proxying watches); maxBytes does not apply. */
  stream?: boolean;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** With `stream`: the body, to be read (or destroyed) by the caller. */
  stream?: import('node:stream').Readable;
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** A failure to reach the server, in Go's net/http wording (the text after `Post "<url>": `). */
export class DialError extends Error {}

let simulated: Transport | undefined;

/** Installs (or removes) the transport for simulated addresses (src/netsim). */
export function setSimulatedTransport(t: Transport | undefined): void { simulated = t; }

export function simulatedTransport(): Transport | undefined { return simulated; }

// The ranges Skiff allocates from: node InternalIPs (10.0.0.0/16, kubelet/nodes.ts), pod CIDRs
// (10.244.0.0/14 onwards, one /24 per node) and the Service CIDR (10.96.0.0/12, registry/allocators.ts).
const SIMULATED: [number, number][] = [['10.0.0.0', 16], ['10.244.0.0', 14], ['10.96.0.0', 12]].map(([ip, bits]) => [v4(ip as string)!, bits as number]);

function v4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** Whether an address belongs to the simulated cluster (never dialled for real). */
export function isSimulatedAddress(address: string, extra: string[] = []): boolean {
  if (extra.includes(address)) return true;
  const n = v4(address);
  if (n === undefined) return false;
  return SIMULATED.some(([base, bits]) => (n >>> (32 - bits)) === (base >>> (32 - bits)));
}
