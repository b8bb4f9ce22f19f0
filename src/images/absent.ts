// Images that do not exist: Skiff pulls nothing, so it cannot ask a registry; instead a reference
// that plainly names no image fails its pull as it would on a real node (ErrImagePull, then
// ImagePullBackOff). Upstream's e2e suite and many tutorials use such references to hold a rollout
// half-way ("webserver:404", "foo:non-existent", "gb-redisslave:nonexistent", the registry
// invalid.registry.k8s.io). The rule: a registry host under the reserved TLD .invalid (RFC 2606)
// or invalid.registry.k8s.io, or a tag that says the image is missing.
const ABSENT_TAGS = new Set(['404', 'nonexistent', 'non-existent', 'does-not-exist', 'doesnotexist', 'notexist', 'invalid']);

/** The registry host of a reference, when its first path segment is one (has a dot or a port, or is localhost). */
function registryHost(ref: string): string | undefined {
  const slash = ref.indexOf('/');
  if (slash < 0) return undefined;
  const first = ref.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost' ? first.replace(/:\d+$/, '').toLowerCase() : undefined;
}

/** The tag of a reference (after the last ':' of its last path segment, before any digest). */
function tagOf(ref: string): string | undefined {
  const noDigest = ref.split('@')[0];
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 ? undefined : last.slice(colon + 1);
}

/** Answers by reference: a pod's images are asked about on every change of the pod (a few distinct ones). */
const answered = new Map<string, boolean>();
const MAX_ANSWERED = 1024;

export function absentImage(image: unknown): boolean {
  if (typeof image !== 'string' || !image) return false;
  let a = answered.get(image);
  if (a === undefined) {
    if (answered.size >= MAX_ANSWERED) answered.clear();
    answered.set(image, a = isAbsent(image));
  }
  return a;
}

function isAbsent(image: string): boolean {
  const host = registryHost(image);
  if (host && (host === 'invalid' || host.endsWith('.invalid') || host === 'invalid.registry.k8s.io')) return true;
  const tag = tagOf(image);
  return tag !== undefined && ABSENT_TAGS.has(tag.toLowerCase());
}

/** Whether any container (init, regular) of the pod names an absent image. */
export function podHasAbsentImage(pod: { spec?: any; metadata?: unknown }): boolean {
  for (const list of [pod.spec?.initContainers, pod.spec?.containers]) {
    if (Array.isArray(list)) for (const c of list) if (absentImage(c?.image)) return true;
  }
  return false;
}
