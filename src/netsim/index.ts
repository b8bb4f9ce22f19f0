// The simulated network (issue 18): pod IPs, Services (cluster IPs, node ports, session affinity,
// named ports through EndpointSlices) and cluster DNS, all in process. Programs of emulated
// containers reach it with `forPod(io.pod)`; the API server's proxy and port-forward with `networkOf(store)`.
export { createNetwork, removeNetwork, networkOf, networkForPod, findNetworkForPod, forPod, serveApiServer } from './registry.ts';
export { Network } from './network.ts';
export type { Connection, Dialer, NetClock } from './network.ts';
export { PodNet } from './pod-net.ts';
export { httpRequest, serveHttp } from './http.ts';
export type { HttpRequestOptions, HttpResponse, Dialing } from './http.ts';
export { NetError } from './types.ts';
export type { Proto, Peer, Listening, DialOptions, StreamHandler, DatagramHandler } from './types.ts';
export { CLUSTER_DOMAIN, DNS_SERVER, resolvConf } from './dns.ts';
export type { Answer } from './dns.ts';
export { joinHostPort } from './ip.ts';
export { etcHostsFile, resolvConfFile } from './pod-files.ts';
export { probeTransport } from './probe-transport.ts';
export { webhookTransport } from './webhook-transport.ts';

import type { Informer } from '../controllers/runtime.ts';
import type { NetClock } from './network.ts';
import { createNetwork } from './registry.ts';

/** The cluster's network, following the shared informers of pods, Services, EndpointSlices and nodes. */
export function startNetwork(clock: NetClock, owner: object, informers: { pods: Informer<any>; services: Informer<any>; slices: Informer<any>; nodes: Informer<any> }) {
  const n = createNetwork(clock, owner);
  n.index.follow('pods', informers.pods);
  n.index.follow('services', informers.services);
  n.index.follow('endpointslices', informers.slices);
  n.index.follow('nodes', informers.nodes);
  return n;
}
