// agnhost webhook: the admission webhook server of the AdmissionWebhook specs (TLS, --port 443):
// always-deny, always-allow-delay-5s, add-label, pods (deny by label/container name), pods/attach,
// mutating-pods(-sidecar), configmaps (deny by data), mutating-configmaps, custom-resource,
// mutating-custom-resource, crd. AdmissionReview v1 and v1beta1 alike.
import type { ProgramIO } from '../types.ts';
import { cobraFlags, stopped, SIGTERM_EXIT } from '../program-kit.ts';
import { serveReviews } from './review-server.ts';

type Resp = { allowed: boolean; status?: Record<string, unknown>; patch?: string; patchType?: string };
const patch = (ops: object[]): Pick<Resp, 'patch' | 'patchType'> => ({ patch: Buffer.from(JSON.stringify(ops)).toString('base64'), patchType: 'JSONPatch' });
const gvr = (r: any) => `${r?.group ?? ''}/${r?.version ?? ''}/${r?.resource ?? ''}`;
const fail = (message: string): Resp => ({ allowed: false, status: { metadata: {}, message } });
const obj = (req: any, old = false) => (old ? req?.oldObject : req?.object) ?? {};

function admitPods(req: any): Resp {
  if (gvr(req.resource) !== '/v1/pods') return fail('expect resource to be { v1 pods}');
  const pod = obj(req);
  let allowed = true, msg = '';
  const v = pod.metadata?.labels?.['webhook-e2e-test'];
  if (v === 'webhook-disallow') { allowed = false; msg += 'the pod contains unwanted label; '; }
  if (v === 'wait-forever') return new Promise(() => {}) as any;
  for (const c of pod.spec?.containers ?? []) if (String(c?.name ?? '').includes('webhook-disallow')) { allowed = false; msg += 'the pod contains unwanted container name; '; }
  return allowed ? { allowed } : { allowed, status: { metadata: {}, message: msg.trim() } };
}

function mutatePods(req: any, sidecar: string, which: 'init' | 'sidecar'): Resp | undefined {
  if (which === 'sidecar' && !sidecar) return { allowed: false, status: { metadata: {}, status: 'Failure', message: 'No image specified by the sidecar-image parameter', code: 500 } };
  if (gvr(req.resource) !== '/v1/pods') return undefined;
  const pod = obj(req);
  const has = (list: any[], name: string) => (list ?? []).some((c) => c?.name === name);
  if (which === 'init' && pod.metadata?.name === 'webhook-to-be-mutated' && !has(pod.spec?.initContainers, 'webhook-added-init-container')) {
    return { allowed: true, ...patch([{ op: 'add', path: '/spec/initContainers', value: [{ image: 'webhook-added-image', name: 'webhook-added-init-container', resources: {} }] }]) };
  }
  if (which === 'sidecar' && !has(pod.spec?.containers, 'webhook-added-sidecar')) {
    return { allowed: true, ...patch([{ op: 'add', path: '/spec/containers/-', value: { image: sidecar, name: 'webhook-added-sidecar', resources: {} } }]) };
  }
  return { allowed: true };
}

function denyAttach(req: any): Resp {
  if (req.name !== 'to-be-attached-pod') return { allowed: true };
  if (gvr(req.resource) !== '/v1/pods') return fail(`expect resource to be { v1 pods}, got {${req.resource?.group ?? ''} ${req.resource?.version ?? ''} ${req.resource?.resource ?? ''}}`);
  if (req.subResource !== 'attach') return fail(`expect subresource to be attach, got ${req.subResource ?? ''}`);
  const o = obj(req);
  if (!o.stdin || o.container !== 'container1') return { allowed: true };
  return fail("attaching to pod 'to-be-attached-pod' is not allowed");
}

function admitData(req: any, what: 'configmap' | 'custom resource'): Resp | undefined {
  if (what === 'configmap' && gvr(req.resource) !== '/v1/configmaps') return undefined;
  const data = obj(req, req.operation === 'DELETE').data ?? {};
  const r: Resp = { allowed: true };
  if (data['webhook-e2e-test'] === 'webhook-disallow' && (req.operation === 'CREATE' || req.operation === 'UPDATE')) {
    r.allowed = false; r.status = { metadata: {}, reason: what === 'configmap' ? 'the configmap contains unwanted key and value' : 'the custom resource contains unwanted data' };
  }
  if (data['webhook-e2e-test'] === 'webhook-nondeletable' && req.operation === 'DELETE') {
    r.allowed = false; r.status = { metadata: {}, reason: `the ${what} cannot be deleted because it contains unwanted key and value` };
  }
  return r;
}

function mutateData(req: any, configmap: boolean): Resp | undefined {
  if (configmap && gvr(req.resource) !== '/v1/configmaps') return undefined;
  const data = obj(req).data ?? {};
  let p: object[] | undefined;
  if (data['mutation-start'] === 'yes') p = [{ op: 'add', path: '/data/mutation-stage-1', value: 'yes' }];
  if (data['mutation-stage-1'] === 'yes') p = [{ op: 'add', path: '/data/mutation-stage-2', value: 'yes' }];
  return p ? { allowed: true, ...patch(p) } : { allowed: true };
}

function addLabel(req: any): Resp {
  const labels = obj(req).metadata?.labels ?? {};
  if (!Object.keys(labels).length) return { allowed: true, ...patch([{ op: 'add', path: '/metadata/labels', value: { 'added-label': 'yes' } }]) };
  if (!('added-label' in labels)) return { allowed: true, ...patch([{ op: 'add', path: '/metadata/labels/added-label', value: 'yes' }]) };
  if (labels['added-label'] !== 'yes') return { allowed: true, ...patch([{ op: 'replace', path: '/metadata/labels/added-label', value: 'yes' }]) };
  return { allowed: true };
}

function admitCrd(req: any): Resp {
  const g = gvr(req.resource);
  if (g !== 'apiextensions.k8s.io/v1/customresourcedefinitions' && g !== 'apiextensions.k8s.io/v1beta1/customresourcedefinitions') {
    return fail(`expect resource to be one of [apiextensions.k8s.io/v1beta1, Resource=customresourcedefinitions apiextensions.k8s.io/v1, Resource=customresourcedefinitions] but got ${req.resource?.group ?? ''}/${req.resource?.version ?? ''}, Resource=${req.resource?.resource ?? ''}`);
  }
  return obj(req).metadata?.labels?.['webhook-e2e-test'] === 'webhook-disallow' ? fail('the crd contains unwanted label') : { allowed: true };
}

export async function webhook(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost webhook', args, {
    'tls-cert-file': { type: 'string', default: '' }, 'tls-private-key-file': { type: 'string', default: '' },
    port: { type: 'int', default: 443 }, 'sidecar-image': { type: 'string', default: '' },
  });
  if (!f) return 1;
  const sidecar = String(f.values['sidecar-image']);
  const review = (fn: (req: any) => Resp | undefined | Promise<Resp | undefined>) => async (r: any) => {
    const version = String(r?.apiVersion ?? '');
    if (r?.kind !== 'AdmissionReview' || (version !== 'admission.k8s.io/v1' && version !== 'admission.k8s.io/v1beta1')) return undefined;
    const resp = await fn(r.request ?? {});
    return resp && { kind: 'AdmissionReview', apiVersion: version, response: { uid: r.request?.uid ?? '', ...resp } };
  };
  const ok = await serveReviews(io, f.values.port as number, String(f.values['tls-cert-file']), String(f.values['tls-private-key-file']), {
    '/always-allow-delay-5s': review(async () => { await io.sleep(5000, io.signal); return { allowed: true, status: { metadata: {}, message: 'this webhook allows all requests' } }; }),
    '/always-deny': review(() => fail('this webhook denies all requests')),
    '/add-label': review(addLabel),
    '/pods': review(admitPods),
    '/pods/attach': review(denyAttach),
    '/mutating-pods': review((r) => mutatePods(r, sidecar, 'init')),
    '/mutating-pods-sidecar': review((r) => mutatePods(r, sidecar, 'sidecar')),
    '/configmaps': review((r) => admitData(r, 'configmap')),
    '/mutating-configmaps': review((r) => mutateData(r, true)),
    '/custom-resource': review((r) => admitData(r, 'custom resource')),
    '/mutating-custom-resource': review((r) => mutateData(r, false)),
    '/crd': review(admitCrd),
  });
  if (!ok) return 2;
  await stopped(io);
  return SIGTERM_EXIT;
}
