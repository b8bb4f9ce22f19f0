// The Pod Security Standards as data: each check has an id, a level, and versioned rules (the
// rule in force from a minor version on), as upstream's k8s.io/pod-security-admission/policy
// registry. A rule looks at a pod's metadata and spec and returns undefined (allowed) or a reason
// and a detail worded as upstream's. Restricted includes baseline, minus the baseline checks a
// restricted one overrides; results come in upstream's order (baseline ids, then restricted ids, sorted).

type Obj = Record<string, any>;
export interface Violation { reason: string; detail: string }
type Rule = (meta: Obj, spec: Obj) => Violation | undefined;
export type Level = 'privileged' | 'baseline' | 'restricted';

interface Check { id: string; level: 'baseline' | 'restricted'; versions: { min: number; rule: Rule; overrides?: string[] }[] }

/** The newest minor version whose rules Skiff knows (what `latest` means: Kubernetes 1.32). */
export const LATEST_MINOR = 32;

const plural = (one: string, many: string, n: number) => (n === 1 ? one : many);
const quote = (items: string[]) => (items.length ? `"${items.join('", "')}"` : '');
const sorted = (s: Set<string>) => [...s].sort();

/** Init containers, containers, then ephemeral containers (upstream's visitContainers). */
function containers(spec: Obj): Obj[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((c) => c && typeof c === 'object') : []);
  return [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
}
const sc = (c: Obj): Obj | undefined => (c.securityContext && typeof c.securityContext === 'object' ? c.securityContext : undefined);
const podSc = (spec: Obj): Obj | undefined => (spec.securityContext && typeof spec.securityContext === 'object' ? spec.securityContext : undefined);
const isWindows = (spec: Obj) => spec.os?.name === 'windows';
const containerSetters = (names: string[]) => (names.length ? [`${plural('container', 'containers', names.length)} ${quote(names)}`] : []);

function badContainers(spec: Obj, bad: (c: Obj) => boolean): string[] {
  return containers(spec).filter(bad).map((c) => String(c.name ?? ''));
}

const privileged: Rule = (_m, spec) => {
  const bad = badContainers(spec, (c) => sc(c)?.privileged === true);
  return bad.length ? { reason: 'privileged', detail: `${plural('container', 'containers', bad.length)} ${quote(bad)} must not set securityContext.privileged=true` } : undefined;
};

const hostNamespaces: Rule = (_m, spec) => {
  const on = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter(Boolean) as string[];
  return on.length ? { reason: 'host namespaces', detail: on.join(', ') } : undefined;
};

const hostPathVolumes: Rule = (_m, spec) => {
  const bad = (Array.isArray(spec.volumes) ? spec.volumes : []).filter((v: Obj) => v?.hostPath != null).map((v: Obj) => String(v.name ?? ''));
  return bad.length ? { reason: 'hostPath volumes', detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad)}` } : undefined;
};

const hostPorts: Rule = (_m, spec) => {
  const ports = new Set<string>();
  const bad = badContainers(spec, (c) => {
    let found = false;
    for (const p of Array.isArray(c.ports) ? c.ports : []) if (p?.hostPort) { found = true; ports.add(String(p.hostPort)); }
    return found;
  });
  if (!bad.length) return undefined;
  return { reason: 'hostPort', detail: `${plural('container', 'containers', bad.length)} ${quote(bad)} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', ports.size)} ${sorted(ports).join(', ')}` };
};

const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const capsAdded = (c: Obj): string[] => (Array.isArray(sc(c)?.capabilities?.add) ? sc(c)!.capabilities.add.map(String) : []);

const capabilitiesBaseline: Rule = (_m, spec) => {
  const caps = new Set<string>();
  const bad = badContainers(spec, (c) => {
    const extra = capsAdded(c).filter((x) => !BASELINE_CAPS.has(x));
    for (const x of extra) caps.add(x);
    return extra.length > 0;
  });
  return bad.length ? { reason: 'non-default capabilities', detail: `${plural('container', 'containers', bad.length)} ${quote(bad)} must not include ${quote(sorted(caps))} in securityContext.capabilities.add` } : undefined;
};

const capabilitiesRestricted: Rule = (_m, spec) => {
  if (isWindows(spec)) return undefined;
  const missingDrop: string[] = [], adding: string[] = [];
  const caps = new Set<string>();
  for (const c of containers(spec)) {
    const name = String(c.name ?? '');
    const capObj = sc(c)?.capabilities;
    if (!capObj) { missingDrop.push(name); continue; }
    if (!(Array.isArray(capObj.drop) && capObj.drop.includes('ALL'))) missingDrop.push(name);
    const extra = capsAdded(c).filter((x) => x !== 'NET_BIND_SERVICE');
    for (const x of extra) caps.add(x);
    if (extra.length) adding.push(name);
  }
  const details: string[] = [];
  if (missingDrop.length) details.push(`${plural('container', 'containers', missingDrop.length)} ${quote(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length) details.push(`${plural('container', 'containers', adding.length)} ${quote(adding)} must not include ${quote(sorted(caps))} in securityContext.capabilities.add`);
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
};

const procMount: Rule = (_m, spec) => {
  const types = new Set<string>();
  const bad = badContainers(spec, (c) => {
    const pm = sc(c)?.procMount;
    if (pm == null || pm === 'Default') return false;
    types.add(String(pm));
    return true;
  });
  return bad.length ? { reason: 'procMount', detail: `${plural('container', 'containers', bad.length)} ${quote(bad)} must not set securityContext.procMount to ${quote(sorted(types))}` } : undefined;
};

function seLinux(allowed: Set<string>): Rule {
  return (_m, spec) => {
    const types = new Set<string>();
    let setUser = false, setRole = false;
    const valid = (o: Obj) => {
      let ok = true;
      const t = String(o.type ?? '');
      if (!allowed.has(t)) { ok = false; types.add(t); }
      if (o.user) { ok = false; setUser = true; }
      if (o.role) { ok = false; setRole = true; }
      return ok;
    };
    const setters: string[] = [];
    const pOpts = podSc(spec)?.seLinuxOptions;
    if (pOpts && typeof pOpts === 'object' && !valid(pOpts)) setters.push('pod');
    setters.push(...containerSetters(badContainers(spec, (c) => { const o = sc(c)?.seLinuxOptions; return !!o && typeof o === 'object' && !valid(o); })));
    if (!setters.length) return undefined;
    const data: string[] = [];
    if (types.size) data.push(`${plural('type', 'types', types.size)} ${quote(sorted(types))}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
    return { reason: 'seLinuxOptions', detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
  };
}

const validSeccomp = (t: unknown) => t === 'Localhost' || t === 'RuntimeDefault';

const seccompAnnotations: Rule = (meta, spec) => {
  const ann: Obj = meta.annotations ?? {};
  const okValue = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const bad = new Set<string>();
  const key = 'seccomp.security.alpha.kubernetes.io/pod';
  if (key in ann && !okValue(String(ann[key]))) bad.add(`${key}=${JSON.stringify(String(ann[key]))}`);
  for (const c of containers(spec)) {
    const k = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
    if (k in ann && !okValue(String(ann[k]))) bad.add(`${k}=${JSON.stringify(String(ann[k]))}`);
  }
  return bad.size ? { reason: 'seccompProfile', detail: `forbidden ${plural('annotation', 'annotations', bad.size)} ${sorted(bad).join(', ')}` } : undefined;
};

function seccomp(restricted: boolean): Rule {
  return (_m, spec) => {
    if (restricted && isWindows(spec)) return undefined;
    const values = new Set<string>();
    const setters: string[] = [];
    let podSet = false;
    const pProf = podSc(spec)?.seccompProfile;
    if (pProf && typeof pProf === 'object') {
      if (!validSeccomp(pProf.type)) { setters.push('pod'); values.add(String(pProf.type ?? '')); } else podSet = true;
    }
    const explicit: string[] = [], implicit: string[] = [];
    for (const c of containers(spec)) {
      const prof = sc(c)?.seccompProfile;
      if (prof && typeof prof === 'object') {
        if (!validSeccomp(prof.type)) { explicit.push(String(c.name ?? '')); values.add(String(prof.type ?? '')); }
      } else if (!podSet) implicit.push(String(c.name ?? ''));
    }
    setters.push(...containerSetters(explicit));
    if (setters.length) return { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${quote(sorted(values))}` };
    if (restricted && implicit.length) {
      return { reason: 'seccompProfile', detail: `pod or ${plural('container', 'containers', implicit.length)} ${quote(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
    }
    return undefined;
  };
}

const SYSCTLS_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctls(allowed: string[]): Rule {
  const ok = new Set(allowed);
  return (_m, spec) => {
    const list = Array.isArray(podSc(spec)?.sysctls) ? podSc(spec)!.sysctls : [];
    const bad = list.map((s: Obj) => String(s?.name ?? '')).filter((n: string) => !ok.has(n));
    return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
  };
}

const windowsHostProcess: Rule = (_m, spec) => {
  const setters: string[] = [];
  if (podSc(spec)?.windowsOptions?.hostProcess === true) setters.push('pod');
  setters.push(...containerSetters(badContainers(spec, (c) => sc(c)?.windowsOptions?.hostProcess === true)));
  return setters.length ? { reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
};

const appArmor: Rule = (meta, spec) => {
  const okType = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const values = new Set<string>();
  const setters: string[] = [];
  const p = podSc(spec)?.appArmorProfile;
  if (p && typeof p === 'object' && !okType(p.type)) { setters.push('pod'); values.add(String(p.type ?? '')); }
  setters.push(...containerSetters(badContainers(spec, (c) => {
    const prof = sc(c)?.appArmorProfile;
    if (!prof || typeof prof !== 'object' || okType(prof.type)) return false;
    values.add(String(prof.type ?? ''));
    return true;
  })));
  const anns: string[] = [];
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    const s = String(v);
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(s === '' || s === 'runtime/default' || s.startsWith('localhost/'))) anns.push(`${k}=${JSON.stringify(s)}`);
  }
  const valueList = sorted(values);
  if (anns.length) { valueList.push(...anns.sort()); setters.push(plural('annotation', 'annotations', anns.length)); }
  if (!setters.length) return undefined;
  return { reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', valueList.length), detail: `${setters.join(' and ')} must not set AppArmor profile type to ${quote(valueList)}` };
};

const allowPrivilegeEscalation: Rule = (_m, spec) => {
  if (isWindows(spec)) return undefined;
  const bad = badContainers(spec, (c) => sc(c)?.allowPrivilegeEscalation !== false);
  return bad.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${plural('container', 'containers', bad.length)} ${quote(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
};

const ALLOWED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const RESTRICTED_VOLUME_NAMES: Record<string, string> = {
  hostPath: 'hostPath', gcePersistentDisk: 'gcePersistentDisk', awsElasticBlockStore: 'awsElasticBlockStore', gitRepo: 'gitRepo',
  nfs: 'nfs', iscsi: 'iscsi', glusterfs: 'glusterfs', rbd: 'rbd', flexVolume: 'flexVolume', cinder: 'cinder', cephfs: 'cephfs',
  flocker: 'flocker', fc: 'fc', azureFile: 'azureFile', vsphereVolume: 'vsphereVolume', quobyte: 'quobyte', azureDisk: 'azureDisk',
  photonPersistentDisk: 'photonPersistentDisk', portworxVolume: 'portworxVolume', scaleIO: 'scaleIO', storageos: 'storageos',
};

const restrictedVolumes: Rule = (_m, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!v || typeof v !== 'object') continue;
    if (ALLOWED_VOLUME_SOURCES.some((k) => v[k] != null)) continue;
    bad.push(String(v.name ?? ''));
    types.add(Object.keys(RESTRICTED_VOLUME_NAMES).find((k) => v[k] != null) ?? 'unknown');
  }
  if (!bad.length) return undefined;
  return { reason: 'restricted volume types', detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad)} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', types.size)} ${quote(sorted(types))}` };
};

const runAsNonRoot: Rule = (_m, spec) => {
  const setters: string[] = [];
  let podNonRoot = false;
  const p = podSc(spec)?.runAsNonRoot;
  if (p === false) setters.push('pod'); else if (p === true) podNonRoot = true;
  const explicit: string[] = [], implicit: string[] = [];
  for (const c of containers(spec)) {
    const v = sc(c)?.runAsNonRoot;
    if (v === true || v === false) { if (v === false) explicit.push(String(c.name ?? '')); }
    else if (!podNonRoot) implicit.push(String(c.name ?? ''));
  }
  setters.push(...containerSetters(explicit));
  if (setters.length) return { reason: 'runAsNonRoot != true', detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  if (implicit.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${plural('container', 'containers', implicit.length)} ${quote(implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
};

const runAsUser: Rule = (_m, spec) => {
  const setters: string[] = [];
  if (podSc(spec)?.runAsUser === 0) setters.push('pod');
  setters.push(...containerSetters(badContainers(spec, (c) => sc(c)?.runAsUser === 0)));
  return setters.length ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` } : undefined;
};

const SELINUX_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_1_31 = new Set([...SELINUX_1_0, 'container_engine_t']);

const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ min: 0, rule: appArmor }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ min: 0, rule: capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ min: 0, rule: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ min: 0, rule: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ min: 0, rule: hostPorts }] },
  { id: 'privileged', level: 'baseline', versions: [{ min: 0, rule: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [{ min: 0, rule: procMount }] },
  { id: 'seLinuxOptions', level: 'baseline', versions: [{ min: 0, rule: seLinux(SELINUX_1_0) }, { min: 31, rule: seLinux(SELINUX_1_31) }] },
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [{ min: 0, rule: seccompAnnotations }, { min: 19, rule: seccomp(false) }] },
  { id: 'sysctls', level: 'baseline', versions: [{ min: 0, rule: sysctls(SYSCTLS_1_0) }, { min: 27, rule: sysctls(SYSCTLS_1_27) }, { min: 29, rule: sysctls(SYSCTLS_1_29) }, { min: 32, rule: sysctls(SYSCTLS_1_32) }] },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ min: 0, rule: windowsHostProcess }] },
  { id: 'allowPrivilegeEscalation', level: 'restricted', versions: [{ min: 8, rule: allowPrivilegeEscalation8 }, { min: 25, rule: allowPrivilegeEscalation }] },
  { id: 'capabilities_restricted', level: 'restricted', versions: [{ min: 22, rule: capabilitiesRestrictedAnyOs, overrides: ['capabilities_baseline'] }, { min: 25, rule: capabilitiesRestricted, overrides: ['capabilities_baseline'] }] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ min: 0, rule: restrictedVolumes, overrides: ['hostPathVolumes'] }] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [{ min: 0, rule: runAsNonRoot }] },
  { id: 'runAsUser', level: 'restricted', versions: [{ min: 23, rule: runAsUser }] },
  { id: 'seccompProfile_restricted', level: 'restricted', versions: [{ min: 19, rule: seccompRestrictedAnyOs, overrides: ['seccompProfile_baseline'] }, { min: 25, rule: seccomp(true), overrides: ['seccompProfile_baseline'] }] },
];

// Before 1.25 the restricted checks applied to Windows pods as well.
function allowPrivilegeEscalation8(m: Obj, s: Obj): Violation | undefined { return allowPrivilegeEscalation(m, { ...s, os: undefined }); }
function capabilitiesRestrictedAnyOs(m: Obj, s: Obj): Violation | undefined { return capabilitiesRestricted(m, { ...s, os: undefined }); }
function seccompRestrictedAnyOs(m: Obj, s: Obj): Violation | undefined { return seccomp(true)(m, { ...s, os: undefined }); }

/** The rules of a level at a minor version, in upstream's order. */
const cache = new Map<string, Rule[]>();
function rulesFor(level: Level, minor: number): Rule[] {
  const key = `${level}:${minor}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const at = (c: Check) => [...c.versions].reverse().find((v) => v.min <= minor);
  const active = CHECKS.map((c) => ({ c, v: at(c) })).filter((x) => x.v && (x.c.level === 'baseline' || level === 'restricted'));
  const overridden = new Set(level === 'restricted' ? active.flatMap((x) => (x.c.level === 'restricted' ? x.v!.overrides ?? [] : [])) : []);
  const rules = level === 'privileged' ? [] : active.filter((x) => !overridden.has(x.c.id)).map((x) => x.v!.rule);
  cache.set(key, rules);
  return rules;
}

/** Every violation of a pod (metadata + spec) at a level and version (minor; `latest` is LATEST_MINOR). */
export function evaluate(level: Level, minor: number, meta: Obj, spec: Obj): Violation[] {
  const out: Violation[] = [];
  for (const rule of rulesFor(level, Math.min(minor, LATEST_MINOR))) {
    const v = rule(meta ?? {}, spec ?? {});
    if (v) out.push(v);
  }
  return out;
}

/** upstream's AggregateCheckResult.ForbiddenDetail: `reason (detail), reason (detail)`. */
export function forbiddenDetail(vs: Violation[]): string {
  return vs.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}

/** upstream's ForbiddenReason: the reasons only. */
export function forbiddenReason(vs: Violation[]): string {
  return vs.map((v) => v.reason).join(', ');
}
