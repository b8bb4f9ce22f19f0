// Printers for the core ("") API group.
import type { KObject } from '../../registry/strategy.ts';
import {
  AGE_COL, NAME_COL, age, arr, col, containerCells, formatLabels, int, joinMax, orNone, parseTime, since, str,
  wideContainers, wideSelector,
} from './util.ts';
import type { Printer, RowCondition } from './util.ts';

// ---- pods ----

interface ContainerStatus {
  name?: string; ready?: boolean; started?: boolean; restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: object; terminated?: { reason?: string; exitCode?: number; signal?: number } };
  lastState?: { terminated?: { finishedAt?: string } };
}

function terminatedReason(t: { reason?: string; exitCode?: number; signal?: number }, prefix: string): string {
  if (t.reason) return prefix + t.reason;
  if (t.signal) return `${prefix}Signal:${t.signal}`;
  return `${prefix}ExitCode:${int(t.exitCode)}`;
}

/** Ready, Status, Restarts cells of a pod, following upstream's printPod rules. */
export function podSummary(pod: KObject, now: number): { ready: string; reason: string; restarts: string } {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs = arr<{ name?: string; restartPolicy?: string }>(spec.initContainers);
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let total = arr(spec.containers).length + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let reason = str(status.phase);
  if (status.reason) reason = str(status.reason);
  for (const c of arr<{ type?: string; reason?: string }>(status.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const finished = (cs: ContainerStatus): number => parseTime(cs.lastState?.terminated?.finishedAt) ?? 0;

  let initializing = false;
  const initStatuses = arr<ContainerStatus>(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += int(cs.restartCount);
    lastRestart = Math.max(lastRestart, finished(cs));
    const sidecar = sidecars.has(cs.name);
    if (sidecar) {
      sidecarRestarts += int(cs.restartCount);
      lastSidecarRestart = Math.max(lastSidecarRestart, finished(cs));
    }
    const st = cs.state ?? {};
    if (st.terminated && int(st.terminated.exitCode) === 0) continue;
    if (sidecar && cs.started) { if (cs.ready) ready++; continue; }
    if (st.terminated) reason = terminatedReason(st.terminated, 'Init:');
    else if (st.waiting?.reason && st.waiting.reason !== 'PodInitializing') reason = `Init:${st.waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  const initializedTrue = arr<{ type?: string; status?: string }>(status.conditions).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr<ContainerStatus>(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs.restartCount);
      lastRestart = Math.max(lastRestart, finished(cs));
      const st = cs.state ?? {};
      if (st.waiting?.reason) reason = st.waiting.reason;
      else if (st.terminated) reason = terminatedReason(st.terminated, '');
      else if (cs.ready && st.running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = arr<{ type?: string; status?: string }>(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartsText = `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)`;
  if (total < 0) total = 0;
  return { ready: `${ready}/${total}`, reason, restarts: restartsText };
}

const pods: Printer = {
  columns: [
    NAME_COL,
    col('Ready', 'string', 'Ready containers out of all containers in the pod.'),
    col('Status', 'string', 'Aggregated pod status: phase or the most relevant container reason.'),
    col('Restarts', 'string', 'Total container restarts, with the time since the latest one.'),
    AGE_COL,
    col('IP', 'string', 'Primary IP address assigned to the pod.', { wide: true }),
    col('Node', 'string', 'Node the pod is bound to.', { wide: true }),
    col('Nominated Node', 'string', 'Node nominated by the scheduler after preemption, if any.', { wide: true }),
    col('Readiness Gates', 'string', 'Readiness gates whose condition is True, out of all gates.', { wide: true }),
  ],
  row(pod, now) {
    const s = podSummary(pod, now);
    const status = pod.status ?? {};
    const gates = arr<{ conditionType?: string }>(pod.spec?.readinessGates);
    let gatesText = '<none>';
    if (gates.length > 0) {
      const conds = arr<{ type?: string; status?: string }>(status.conditions);
      const ok = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === 'True').length;
      gatesText = `${ok}/${gates.length}`;
    }
    const ip = str(arr<{ ip?: string }>(status.podIPs)[0]?.ip) || str(status.podIP);
    return [
      str(pod.metadata.name), s.ready, s.reason, s.restarts, age(pod, now),
      orNone(ip), orNone(str(pod.spec?.nodeName)), orNone(str(status.nominatedNodeName)), gatesText,
    ];
  },
  conditions(pod): RowCondition[] | undefined {
    const phase = pod.status?.phase;
    return phase === 'Succeeded' || phase === 'Failed' ? [{ type: 'Completed', status: 'True' }] : undefined;
  },
};

// ---- services ----

function portString(ports: unknown): string {
  return arr<{ port?: number; nodePort?: number; protocol?: string }>(ports).map((p) => {
    const proto = str(p.protocol) || 'TCP';
    return p.nodePort ? `${int(p.port)}:${p.nodePort}/${proto}` : `${int(p.port)}/${proto}`;
  }).join(',');
}

function loadBalancerIPs(svc: KObject): string[] {
  const out: string[] = [];
  for (const ing of arr<{ ip?: string; hostname?: string }>(svc.status?.loadBalancer?.ingress)) {
    if (ing.ip) out.push(ing.ip);
    else if (ing.hostname) out.push(ing.hostname);
  }
  return out;
}

export function serviceExternalIP(svc: KObject): string {
  const spec = svc.spec ?? {};
  const external = arr<string>(spec.externalIPs);
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc);
      if (external.length > 0) return [...lb, ...external].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

const services: Printer = {
  columns: [
    NAME_COL,
    col('Type', 'string', 'How the service is exposed (ClusterIP, NodePort, LoadBalancer, ExternalName).'),
    col('Cluster-IP', 'string', 'Virtual IP allocated inside the cluster, or None for headless services.'),
    col('External-IP', 'string', 'Addresses reachable from outside the cluster.'),
    col('Port(s)', 'string', 'Service ports with node ports and protocols.'),
    AGE_COL,
    col('Selector', 'string', 'Labels selecting the pods behind the service.', { wide: true }),
  ],
  row(svc, now) {
    const spec = svc.spec ?? {};
    const clusterIP = str(arr<string>(spec.clusterIPs)[0]) || str(spec.clusterIP) || '<none>';
    return [
      str(svc.metadata.name), str(spec.type ?? 'ClusterIP'), clusterIP, serviceExternalIP(svc),
      orNone(portString(spec.ports)), age(svc, now), formatLabels(spec.selector),
    ];
  },
};

// ---- nodes ----

export function nodeRoles(node: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: KObject, type: string): string {
  return str(arr<{ type?: string; address?: string }>(node.status?.addresses).find((a) => a.type === type)?.address) || '<none>';
}

const nodes: Printer = {
  columns: [
    NAME_COL,
    col('Status', 'string', 'Readiness of the node, plus SchedulingDisabled when cordoned.'),
    col('Roles', 'string', 'Roles taken from node-role labels.'),
    AGE_COL,
    col('Version', 'string', 'Kubelet version reported by the node.'),
    col('Internal-IP', 'string', 'First internal address of the node.', { wide: true }),
    col('External-IP', 'string', 'First external address of the node.', { wide: true }),
    col('OS-Image', 'string', 'Operating system image reported by the node.', { wide: true }),
    col('Kernel-Version', 'string', 'Kernel version reported by the node.', { wide: true }),
    col('Container-Runtime', 'string', 'Container runtime name and version.', { wide: true }),
  ],
  row(node, now) {
    const status: string[] = [];
    const readyCond = arr<{ type?: string; status?: string }>(node.status?.conditions).find((c) => c.type === 'Ready');
    if (readyCond) status.push(readyCond.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (node.spec?.unschedulable) status.push('SchedulingDisabled');
    const info = node.status?.nodeInfo ?? {};
    return [
      str(node.metadata.name), status.join(','), orNone(nodeRoles(node).join(',')), age(node, now), str(info.kubeletVersion),
      nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>', str(info.kernelVersion) || '<unknown>', str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

// ---- simple kinds ----

const namespaces: Printer = {
  columns: [NAME_COL, col('Status', 'string', 'Lifecycle phase of the namespace (Active or Terminating).'), AGE_COL],
  row: (o, now) => [str(o.metadata.name), str(o.status?.phase), age(o, now)],
};

const configmaps: Printer = {
  columns: [NAME_COL, col('Data', 'string', 'Number of keys in data and binaryData.'), AGE_COL],
  row: (o, now) => [str(o.metadata.name), Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)],
};

const secrets: Printer = {
  columns: [NAME_COL, col('Type', 'string', 'Kind of secret, used to validate its keys.'), col('Data', 'string', 'Number of keys in the secret.'), AGE_COL],
  row: (o, now) => [str(o.metadata.name), str(o.type), Object.keys(o.data ?? {}).length, age(o, now)],
};

const serviceaccounts: Printer = {
  columns: [NAME_COL, col('Secrets', 'string', 'Number of secrets listed on the service account.'), AGE_COL],
  row: (o, now) => [str(o.metadata.name), arr(o.secrets).length, age(o, now)],
};

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function formatEndpoints(ep: KObject): string {
  const subsets = arr<{ addresses?: { ip?: string }[]; ports?: { port?: number }[] }>(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = arr<{ ip?: string }>(ss.addresses);
    const ports = arr<{ port?: number }>(ss.ports);
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) list.push(str(a.ip));
    } else {
      for (const p of ports) {
        count += addrs.length;
        for (const a of addrs) list.push(hostPort(str(a.ip), int(p.port)));
      }
    }
  }
  const text = joinMax(list, 3, count);
  return text === '' ? '<none>' : text;
}

const endpoints: Printer = {
  columns: [NAME_COL, col('Endpoints', 'string', 'Ready addresses and ports (first three).'), AGE_COL],
  row: (o, now) => [str(o.metadata.name), formatEndpoints(o), age(o, now)],
};

// ---- events ----

function eventSource(o: KObject): string {
  const component = str(o.source?.component) || str(o.reportingComponent);
  const instance = str(o.source?.host) || str(o.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

const events: Printer = {
  columns: [
    col('Last Seen', 'string', 'Time since the event was last observed.'),
    col('Type', 'string', 'Normal or Warning.'),
    col('Reason', 'string', 'Short machine-readable reason for the event.'),
    col('Object', 'string', 'Object the event is about, as kind/name.'),
    col('Subobject', 'string', 'Field path inside the object, e.g. a container.', { wide: true }),
    col('Source', 'string', 'Component (and host) that reported the event.', { wide: true }),
    col('Message', 'string', 'Human-readable description of the event.'),
    col('First Seen', 'string', 'Time since the event was first observed.', { wide: true }),
    col('Count', 'string', 'How many times the event has occurred.', { wide: true }),
    col('Name', 'string', 'Name of the event object.', { wide: true, format: 'name' }),
  ],
  row(o, now) {
    let first = since(o.firstTimestamp, now);
    if (parseTime(o.firstTimestamp) === undefined) first = since(o.eventTime, now);
    let last = since(o.lastTimestamp, now);
    if (parseTime(o.lastTimestamp) === undefined) last = first;
    let count = int(o.count);
    if (o.series && typeof o.series === 'object') {
      last = since(o.series.lastObservedTime, now);
      count = int(o.series.count);
    } else if (count === 0) {
      count = 1;
    }
    const io = o.involvedObject ?? {};
    const kind = str(io.kind).toLowerCase();
    const target = io.name ? `${kind}/${io.name}` : kind;
    return [
      last, str(o.type), str(o.reason), target, str(io.fieldPath), eventSource(o), str(o.message).trim(),
      first, count, str(o.metadata.name),
    ];
  },
};

// ---- replication controllers ----

const replicationcontrollers: Printer = {
  columns: [
    NAME_COL,
    col('Desired', 'integer', 'Requested number of replicas.'),
    col('Current', 'integer', 'Number of replicas observed.'),
    col('Ready', 'integer', 'Number of ready replicas.'),
    AGE_COL,
    ...wideContainers(),
    wideSelector(),
  ],
  row(o, now) {
    return [
      str(o.metadata.name), int(o.spec?.replicas ?? 1), int(o.status?.replicas), int(o.status?.readyReplicas), age(o, now),
      ...containerCells(o.spec?.template?.spec?.containers), formatLabels(o.spec?.selector),
    ];
  },
};

// ---- storage ----

const MODE_ABBREV: [string, string][] = [
  ['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP'],
];
export function accessModes(modes: unknown): string {
  const have = new Set(arr<string>(modes));
  return MODE_ABBREV.filter(([m]) => have.has(m)).map(([, a]) => a).join(',');
}

function storageClassOf(o: KObject): string {
  const ann = o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return str(ann ?? o.spec?.storageClassName);
}

const terminating = (o: KObject, phase: string): string => (o.metadata.deletionTimestamp ? 'Terminating' : phase);

const persistentvolumeclaims: Printer = {
  columns: [
    NAME_COL,
    col('Status', 'string', 'Binding phase of the claim.'),
    col('Volume', 'string', 'Name of the bound persistent volume.'),
    col('Capacity', 'string', 'Storage capacity of the bound volume.'),
    col('Access Modes', 'string', 'Access modes of the bound volume.'),
    col('StorageClass', 'string', 'Storage class requested by the claim.'),
    col('VolumeAttributesClass', 'string', 'Volume attributes class requested by the claim.'),
    AGE_COL,
    col('VolumeMode', 'string', 'Filesystem or Block.', { wide: true }),
  ],
  row(o, now) {
    const volume = str(o.spec?.volumeName);
    const bound = volume !== '';
    return [
      str(o.metadata.name), terminating(o, str(o.status?.phase)), volume,
      bound ? str(o.status?.capacity?.storage) : '', bound ? accessModes(o.status?.accessModes) : '',
      storageClassOf(o), str(o.spec?.volumeAttributesClassName) || '<unset>', age(o, now),
      str(o.spec?.volumeMode) || '<unset>',
    ];
  },
};

const persistentvolumes: Printer = {
  columns: [
    NAME_COL,
    col('Capacity', 'string', 'Storage capacity of the volume.'),
    col('Access Modes', 'string', 'Ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'What happens to the volume once released.'),
    col('Status', 'string', 'Lifecycle phase of the volume.'),
    col('Claim', 'string', 'Claim bound to the volume, as namespace/name.'),
    col('StorageClass', 'string', 'Storage class of the volume.'),
    col('VolumeAttributesClass', 'string', 'Volume attributes class of the volume.'),
    col('Reason', 'string', 'Why the volume is in its current phase.'),
    AGE_COL,
    col('VolumeMode', 'string', 'Filesystem or Block.', { wide: true }),
  ],
  row(o, now) {
    const ref = o.spec?.claimRef;
    const claim = ref ? `${str(ref.namespace)}/${str(ref.name)}` : '';
    return [
      str(o.metadata.name), str(o.spec?.capacity?.storage), accessModes(o.spec?.accessModes),
      str(o.spec?.persistentVolumeReclaimPolicy), terminating(o, str(o.status?.phase)), claim, storageClassOf(o),
      str(o.spec?.volumeAttributesClassName) || '<unset>', str(o.status?.reason), age(o, now),
      str(o.spec?.volumeMode) || '<unset>',
    ];
  },
};

export const corePrinters: Record<string, Printer> = {
  pods, services, nodes, namespaces, configmaps, secrets, serviceaccounts, endpoints, events,
  replicationcontrollers, persistentvolumeclaims, persistentvolumes,
};
