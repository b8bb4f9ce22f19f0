// The shared client for calls out of the server (admission webhooks, conversion webhooks, aggregated
// API servers); see client.ts. `simulated` transport: setSimulatedTransport (transport.ts).
export { WebhookClient, CallError, decodeAnswer } from './client.ts';
export type { ClientConfig, CallOptions } from './client.ts';
export { setSimulatedTransport, isSimulatedAddress, DialError } from './transport.ts';
export type { Transport, TransportRequest, TransportResponse } from './transport.ts';
export { closeAgents } from './https.ts';
