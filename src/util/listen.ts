// Listening on an address given as an IP literal without Node's generic path: server.listen(port, host)
// looks the host up (loading node:dns) and then asks whether each address is an IPv6 link-local one,
// which compiles Node's IPv6 regular expression even for 127.0.0.1 (~3-4 ms of a ~100 ms start).
// Where Node has net.BoundSocket (bound synchronously, no lookup; an IPv4 literal is recognised by
// Node's IPv4 expression alone), the server adopts a socket bound here instead. A host name, or a
// Node without BoundSocket, takes the generic path.
import * as net from 'node:net';

type Bindable = { new(o: { host: string; port: number }): object };
const BoundSocket = (net as unknown as { BoundSocket?: Bindable }).BoundSocket;

/**
 * Listen on `port` at `address`; resolves once listening, rejects with the bind or listen error (its
 * `code` kept). As with server.listen, the caller's 'error' listener (if any) sees a listen error.
 */
export function listenOn(server: net.Server, port: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const bound = BoundSocket && /^[\d.]+$|:/.test(address) ? bindNow(port, address) : undefined;
    if (bound instanceof Error) return reject(bound);
    server.once('error', reject);
    if (bound) server.listen(bound, () => resolve());
    else server.listen(port, address, () => resolve());
  });
}

/** A socket bound to address:port; undefined when Node refuses the address form (the generic path then reports it). */
function bindNow(port: number, address: string): object | Error | undefined {
  try {
    return new BoundSocket!({ host: address, port });
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ERR_INVALID_ARG_VALUE' ? undefined : e as Error;
  }
}
