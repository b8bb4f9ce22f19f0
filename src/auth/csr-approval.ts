// The CertificateSigningRequest's server-side rules that need the requesting user: who asked is
// stamped into spec (username, uid, groups, extra) on create, and writing the approval subresource
// needs the `approve` verb on the request's signer (the CertificateApproval admission plugin).
import { errors } from '../errors.ts';
import type { KObject } from '../registry/strategy.ts';
import type { SubresourceHandler } from '../api/extensions.ts';
import { requestUser } from './user.ts';
import type { User } from './user.ts';
import type { Authorizer } from './rbac/index.ts';

const GROUP = 'certificates.k8s.io';

/** csrStrategy.PrepareForCreate's user half: the requester as the server knows them. */
export function stampRequester(obj: KObject, user: User): void {
  obj.spec = typeof obj.spec === 'object' && obj.spec ? obj.spec : {};
  obj.spec.username = user.name;
  if (user.uid) obj.spec.uid = user.uid;
  obj.spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) obj.spec.extra = structuredClone(user.extra);
}

/** certificates.IsAuthorizedForSignerName: the verb on `signers` named the signer, or its `<domain>/*`. */
export function authorizedForSigner(authz: Authorizer, user: User, verb: string, signerName: string): boolean {
  const ask = (name: string) => authz.check({ user, verb, resourceRequest: true, apiGroup: GROUP, apiVersion: '*', resource: 'signers', name }).decision === 'allow';
  if (ask(signerName)) return true;
  const slash = signerName.indexOf('/');
  return slash > 0 && ask(`${signerName.slice(0, slash)}/*`);
}

/** certificatesigningrequests/approval: the signer's approvers only, then a status write (the store validates conditions). */
export function approvalHandler(authz: Authorizer, write: SubresourceHandler): SubresourceHandler {
  return async (s) => {
    const user = requestUser(s.req);
    if (user && s.info.verb !== 'get') {
      const csr = await s.store.get(s.info.resource, undefined, s.info.name);
      const signer = String(csr.spec?.signerName ?? '');
      if (!authorizedForSigner(authz, user, 'approve', signer)) {
        s.req.resume();
        throw errors.admissionForbidden({ group: GROUP, resource: 'certificatesigningrequests' }, s.info.name, `user not permitted to approve requests with signerName ${JSON.stringify(signer)}`);
      }
    }
    await write(s);
  };
}
