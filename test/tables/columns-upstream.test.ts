// Server-side Table columns (name, type, format, wide) as upstream v1.32's printers define them
// (k8s.io/kubernetes pkg/printers/internalversion; roles, clusterroles and CRDs use the default
// convertor: Name and Created At). Descriptions are Skiff's own words and are not compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRINTERS } from '../../src/api/tables/index.ts';

const UPSTREAM: Record<string, string> = {
  '/pods': 'Name:string:name, Ready:string, Status:string, Restarts:string, Age:string, IP:string (wide), Node:string (wide), Nominated Node:string (wide), Readiness Gates:string (wide)',
  '/services': 'Name:string:name, Type:string, Cluster-IP:string, External-IP:string, Port(s):string, Age:string, Selector:string (wide)',
  '/nodes': 'Name:string:name, Status:string, Roles:string, Age:string, Version:string, Internal-IP:string (wide), External-IP:string (wide), OS-Image:string (wide), Kernel-Version:string (wide), Container-Runtime:string (wide)',
  '/namespaces': 'Name:string:name, Status:string, Age:string',
  '/configmaps': 'Name:string:name, Data:string, Age:string',
  '/secrets': 'Name:string:name, Type:string, Data:string, Age:string',
  '/serviceaccounts': 'Name:string:name, Secrets:string, Age:string',
  '/endpoints': 'Name:string:name, Endpoints:string, Age:string',
  '/events': 'Last Seen:string, Type:string, Reason:string, Object:string, Subobject:string (wide), Source:string (wide), Message:string, First Seen:string (wide), Count:string (wide), Name:string:name (wide)',
  '/replicationcontrollers': 'Name:string:name, Desired:integer, Current:integer, Ready:integer, Age:string, Containers:string (wide), Images:string (wide), Selector:string (wide)',
  '/persistentvolumeclaims': 'Name:string:name, Status:string, Volume:string, Capacity:string, Access Modes:string, StorageClass:string, VolumeAttributesClass:string, Age:string, VolumeMode:string (wide)',
  '/persistentvolumes': 'Name:string:name, Capacity:string, Access Modes:string, Reclaim Policy:string, Status:string, Claim:string, StorageClass:string, VolumeAttributesClass:string, Reason:string, Age:string, VolumeMode:string (wide)',
  'apps/deployments': 'Name:string:name, Ready:string, Up-to-date:string, Available:string, Age:string, Containers:string (wide), Images:string (wide), Selector:string (wide)',
  'apps/replicasets': 'Name:string:name, Desired:integer, Current:integer, Ready:integer, Age:string, Containers:string (wide), Images:string (wide), Selector:string (wide)',
  'apps/statefulsets': 'Name:string:name, Ready:string, Age:string, Containers:string (wide), Images:string (wide)',
  'apps/daemonsets': 'Name:string:name, Desired:integer, Current:integer, Ready:integer, Up-to-date:integer, Available:integer, Node Selector:string, Age:string, Containers:string (wide), Images:string (wide), Selector:string (wide)',
  'apps/controllerrevisions': 'Name:string:name, Controller:string, Revision:string, Age:string',
  'batch/jobs': 'Name:string:name, Status:string, Completions:string, Duration:string, Age:string, Containers:string (wide), Images:string (wide), Selector:string (wide)',
  'batch/cronjobs': 'Name:string:name, Schedule:string, Timezone:string, Suspend:boolean, Active:integer, Last Schedule:string, Age:string, Containers:string (wide), Images:string (wide), Selector:string (wide)',
  'coordination.k8s.io/leases': 'Name:string:name, Holder:string, Age:string',
  'networking.k8s.io/ingresses': 'Name:string:name, Class:string, Hosts:string, Address:string, Ports:string, Age:string',
  'autoscaling/horizontalpodautoscalers': 'Name:string:name, Reference:string, Targets:string, MinPods:string, MaxPods:string, Replicas:string, Age:string',
  'rbac.authorization.k8s.io/roles': 'Name:string:name, Created At:date',
  'rbac.authorization.k8s.io/clusterroles': 'Name:string:name, Created At:date',
  'rbac.authorization.k8s.io/rolebindings': 'Name:string:name, Role:string, Age:string, Users:string (wide), Groups:string (wide), ServiceAccounts:string (wide)',
  'rbac.authorization.k8s.io/clusterrolebindings': 'Name:string:name, Role:string, Age:string, Users:string (wide), Groups:string (wide), ServiceAccounts:string (wide)',
  'scheduling.k8s.io/priorityclasses': 'Name:string:name, Value:integer, Global-Default:boolean, Age:string, PreemptionPolicy:string',
  'storage.k8s.io/storageclasses': 'Name:string:name, Provisioner:string, ReclaimPolicy:string, VolumeBindingMode:string, AllowVolumeExpansion:string, Age:string',
  'policy/poddisruptionbudgets': 'Name:string:name, Min Available:string, Max Unavailable:string, Allowed Disruptions:integer, Age:string',
  'discovery.k8s.io/endpointslices': 'Name:string:name, AddressType:string, Ports:string, Endpoints:string, Age:string',
  'apiextensions.k8s.io/customresourcedefinitions': 'Name:string:name, Created At:date',
  'admissionregistration.k8s.io/validatingadmissionpolicies': 'Name:string:name, Validations:integer, ParamKind:string, Age:string',
  'admissionregistration.k8s.io/validatingadmissionpolicybindings': 'Name:string:name, PolicyName:string, ParamRef:string, Age:string',
  'certificates.k8s.io/certificatesigningrequests': 'Name:string:name, Age:string, SignerName:string, Requestor:string, RequestedDuration:string, Condition:string',
  'flowcontrol.apiserver.k8s.io/flowschemas': 'Name:string:name, PriorityLevel:string, MatchingPrecedence:string, DistinguisherMethod:string, Age:string, MissingPL:string',
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations': 'Name:string:name, Type:string, NominalConcurrencyShares:string, Queues:string, HandSize:string, QueueLengthLimit:string, Age:string',
};

test('every printer\'s columns have upstream\'s names, types, formats and priorities', () => {
  const mine: Record<string, string> = {};
  for (const [key, p] of PRINTERS) mine[key] = p.columns.map((c) => `${c.name}:${c.type}${c.format ? `:${c.format}` : ''}${c.priority ? ' (wide)' : ''}`).join(', ');
  assert.deepEqual(mine, UPSTREAM);
});
