// Upstream defaulting for PodSpec and PodTemplateSpec (k8s.io/kubernetes pkg/apis/core/v1/defaults.go):
// applied to Pods and to every workload's pod template.
import { arr, canonicalizeResourceList, def, isObj, sub } from './util.ts';
import { defaultPVCSpec } from './storage.ts';

export interface PodDefaultOptions {
  /** The Kind being decoded, for decode-error messages ("Deployment in version ..."). */
  kind: string;
  version: string;
}

/** imagePullPolicy from the image reference: `:latest` or no tag → Always, otherwise IfNotPresent. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const tag = colon > lastSlash ? image.slice(colon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: unknown): void {
  if (!isObj(h)) return;
  if (isObj(h.httpGet)) { def(h.httpGet, 'path', '/'); def(h.httpGet, 'scheme', 'HTTP'); }
  if (isObj(h.grpc)) def(h.grpc, 'service', '');
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  def(p, 'timeoutSeconds', 1);
  def(p, 'periodSeconds', 10);
  def(p, 'successThreshold', 1);
  def(p, 'failureThreshold', 3);
  defaultHandler(p);
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) def(ref, 'apiVersion', 'v1');
}

export function defaultContainer(c: Record<string, any>, o: PodDefaultOptions): void {
  if (!isObj(c)) return;
  def(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  def(c, 'terminationMessagePath', '/dev/termination-log');
  def(c, 'terminationMessagePolicy', 'File');
  for (const p of arr(c.ports)) if (isObj(p)) def(p, 'protocol', 'TCP');
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) { defaultHandler(c.lifecycle.postStart); defaultHandler(c.lifecycle.preStop); }
  for (const e of arr(c.env)) if (isObj(e) && isObj(e.valueFrom)) defaultFieldRef(e.valueFrom.fieldRef);
  if (isObj(c.resources)) {
    canonicalizeResourceList(c.resources.limits, o.kind, o.version);
    canonicalizeResourceList(c.resources.requests, o.kind, o.version);
  }
}

function defaultVolume(v: Record<string, any>): void {
  if (!isObj(v)) return;
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  if (isObj(v.secret)) def(v.secret, 'defaultMode', 420);
  if (isObj(v.configMap)) def(v.configMap, 'defaultMode', 420);
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate)) defaultPVCSpec(v.ephemeral.volumeClaimTemplate);
  if (isObj(v.downwardAPI)) {
    def(v.downwardAPI, 'defaultMode', 420);
    for (const it of arr(v.downwardAPI.items)) if (isObj(it)) defaultFieldRef(it.fieldRef);
  }
  if (isObj(v.projected)) {
    def(v.projected, 'defaultMode', 420);
    for (const s of arr(v.projected.sources)) {
      if (!isObj(s)) continue;
      if (isObj(s.serviceAccountToken)) def(s.serviceAccountToken, 'expirationSeconds', 3600);
      if (isObj(s.downwardAPI)) for (const it of arr(s.downwardAPI.items)) if (isObj(it)) defaultFieldRef(it.fieldRef);
    }
  }
  if (isObj(v.hostPath)) def(v.hostPath, 'type', '');
  if (isObj(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
    const holder = { sizeLimit: v.emptyDir.sizeLimit };
    canonicalizeResourceList(holder, 'Pod', 'v1');
    v.emptyDir.sizeLimit = holder.sizeLimit;
  }
}

/** SetDefaults_PodSpec and the container/volume defaults below it. Mutates spec. */
export function defaultPodSpec(spec: Record<string, any>, o: PodDefaultOptions): void {
  if (!isObj(spec)) return;
  def(spec, 'dnsPolicy', 'ClusterFirst');
  def(spec, 'restartPolicy', 'Always');
  def(spec, 'securityContext', {});
  def(spec, 'terminationGracePeriodSeconds', 30);
  def(spec, 'schedulerName', 'default-scheduler');
  for (const c of arr(spec.containers)) defaultContainer(c, o);
  for (const c of arr(spec.initContainers)) defaultContainer(c, o);
  for (const c of arr(spec.ephemeralContainers)) defaultContainer(c, o);
  for (const v of arr(spec.volumes)) defaultVolume(v);
  if (spec.hostNetwork === true) {
    // With host networking, a container port is also the host port.
    for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
      for (const p of arr(c?.ports)) if (isObj(p) && !p.hostPort && p.containerPort) p.hostPort = p.containerPort;
    }
  }
}

/** SetDefaults_Pod additions that apply to Pods only (not to templates). */
export function defaultPodOnly(spec: Record<string, any>): void {
  if (!isObj(spec)) return;
  def(spec, 'enableServiceLinks', true);
  // Requests default to limits for each resource that has a limit but no request.
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    if (!isObj(c) || !isObj(c.resources) || !isObj(c.resources.limits)) continue;
    const limits = c.resources.limits;
    if (Object.keys(limits).length === 0) continue;
    const req = sub(c.resources, 'requests');
    for (const [k, v] of Object.entries(limits)) def(req, k, v);
  }
}

/** Defaults for a PodTemplateSpec (workload templates): metadata stays, spec gets PodSpec defaults. */
export function defaultPodTemplate(tmpl: unknown, o: PodDefaultOptions): void {
  if (!isObj(tmpl)) return;
  if (isObj(tmpl.spec)) defaultPodSpec(tmpl.spec, o);
}
