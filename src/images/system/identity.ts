// Who a container runs as, from its securityContext over the pod's over the image's USER
// (upstream's kubelet: container runAsUser/runAsGroup win over the pod's; without a group the
// user's primary group, 0 here), with the pod's supplementalGroups and fsGroup as extra groups.
import type { ProgramIO } from '../types.ts';
import { imageDefaults } from '../index.ts';

export interface Identity { uid: number; gid: number; groups: number[]; allowPrivilegeEscalation?: boolean; privileged: boolean }

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

export function containerSpec(io: ProgramIO): Record<string, any> {
  const spec = (io.pod as any)?.spec ?? {};
  return [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].find((c: any) => c?.name === io.container) ?? {};
}

export function identityOf(io: ProgramIO): Identity {
  const pod = (io.pod as any)?.spec?.securityContext ?? {};
  const c = containerSpec(io);
  const sc = c.securityContext ?? {};
  const uid = num(sc.runAsUser) ?? num(pod.runAsUser) ?? imageDefaults(String(c.image ?? ''))?.user ?? 0;
  const gid = num(sc.runAsGroup) ?? num(pod.runAsGroup) ?? 0;
  const groups = [gid];
  for (const g of [...(Array.isArray(pod.supplementalGroups) ? pod.supplementalGroups : []), pod.fsGroup]) if (num(g) !== undefined && !groups.includes(g)) groups.push(g);
  return { uid, gid, groups, allowPrivilegeEscalation: typeof sc.allowPrivilegeEscalation === 'boolean' ? sc.allowPrivilegeEscalation : undefined, privileged: sc.privileged === true };
}

const NAMES: Record<number, string> = { 0: 'root', 65534: 'nobody' };
export const userName = (id: number): string | undefined => NAMES[id];
