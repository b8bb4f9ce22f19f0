// The simulated network's vocabulary: protocols, addresses, listeners and the errors a dial can meet.
import type { Duplex } from 'node:stream';

export type Proto = 'TCP' | 'UDP' | 'SCTP';

/** One end of a connection as the other end sees it. */
export interface Peer { ip: string; port: number }

/** A TCP (or SCTP) listener: gets the server end of each accepted connection. */
export type StreamHandler = (socket: Duplex, from: Peer, local: Peer) => void;
/** A UDP listener: answers one datagram with a reply (or none). */
export type DatagramHandler = (msg: Buffer, from: Peer, local: Peer) => Buffer | string | undefined | Promise<Buffer | string | undefined>;

/** A registered listener; `close` unregisters it (idempotent). */
export interface Listening { close(): void; readonly port: number }

/** Why a connection failed, with the text Go's net package would print. */
export type NetErrorCode = 'ECONNREFUSED' | 'ETIMEDOUT' | 'ENOTFOUND' | 'EADDRINUSE' | 'EHOSTUNREACH' | 'EINVAL' | 'EMFILE';

export class NetError extends Error {
  readonly code: NetErrorCode;
  constructor(code: NetErrorCode, message: string) { super(message); this.code = code; }
}

/** How a dial may wait: simulated sleep and cancellation (a program passes its io.sleep and io.signal). */
export interface DialOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
