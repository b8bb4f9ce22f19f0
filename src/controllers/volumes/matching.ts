// Static binding, as pure functions (after upstream's pkg/controller/volume/persistentvolume
// index.go findMatchingVolume): which Available PersistentVolume a claim may take.
// A volume matches when it has the claim's storageClassName ("" matches only ""), the claim's
// volumeMode, every access mode the claim asks for, capacity ≥ the claim's request, labels that
// satisfy the claim's selector, and (when a node is given, for WaitForFirstConsumer claims) node
// affinity that admits that node. Of the matches the smallest wins; a volume already pre-bound to
// this claim (claimRef naming it) wins over everything.
import type { KObject } from '../../registry/strategy.ts';
import { parseQuantity } from '../../registry/validation/quantity.ts';
import { fromLabelSelectorObject, matchLabels } from '../../api/selectors.ts';
import { matchNodeSelectorTerm } from '../../scheduler/filters.ts';
import type { NodeInfo } from '../../scheduler/nodeinfo.ts';

export const claimKey = (pvc: KObject) => `${pvc.metadata.namespace}/${pvc.metadata.name}`;

/** Bytes of a quantity, or NaN when it is not one. */
export function bytes(q: unknown): number {
  try { return parseQuantity(String(q)); } catch { return NaN; }
}

export const classOf = (o: KObject): string => o.spec?.storageClassName ?? '';

/** The claimRef names this claim (and, when the ref carries a uid, this very claim). */
export function refersTo(pv: KObject, pvc: KObject): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** The node's labels satisfy the volume's required node affinity (no affinity: any node). */
export function volumeFitsNode(pv: KObject, node: { name: string; labels: Record<string, string> }): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!Array.isArray(terms) || !terms.length) return true;
  return terms.some((t) => typeof t === 'object' && t !== null && matchNodeSelectorTerm(t, node as unknown as NodeInfo));
}

/** Why a volume named by a claim's spec.volumeName cannot serve it (upstream's checkVolumeSatisfyClaim), or undefined. */
export function volumeMismatch(pv: KObject, pvc: KObject): string | undefined {
  if (!(bytes(pv.spec?.capacity?.storage) >= bytes(pvc.spec?.resources?.requests?.storage))) return 'requested PV is too small';
  if (classOf(pv) !== classOf(pvc)) return 'storageClassName does not match';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!((pvc.spec?.accessModes ?? []) as string[]).every((m) => modes.includes(m))) return 'incompatible accessMode';
  return undefined;
}

export function volumeMatches(pv: KObject, pvc: KObject, node?: { name: string; labels: Record<string, string> }): boolean {
  if (pv.metadata.deletionTimestamp) return false;
  if (classOf(pv) !== classOf(pvc)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!((pvc.spec?.accessModes ?? []) as string[]).every((m) => modes.includes(m))) return false;
  const want = bytes(pvc.spec?.resources?.requests?.storage), have = bytes(pv.spec?.capacity?.storage);
  if (!(have >= want)) return false;
  if (pvc.spec?.selector) {
    const sel = fromLabelSelectorObject(pvc.spec.selector);
    if (!sel || !matchLabels(sel, pv.metadata.labels)) return false;
  }
  if (node && !volumeFitsNode(pv, node)) return false;
  return true;
}

/** The volume this claim should bind to, if any. */
export function findMatchingVolume(pvc: KObject, pvs: KObject[], node?: { name: string; labels: Record<string, string> }): KObject | undefined {
  let best: KObject | undefined;
  for (const pv of pvs) {
    const ref = pv.spec?.claimRef;
    if (ref) {
      if (refersTo(pv, pvc) && volumeMatches(pv, pvc, node)) return pv;
      continue;
    }
    if ((pv.status?.phase ?? 'Pending') !== 'Available' && pv.status?.phase !== 'Pending') continue;
    if (!volumeMatches(pv, pvc, node)) continue;
    if (!best || bytes(pv.spec.capacity.storage) < bytes(best.spec.capacity.storage)) best = pv;
  }
  return best;
}
