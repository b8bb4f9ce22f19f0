// The simulated network as the webhook client's transport for addresses of the simulated cluster
// (src/webhook/transport.ts `setSimulatedTransport`): an admission or conversion webhook, or an
// aggregated API server, that runs as an emulated pod (agnhost webhook, crd-conversion-webhook) is
// reached in process, from the API server's address, with the same TLS checks; nothing opens a socket.
import { Readable } from 'node:stream';
import type { Transport, TransportRequest, TransportResponse } from '../webhook/transport.ts';
import { DialError } from '../webhook/transport.ts';
import { networkOf } from './registry.ts';
import { httpRequest } from './http.ts';
import { joinHostPort } from './ip.ts';

/** Where the API server's requests come from on the simulated network (the kubernetes Service's address). */
const API_SERVER_IP = '10.96.0.1';

export function webhookTransport(owner: object): Transport {
  return async (r: TransportRequest): Promise<TransportResponse> => {
    const net = networkOf(owner);
    if (!net) throw new DialError(`dial tcp ${joinHostPort(r.address, r.port)}: connect: no route to host`);
    const from = { connect: (h: string, p: number, o?: object) => net.dial({ ip: API_SERVER_IP }, h, p, 'TCP', o) };
    const res = await httpRequest(from, {
      url: `https://${joinHostPort(r.address, r.port)}${r.path}`,
      method: r.method, headers: { ...r.headers, Host: r.host }, body: r.body,
      ca: r.ca, servername: r.serverName, insecure: r.insecure, signal: r.signal, maxBody: r.stream ? undefined : r.maxBytes,
    }).catch((e: Error) => { throw new DialError(e.message); });
    return { status: res.status, headers: res.headers, body: res.body, ...(r.stream ? { stream: Readable.from([res.body]) } : {}) };
  };
}
