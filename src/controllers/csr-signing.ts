// The built-in signers (pkg/controller/certificates/signer, as kube-controller-manager runs them with
// the cluster CA): an approved, not failed CertificateSigningRequest for kubernetes.io/kube-apiserver-client,
// kube-apiserver-client-kubelet or kubelet-serving gets its certificate, valid for the requested
// expirationSeconds (at least ten minutes, at most a year); one its signer refuses gets a Failed condition.
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { StatusError } from '../errors.ts';
import { parseCsr, signCsr } from '../auth/csr.ts';
import type { ParsedCsr } from '../auth/csr.ts';
import { requestPem } from '../registry/kinds/certificates.ts';
import type { Informer } from './runtime.ts';
import { runController } from './runtime.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const MIN_MS = 10 * 60 * 1000;
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const list = (x: string[]) => `[${[...x].sort().join(' ')}]`;

/** Whether the signer takes this request: undefined if it is not its signer's, else '' or why it refuses. */
export function signerRefusal(signer: string, csr: ParsedCsr, usages: string[]): string | undefined {
  switch (signer) {
    case 'kubernetes.io/kube-apiserver-client': {
      for (const u of usages) if (!['digital signature', 'key encipherment', 'client auth'].includes(u)) return `invalid usage for client certificate: ${u}`;
      return usages.includes('client auth') ? '' : 'missing required usage for client certificate: client auth';
    }
    case 'kubernetes.io/kube-apiserver-client-kubelet': {
      if (csr.organizations.length !== 1 || csr.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (csr.dnsNames) return 'DNS subjectAltNames are not allowed';
      if (csr.emails) return 'Email subjectAltNames are not allowed';
      if (csr.ipAddresses) return 'IP subjectAltNames are not allowed';
      if (csr.uris) return 'URI subjectAltNames are not allowed';
      if (!csr.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      const want = ['digital signature', 'key encipherment', 'client auth'];
      if (!sameSet(usages, want) && !sameSet(usages, ['digital signature', 'client auth'])) return `usages did not match ${list(want)}`;
      return '';
    }
    case 'kubernetes.io/kubelet-serving': {
      if (csr.organizations.length !== 1 || csr.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (!csr.dnsNames && !csr.ipAddresses) return 'DNS or IP subjectAltName is required';
      if (csr.emails) return 'Email subjectAltNames are not allowed';
      if (csr.uris) return 'URI subjectAltNames are not allowed';
      const want = ['digital signature', 'key encipherment', 'server auth'];
      if (!sameSet(usages, want) && !sameSet(usages, ['digital signature', 'server auth'])) return `usages did not match ${list(want)}`;
      if (!csr.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      return '';
    }
    default: return undefined;
  }
}

const hasCondition = (o: KObject, type: string) => Array.isArray(o.status?.conditions) && o.status.conditions.some((c: any) => c?.type === type && c?.status === 'True');

export function csrSigningController(store: Store, clock: Clock, csrs: Informer, ca: { certPem: string; keyPem: string }, log?: (m: string) => void) {
  const r = findResource('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
  return runController({
    name: 'csrsigning', clock, log, workers: 2,
    watch: [{ informer: csrs }],
    reconcile: async (name) => {
      const obj = csrs.get(name);
      if (!obj || !hasCondition(obj, 'Approved') || hasCondition(obj, 'Failed') || obj.status?.certificate) return;
      const usages: string[] = Array.isArray(obj.spec?.usages) ? obj.spec.usages : [];
      let parsed: ParsedCsr;
      try { parsed = parseCsr(requestPem(obj)); } catch (e) { log?.(`csrsigning: unable to parse csr ${JSON.stringify(name)}: ${(e as Error).message}`); return; }
      const refusal = signerRefusal(String(obj.spec?.signerName ?? ''), parsed, usages);
      if (refusal === undefined) return;
      const now = rfc3339(clock.now());
      try {
        await store.guaranteedUpdate(r, undefined, name, (cur) => {
          cur.status ??= {};
          if (refusal) {
            cur.status.conditions = [...(cur.status.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: refusal, lastUpdateTime: now, lastTransitionTime: now }];
          } else {
            const secs = typeof cur.spec?.expirationSeconds === 'number' ? cur.spec.expirationSeconds : undefined;
            const ttl = secs === undefined ? YEAR_MS : Math.min(YEAR_MS, Math.max(MIN_MS, secs * 1000));
            cur.status.certificate = Buffer.from(signCsr(parsed, usages, ttl, ca, clock)).toString('base64');
          }
          return cur;
        }, { subresource: 'status' });
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return;
        throw e;
      }
    },
  });
}
