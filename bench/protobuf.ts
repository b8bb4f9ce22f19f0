// Protobuf codec benchmark: `node bench/protobuf.ts` prints a table; `run()` returns the figures.
// For a realistic ~3 KB Pod (JSON size), measures ops/s of
//  - protobuf decode (decodeEnvelope) vs JSON.parse of the same object,
//  - protobuf encode (encodeEnvelope) vs JSON.stringify,
//  - a watch frame (encodeWatchEvent),
// and reports both body sizes.
import { fileURLToPath } from 'node:url';
import { decodeEnvelope, encodeEnvelope, encodeWatchEvent } from '../src/protobuf/index.ts';

const now = () => performance.now();
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

function pod3k(): Record<string, any> {
  const ts = '2026-01-02T03:04:05Z';
  const container = (i: number) => ({
    name: `app-${i}`, image: `registry.example.com/team/app-${i}:v1.2.${i}`, command: ['/bin/app'], args: ['--port=8080', '--log-level=info'],
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
    env: [{ name: 'MODE', value: 'production' }, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
    livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
  });
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-5d8f7c9b4-x2k9p', generateName: 'web-5d8f7c9b4-', namespace: 'default', uid: '6f1e4c1a-9f0b-4a51-8d0e-2c3b4a5d6e7f', resourceVersion: '123456', creationTimestamp: ts,
      labels: { app: 'web', 'pod-template-hash': '5d8f7c9b4', tier: 'frontend' }, annotations: { 'kubectl.kubernetes.io/restartedAt': ts },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', uid: '11111111-2222-3333-4444-555555555555', controller: true, blockOwnerDeletion: true }] },
    spec: {
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }], defaultMode: 420 } }],
      containers: [container(0)], restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', serviceAccount: 'default',
      nodeName: 'node-1', securityContext: {}, schedulerName: 'default-scheduler', priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running', hostIP: '10.0.0.4', podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }], startTime: ts, qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: ts })),
      containerStatuses: [0].map((i) => ({ name: `app-${i}`, state: { running: { startedAt: ts } }, lastState: {}, ready: true, restartCount: 0, image: `registry.example.com/team/app-${i}:v1.2.${i}`, imageID: `registry.example.com/team/app-${i}@sha256:0123456789abcdef`, containerID: `containerd://abcdef${i}`, started: true })),
    },
  };
}

/** Runs fn repeatedly for ~durationMs and returns ops/s (median of 5 rounds). */
function opsPerSec(fn: () => unknown, durationMs = 300): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < durationMs / 5) { for (let i = 0; i < 50; i++) fn(); n += 50; t = now(); }
    rounds.push(n / ((t - t0) / 1000));
  }
  rounds.sort((a, b) => a - b);
  return rounds[2];
}

export async function run(): Promise<Record<string, number | string>> {
  const pod = pod3k();
  const json = JSON.stringify(pod);
  const pb = encodeEnvelope(pod);
  let sink = 0;
  const out: Record<string, number | string> = {
    node: process.version,
    jsonBytes: json.length,
    protobufBytes: pb.length,
    protobufDecodeOpsPerSec: round(opsPerSec(() => { sink += decodeEnvelope(pb).object.spec.containers.length; })),
    jsonParseOpsPerSec: round(opsPerSec(() => { sink += JSON.parse(json).spec.containers.length; })),
    protobufEncodeOpsPerSec: round(opsPerSec(() => { sink += encodeEnvelope(pod).length; })),
    jsonStringifyOpsPerSec: round(opsPerSec(() => { sink += JSON.stringify(pod).length; })),
    protobufWatchFrameOpsPerSec: round(opsPerSec(() => { sink += encodeWatchEvent('MODIFIED', pod).length; })),
  };
  if (sink === -1) console.log(sink);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  console.log(`protobuf benchmark (node ${r.node}): Pod of ${r.jsonBytes} B JSON / ${r.protobufBytes} B protobuf`);
  const w = 28;
  console.log(`${'operation'.padEnd(w)} ${'ops/s'.padStart(10)}`);
  for (const [k, v] of Object.entries(r)) if (k.endsWith('OpsPerSec')) console.log(`${k.replace(/OpsPerSec$/, '').padEnd(w)} ${String(v).padStart(10)}`);
}
