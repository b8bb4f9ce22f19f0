// The PodSecurity admission plugin (upstream's built-in plugin over k8s.io/pod-security-admission):
// pods are checked against their namespace's enforce level (403 `violates PodSecurity "…"`) and
// warn level (a Warning); workload resources (Deployments, Jobs, …) get the warning for their pod
// template; namespace label changes are validated (422) and a stricter enforce level warns about the
// existing pods that would violate it. Unlabelled namespaces are privileged (upstream's defaults;
// no exemptions). Skiff keeps no audit log, so the audit level is validated but records nothing.
import { errors } from '../../errors.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { findResource } from '../../registry/resources.ts';
import { Informer } from '../../controllers/runtime.ts';
import { warn } from '../../util/request-warnings.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import { evaluate, forbiddenDetail, forbiddenReason, LATEST_MINOR } from './checks.ts';
import { compareLevels, hasPolicyLabels, levelVersionString, policyOf, sameLevelVersion } from './policy.ts';
import type { LevelVersion } from './policy.ts';

const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);
/** Upstream's namespaceMaxPodsToCheck. */
const MAX_PODS_TO_CHECK = 3000;

/** Where a workload resource keeps its pod template. */
const TEMPLATES: Record<string, (o: KObject) => KObject | undefined> = {
  '/podtemplates': (o) => o.template,
  '/replicationcontrollers': (o) => o.spec?.template,
  'apps/replicasets': (o) => o.spec?.template,
  'apps/deployments': (o) => o.spec?.template,
  'apps/statefulsets': (o) => o.spec?.template,
  'apps/daemonsets': (o) => o.spec?.template,
  'batch/jobs': (o) => o.spec?.template,
  'batch/cronjobs': (o) => o.spec?.jobTemplate?.spec?.template,
};

const minorOf = (lv: LevelVersion) => lv.minor ?? LATEST_MINOR;
const check = (lv: LevelVersion, meta: KObject['metadata'] | undefined, spec: unknown) =>
  evaluate(lv.level, minorOf(lv), meta ?? {}, spec && typeof spec === 'object' ? spec as Record<string, any> : {});

function significantPodUpdate(pod: KObject, old: KObject): boolean {
  const list = (o: KObject, f: string) => (Array.isArray(o.spec?.[f]) ? o.spec[f] : []);
  for (const f of ['containers', 'initContainers']) {
    const a = list(pod, f), b = list(old, f);
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) if (a[i]?.image !== b[i]?.image) return true;
  }
  for (const c of list(pod, 'ephemeralContainers')) {
    const prev = list(old, 'ephemeralContainers').find((x: any) => x?.name === c?.name);
    if (!prev || prev.image !== c?.image) return true;
  }
  return false;
}

export function podSecurityPlugin(deps: { store: Store }): AdmissionPlugin {
  const { store } = deps;
  const nsR = findResource('', 'v1', 'namespaces')!;
  const podsR = findResource('', 'v1', 'pods')!;
  let informer: Informer | undefined;
  let started: Promise<void> | undefined;
  const labelsOf = async (ns: string): Promise<Record<string, string> | undefined> => {
    if (!informer) { informer = new Informer(store, nsR); started = informer.start(); }
    await started;
    return informer.get(ns)?.metadata.labels;
  };
  const nameOf = (a: AdmissionAttributes) => a.name || a.object?.metadata.name || '';

  async function validatePod(a: AdmissionAttributes): Promise<void> {
    if (IGNORED_POD_SUBRESOURCES.has(a.subresource) || !a.object) return;
    const labels = await labelsOf(a.namespace);
    if (!hasPolicyLabels(labels)) return;
    const { policy } = policyOf(labels);
    if (policy.enforce.level === 'privileged' && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return;
    if (a.operation === 'UPDATE' && a.oldObject && !significantPodUpdate(a.object, a.oldObject)) return;
    const enforced = check(policy.enforce, a.object.metadata, a.object.spec);
    if (enforced.length) {
      throw errors.admissionForbidden({ group: '', resource: 'pods' }, nameOf(a), `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(enforced)}`);
    }
    warnFor(policy.warn, a.object.metadata, a.object.spec);
  }

  function warnFor(lv: LevelVersion, meta: KObject['metadata'] | undefined, spec: unknown): void {
    if (lv.level === 'privileged') return;
    const vs = check(lv, meta, spec);
    if (vs.length) warn(`would violate PodSecurity "${levelVersionString(lv)}": ${forbiddenDetail(vs)}`);
  }

  async function validateWorkload(a: AdmissionAttributes, template: (o: KObject) => KObject | undefined): Promise<void> {
    if (a.subresource || !a.object) return;
    const labels = await labelsOf(a.namespace);
    if (!hasPolicyLabels(labels)) return;
    const { policy } = policyOf(labels);
    const t = template(a.object);
    if (!t) return;
    warnFor(policy.warn, t.metadata, t.spec);
  }

  async function validateNamespace(a: AdmissionAttributes): Promise<void> {
    if (a.subresource || !a.object) return;
    const labels = a.object.metadata.labels;
    const oldLabels = a.oldObject?.metadata.labels;
    if (!hasPolicyLabels(labels) && !hasPolicyLabels(oldLabels)) return;
    const next = policyOf(labels);
    if (a.operation === 'CREATE') {
      if (next.errors.length) throw errors.invalid('', 'Namespace', nameOf(a), next.errors);
      return;
    }
    const prev = policyOf(oldLabels);
    if (next.errors.length && (!prev.errors.length || JSON.stringify(prev.errors) !== JSON.stringify(next.errors))) {
      throw errors.invalid('', 'Namespace', nameOf(a), next.errors);
    }
    const ne = next.policy.enforce, oe = prev.policy.enforce;
    if (sameLevelVersion(ne, oe) || ne.level === 'privileged') return;
    if (ne.minor === oe.minor && compareLevels(ne.level, oe.level) < 1) return;
    for (const w of await existingPodWarnings(nameOf(a), ne)) warn(w);
  }

  /** upstream's EvaluatePodsInNamespace: one warning per distinct set of reasons, naming the first pod and how many others. */
  async function existingPodWarnings(ns: string, lv: LevelVersion): Promise<string[]> {
    const pods = (await store.list(podsR, ns)).items.map((e) => e.obj);
    const checked = pods.slice(0, MAX_PODS_TO_CHECK);
    const byReason = new Map<string, { name: string; count: number }>();
    for (const pod of checked) {
      const vs = check(lv, pod.metadata, pod.spec);
      if (!vs.length) continue;
      const reason = forbiddenReason(vs);
      const c = byReason.get(reason);
      if (!c) byReason.set(reason, { name: pod.metadata.name!, count: 1 });
      else { c.count++; if (pod.metadata.name! < c.name) c.name = pod.metadata.name!; }
    }
    const out: string[] = [];
    if (checked.length < pods.length) out.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${pods.length} existing pods`);
    if (byReason.size) out.push(`existing pods in namespace "${ns}" violate the new PodSecurity enforce level "${levelVersionString(lv)}"`);
    const decorated = [...byReason].map(([reason, c]) => {
      if (c.count === 1) return `${c.name}: ${reason}`;
      if (c.count === 2) return `${c.name} (and 1 other pod): ${reason}`;
      return `${c.name} (and ${c.count - 1} other pods): ${reason}`;
    }).sort();
    return [...out, ...decorated];
  }

  return {
    name: 'PodSecurity',
    applies(a) {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return false;
      const key = `${a.resource.group}/${a.resource.resource}`;
      return key === '/namespaces' || (!!a.namespace && (key === '/pods' || Object.hasOwn(TEMPLATES, key)));
    },
    async validate(a) {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const key = `${a.resource.group}/${a.resource.resource}`;
      if (key === '/namespaces') return validateNamespace(a);
      if (!a.namespace) return;
      if (key === '/pods') return validatePod(a);
      const template = TEMPLATES[key];
      if (template) return validateWorkload(a, template);
    },
  };
}
