// Whether a Service-backed APIService is available, as upstream's availability controller decides:
// the Service exists and has the port, an endpoint is ready for it, and GET /apis/<group>/<version>
// answers with a 2xx. Its messages are upstream's (ServiceNotFound, MissingEndpoints,
// FailedDiscoveryCheck: `failing or missing response from https://…`).
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { WebhookClient } from '../webhook/client.ts';
import { CallError, decodeAnswer } from '../webhook/client.ts';
import { findResource } from '../registry/resources.ts';
import { resolveService } from '../webhook/resolve.ts';

export interface Availability { status: 'True' | 'False'; reason: string; message: string; resources?: Record<string, any>[] }

const TIMEOUT_MS = 5_000;

export async function checkAvailability(store: Store, client: WebhookClient, api: KObject): Promise<Availability> {
  const spec = api.spec ?? {};
  const svcRef = spec.service;
  if (!svcRef) return { status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
  const ns = String(svcRef.namespace ?? ''), name = String(svcRef.name ?? ''), port = Number(svcRef.port ?? 443);
  const svc = await store.tryGet(findResource('', 'v1', 'services')!, ns, name);
  if (!svc) return { status: 'False', reason: 'ServiceNotFound', message: `service/${name} in ${JSON.stringify(ns)} is not present` };
  const svcPort = (svc.spec?.ports ?? []).find((p: any) => p?.port === port);
  if (!svcPort && svc.spec?.type !== 'ExternalName') return { status: 'False', reason: 'ServicePortError', message: `service/${name} in ${JSON.stringify(ns)} is not listening on port ${port}` };
  let where: { address: string; port: number };
  try {
    where = await resolveService(store, ns, name, port);
  } catch {
    return { status: 'False', reason: 'MissingEndpoints', message: `endpoints for service/${name} in ${JSON.stringify(ns)} have no addresses with port name ${JSON.stringify(svcPort?.name ?? '')}` };
  }
  const path = `/apis/${spec.group}/${spec.version}`;
  const shown = `https://${where.address.includes(':') ? `[${where.address}]` : where.address}:${where.port}${path}`;
  const cc = { service: { namespace: ns, name, port }, caBundle: spec.insecureSkipTLSVerify ? undefined : spec.caBundle };
  try {
    const res = await client.call(cc, { method: 'GET', path, timeoutMs: TIMEOUT_MS, timeoutParam: false, insecure: !!spec.insecureSkipTLSVerify });
    if (res.status < 200 || res.status >= 300) return { status: 'False', reason: 'FailedDiscoveryCheck', message: `failing or missing response from ${shown}: bad status from ${shown}: ${res.status}` };
    const list = decodeAnswer(res);
    return { status: 'True', reason: 'Passed', message: 'all checks passed', resources: Array.isArray(list.resources) ? list.resources : [] };
  } catch (e) {
    const why = e instanceof CallError ? e.message.replace(/^Get "[^"]*": /, '') : (e as Error).message;
    return { status: 'False', reason: 'FailedDiscoveryCheck', message: `failing or missing response from ${shown}: Get ${JSON.stringify(shown)}: ${why}` };
  }
}
