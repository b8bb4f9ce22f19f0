// The StatefulSet's ControllerRevisions (after upstream's getStatefulSetRevisions and
// truncateHistory): the update revision is the one whose data equals the live template's patch —
// the newest revision when the template is unchanged, an older one renumbered to the next revision
// when the template went back to it, otherwise a new `<set>-<hash>` (the hash is
// HashControllerRevision of the data with the collision count as probe; a name taken by different
// data bumps the count). The current revision is the one named by status.currentRevision.
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Informer } from './runtime.ts';
import { claimRevisions, CR_HASH_LABEL, createRevision, deleteRevisions, hashRevision, newRevision, renumberRevision, revisionData, revisionName, revisionOf, templatePatch } from './history.ts';

export const REVISION_HASH = 'controller-revision-hash';

export interface SetRevisions { all: KObject[]; current: KObject; update: KObject; collisionCount: number }

export async function statefulSetRevisions(store: Store, revisions: Informer, sts: KObject): Promise<SetRevisions> {
  const all = await claimRevisions(store, revisions, sts);
  let collisionCount: number = sts.status?.collisionCount ?? 0;
  const data = templatePatch(sts);
  const last = all[all.length - 1];
  const equal = all.filter((r) => revisionData(r) === data);
  let update: KObject;
  if (equal.length && equal[equal.length - 1] === last) update = last;
  else if (equal.length) update = await renumberRevision(store, equal[equal.length - 1], (last ? revisionOf(last) : 0) + 1);
  else {
    for (;;) {
      const hash = hashRevision(data, collisionCount);
      const labels = { ...(sts.spec?.template?.metadata?.labels ?? {}), [CR_HASH_LABEL]: hash };
      const { rev, collided } = await createRevision(store, newRevision(sts, revisionName(sts.metadata.name!, hash), labels, data, (last ? revisionOf(last) : 0) + 1));
      if (!collided) { update = rev; break; }
      collisionCount++;
    }
  }
  const current = all.find((r) => r.metadata.name === sts.status?.currentRevision) ?? update;
  return { all, current, update, collisionCount };
}

/** Delete the oldest revisions beyond spec.revisionHistoryLimit that are neither current, update nor run by a pod. */
export async function truncateStatefulSetHistory(store: Store, sts: KObject, pods: KObject[], r: SetRevisions): Promise<void> {
  const live = new Set([r.current.metadata.name, r.update.metadata.name, ...pods.map((p) => p.metadata.labels?.[REVISION_HASH])]);
  const history = r.all.filter((x) => !live.has(x.metadata.name));
  const limit = sts.spec?.revisionHistoryLimit ?? 10;
  if (history.length > limit) await deleteRevisions(store, history.slice(0, history.length - limit));
}
