// The DaemonSet's ControllerRevisions (after upstream's pkg/controller/daemon/update.go): the
// revision matching the live template is the current one (created as `<ds>-<hash>` when missing,
// renumbered past the others when an old template comes back); its controller-revision-hash label
// is the value daemon pods carry. History beyond revisionHistoryLimit is removed oldest first,
// skipping revisions that pods still run.
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { errors } from '../errors.ts';
import type { Informer } from './runtime.ts';
import { podTemplateHash } from './hash.ts';
import { claimRevisions, createRevision, deleteRevisions, newRevision, renumberRevision, revisionData, revisionOf, templatePatch } from './history.ts';
import { ignoreNotFound, res } from './util.ts';

const dsR = res('apps', 'v1', 'daemonsets');
export const REVISION_HASH = 'controller-revision-hash';

export async function daemonSetHistory(store: Store, revisions: Informer, ds: KObject): Promise<{ cur: KObject; old: KObject[] }> {
  const data = templatePatch(ds);
  const all = await claimRevisions(store, revisions, ds);
  const matching = all.filter((r) => revisionData(r) === data);
  const old = all.filter((r) => revisionData(r) !== data);
  const next = old.reduce((m, r) => Math.max(m, revisionOf(r)), 0) + 1;
  if (matching.length) {
    const cur = matching[matching.length - 1];
    return { cur: revisionOf(cur) < next ? await renumberRevision(store, cur, next) : cur, old };
  }
  const collisions = ds.status?.collisionCount as number | undefined;
  const hash = podTemplateHash(ds.spec?.template, collisions);
  const labels = { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH]: hash };
  const { rev, collided } = await createRevision(store, newRevision(ds, `${ds.metadata.name}-${hash}`, labels, data, next));
  if (!collided) return { cur: rev, old };
  // Another template took the name: count the collision (a new hash next time) and retry.
  await store.guaranteedUpdate(dsR, ds.metadata.namespace, ds.metadata.name!, (cur) => {
    if (cur.metadata.uid === ds.metadata.uid && cur.status?.collisionCount === collisions) cur.status = { ...(cur.status ?? {}), collisionCount: (collisions ?? 0) + 1 };
    return cur;
  }, { subresource: 'status' }).catch(ignoreNotFound);
  throw errors.alreadyExists({ group: 'apps', resource: 'controllerrevisions' }, rev.metadata.name!);
}

/** Remove the oldest revisions beyond spec.revisionHistoryLimit that no pod (even a terminating one) runs. */
export async function cleanupDaemonSetHistory(store: Store, ds: KObject, old: KObject[], pods: KObject[]): Promise<void> {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set(pods.map((p) => p.metadata.labels?.[REVISION_HASH]).filter(Boolean));
  const doomed: KObject[] = [];
  for (const r of old) {
    if (toKill <= 0) break;
    if (live.has(r.metadata.labels?.[REVISION_HASH])) continue;
    doomed.push(r);
    toKill--;
  }
  await deleteRevisions(store, doomed);
}
