// Printers for the smaller API groups: coordination, networking, autoscaling, rbac, scheduling,
// storage, policy, discovery and apiextensions. Keys are `${group}/${resource}`.
import type { KObject } from '../../registry/strategy.ts';
import { AGE_COL, CREATED_AT_COL, NAME_COL, age, arr, col, humanDuration, int, joinMax, str } from './util.ts';
import type { Printer } from './util.ts';

const leases: Printer = {
  columns: [NAME_COL, col('Holder', 'string', 'Identity currently holding the lease.'), AGE_COL],
  row: (o, now) => [str(o.metadata.name), str(o.spec?.holderIdentity), age(o, now)],
};

function ingressAddress(o: KObject): string {
  return arr<{ ip?: string; hostname?: string }>(o.status?.loadBalancer?.ingress)
    .map((i) => str(i.ip) || str(i.hostname)).filter((s) => s !== '').join(',');
}

const ingresses: Printer = {
  columns: [
    NAME_COL,
    col('Class', 'string', 'Ingress class handling this ingress.'),
    col('Hosts', 'string', 'Host names routed by the rules.'),
    col('Address', 'string', 'Load balancer addresses.'),
    col('Ports', 'string', 'Ports served (443 is added when TLS is configured).'),
    AGE_COL,
  ],
  row(o, now) {
    const hosts = arr<{ host?: string }>(o.spec?.rules).map((r) => str(r.host)).filter((h) => h !== '');
    const ports = arr(o.spec?.tls).length > 0 ? '80, 443' : '80';
    return [
      str(o.metadata.name), str(o.spec?.ingressClassName) || '<none>', hosts.length ? joinMax(hosts, 3) : '*',
      ingressAddress(o), ports, age(o, now),
    ];
  },
};

function quantityPercent(target: any, current: any): string {
  if (target?.type === 'Utilization' || target?.averageUtilization !== undefined) {
    const cur = current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>';
    return `${cur}/${target.averageUtilization}%`;
  }
  const t = str(target?.averageValue ?? target?.value);
  const c = str(current?.averageValue ?? current?.value) || '<unknown>';
  return `${c}/${t}`;
}

/** Targets cell of an autoscaling/v2 HPA ("cpu: 40%/80%", "<none>" without metrics). */
export function hpaTargets(o: KObject): string {
  const metrics = arr<any>(o.spec?.metrics);
  const currents = arr<any>(o.status?.currentMetrics);
  if (metrics.length === 0) return '<none>';
  const parts = metrics.map((m, i) => {
    const cur = currents[i];
    switch (m.type) {
      case 'Resource':
        return `${str(m.resource?.name)}: ${quantityPercent(m.resource?.target, cur?.resource?.current)}`;
      case 'ContainerResource':
        return `${str(m.containerResource?.name)}: ${quantityPercent(m.containerResource?.target, cur?.containerResource?.current)}`;
      case 'Pods':
        return quantityPercent(m.pods?.target, cur?.pods?.current);
      case 'Object':
        return quantityPercent(m.object?.target, cur?.object?.current);
      case 'External':
        return quantityPercent(m.external?.target, cur?.external?.current);
      default:
        return '<unknown type>';
    }
  });
  return joinMax(parts, 3, parts.length, ', ');
}

const horizontalpodautoscalers: Printer = {
  columns: [
    NAME_COL,
    col('Reference', 'string', 'Workload being scaled, as Kind/name.'),
    col('Targets', 'string', 'Current and target metric values.'),
    col('MinPods', 'string', 'Lower bound on replicas.'),
    col('MaxPods', 'string', 'Upper bound on replicas.'),
    col('Replicas', 'string', 'Current number of replicas.'),
    AGE_COL,
  ],
  row(o, now) {
    const ref = o.spec?.scaleTargetRef ?? {};
    const min = o.spec?.minReplicas === undefined ? '<unset>' : String(o.spec.minReplicas);
    return [
      str(o.metadata.name), `${str(ref.kind)}/${str(ref.name)}`, hpaTargets(o), min, int(o.spec?.maxReplicas),
      int(o.status?.currentReplicas), age(o, now),
    ];
  },
};

const roles: Printer = { columns: [NAME_COL, CREATED_AT_COL], row: (o) => [str(o.metadata.name), o.metadata.creationTimestamp ?? null] };

const bindings: Printer = {
  columns: [
    NAME_COL,
    col('Role', 'string', 'Role or ClusterRole granted, as Kind/name.'),
    AGE_COL,
    col('Users', 'string', 'Users bound to the role.', { wide: true }),
    col('Groups', 'string', 'Groups bound to the role.', { wide: true }),
    col('ServiceAccounts', 'string', 'Service accounts bound to the role, as namespace:name.', { wide: true }),
  ],
  row(o, now) {
    const users: string[] = [];
    const groups: string[] = [];
    const sas: string[] = [];
    for (const s of arr<{ kind?: string; name?: string; namespace?: string }>(o.subjects)) {
      if (s.kind === 'User') users.push(str(s.name));
      else if (s.kind === 'Group') groups.push(str(s.name));
      else if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}:${str(s.name)}`);
    }
    return [
      str(o.metadata.name), `${str(o.roleRef?.kind)}/${str(o.roleRef?.name)}`, age(o, now),
      users.join(', '), groups.join(', '), sas.join(', '),
    ];
  },
};

const priorityclasses: Printer = {
  columns: [
    NAME_COL,
    col('Value', 'integer', 'Priority value given to pods of this class.'),
    col('Global-Default', 'boolean', 'Whether pods without a class get this one.'),
    AGE_COL,
    col('PreemptionPolicy', 'string', 'Whether pods of this class may preempt others.'),
  ],
  row: (o, now) => [str(o.metadata.name), int(o.value), o.globalDefault === true, age(o, now), str(o.preemptionPolicy) || 'PreemptLowerPriority'],
};

const storageclasses: Printer = {
  columns: [
    NAME_COL,
    col('Provisioner', 'string', 'Volume plugin that provisions volumes.'),
    col('ReclaimPolicy', 'string', 'Reclaim policy of provisioned volumes.'),
    col('VolumeBindingMode', 'string', 'When volumes are bound and provisioned.'),
    col('AllowVolumeExpansion', 'string', 'Whether claims may be resized.'),
    AGE_COL,
  ],
  row(o, now) {
    const ann = o.metadata.annotations ?? {};
    const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      str(o.metadata.name) + (isDefault ? ' (default)' : ''), str(o.provisioner), str(o.reclaimPolicy) || 'Delete',
      str(o.volumeBindingMode) || 'Immediate', o.allowVolumeExpansion === true ? 'true' : 'false', age(o, now),
    ];
  },
};

const intOrString = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

const poddisruptionbudgets: Printer = {
  columns: [
    NAME_COL,
    col('Min Available', 'string', 'Pods that must stay available during voluntary disruptions.'),
    col('Max Unavailable', 'string', 'Pods that may be unavailable during voluntary disruptions.'),
    col('Allowed Disruptions', 'integer', 'Disruptions currently allowed.'),
    AGE_COL,
  ],
  row: (o, now) => [str(o.metadata.name), intOrString(o.spec?.minAvailable), intOrString(o.spec?.maxUnavailable), int(o.status?.disruptionsAllowed), age(o, now)],
};

const endpointslices: Printer = {
  columns: [
    NAME_COL,
    col('AddressType', 'string', 'Address family of the endpoints.'),
    col('Ports', 'string', 'Ports exposed by the endpoints.'),
    col('Endpoints', 'string', 'Endpoint addresses (first three).'),
    AGE_COL,
  ],
  row(o, now) {
    const ports = arr<{ port?: number }>(o.ports).map((p) => (typeof p.port === 'number' ? String(p.port) : '<unset>'));
    const addrs = arr<{ addresses?: string[] }>(o.endpoints).flatMap((e) => arr<string>(e.addresses));
    return [
      str(o.metadata.name), str(o.addressType), ports.length ? joinMax(ports, 3) : '<unset>',
      addrs.length ? joinMax(addrs, 3) : '<unset>', age(o, now),
    ];
  },
};

/** The CONDITION column: Denied, Approved or Pending, then Failed and Issued when they apply. */
function csrCondition(o: KObject): string {
  const types = new Set(arr<{ type?: string }>(o.status?.conditions).map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (str(o.status?.certificate)) s += ',Issued';
  return s;
}

const certificatesigningrequests: Printer = {
  columns: [
    NAME_COL, AGE_COL,
    col('SignerName', 'string', 'Name of the signer asked to sign the certificate.'),
    col('Requestor', 'string', 'User who created the request.'),
    col('RequestedDuration', 'string', 'Lifetime asked for (expirationSeconds).'),
    col('Condition', 'string', 'Approval and issuance state.'),
  ],
  row: (o, now) => [
    str(o.metadata.name), age(o, now), str(o.spec?.signerName), str(o.spec?.username),
    typeof o.spec?.expirationSeconds === 'number' ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>', csrCondition(o),
  ],
};

const crds: Printer = { columns: [NAME_COL, CREATED_AT_COL], row: (o) => [str(o.metadata.name), o.metadata.creationTimestamp ?? null] };

export const otherPrinters: Record<string, Printer> = {
  'coordination.k8s.io/leases': leases,
  'networking.k8s.io/ingresses': ingresses,
  'autoscaling/horizontalpodautoscalers': horizontalpodautoscalers,
  'rbac.authorization.k8s.io/roles': roles,
  'rbac.authorization.k8s.io/clusterroles': roles,
  'rbac.authorization.k8s.io/rolebindings': bindings,
  'rbac.authorization.k8s.io/clusterrolebindings': bindings,
  'scheduling.k8s.io/priorityclasses': priorityclasses,
  'storage.k8s.io/storageclasses': storageclasses,
  'policy/poddisruptionbudgets': poddisruptionbudgets,
  'discovery.k8s.io/endpointslices': endpointslices,
  'apiextensions.k8s.io/customresourcedefinitions': crds,
  'certificates.k8s.io/certificatesigningrequests': certificatesigningrequests,
};
