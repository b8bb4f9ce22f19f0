// ControllerRevisions through kubectl: `rollout history` (all, and one revision's template) and
// `rollout undo` for DaemonSets and StatefulSets, which kubectl does client-side by listing the
// owner's ControllerRevisions by its selector and sending a revision's data as a strategic merge
// patch. The undone template rolls out, the old revision becomes the newest, and undoing to the
// live revision is skipped (kubectl compares the revision's bytes with its own patch).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext } from '../lib.ts';
import { check } from '../lib.ts';
import { ok } from './kubectl.ts';

interface Kind { short: string; resource: string; container: string; images: [string, string]; yaml: (ns: string) => string; podLabel: (rev: any) => string }

const dsKind: Kind = {
  short: 'ds', resource: 'daemonset.apps', container: 'agent', images: ['busybox:1.36', 'busybox:1.37'],
  yaml: (ns) => `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: rv, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: rv}}\n  template:\n    metadata: {labels: {app: rv}}\n    spec:\n      containers: [{name: agent, image: busybox:1.36}]\n`,
  // Daemon pods carry the revision's hash label.
  podLabel: (rev) => rev.metadata.labels['controller-revision-hash'],
};
const stsKind: Kind = {
  short: 'sts', resource: 'statefulset.apps', container: 'web', images: ['nginx:1.27', 'nginx:1.28'],
  yaml: (ns) => `apiVersion: v1\nkind: Service\nmetadata: {name: rv, namespace: ${ns}}\nspec: {clusterIP: None, selector: {app: rv}, ports: [{port: 80}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: rv, namespace: ${ns}}\nspec:\n  serviceName: rv\n  replicas: 2\n  selector: {matchLabels: {app: rv}}\n  template:\n    metadata: {labels: {app: rv}}\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n`,
  // StatefulSet pods carry the revision's name.
  podLabel: (rev) => rev.metadata.name,
};

async function getJson(ctx: CaseContext, args: string[]): Promise<any> {
  return JSON.parse(await ok(ctx, ['get', ...args, '-n', ctx.ns, '-o', 'json']));
}
const revisionLines = (out: string) => out.split('\n').map((l) => /^(\d+)\s/.exec(l)?.[1]).filter(Boolean).join(',');

function historyUndoCase(k: Kind): Case {
  return {
    behavior: `workloads.${k.short === 'ds' ? 'daemonset' : 'statefulset'}-history-undo`, name: `${k.short}-history-undo`, core: true,
    async run(ctx) {
      const ref = `${k.short}/rv`;
      const rollout = (...a: string[]) => ok(ctx, ['rollout', ...a, ref, '-n', ctx.ns], { timeoutMs: 60_000 });
      const p = join(ctx.tmp, 'rv.yaml');
      writeFileSync(p, k.yaml(ctx.ns));
      await ok(ctx, ['apply', '-f', p]);
      await rollout('status', '--timeout=45s');
      let hist = await rollout('history');
      check(hist.includes(`${k.resource}/rv`) && /REVISION\s+CHANGE-CAUSE/.test(hist) && revisionLines(hist) === '1', `rollout history: ${hist}`);

      // The owner's annotations are copied onto a new revision: its change-cause shows in the history.
      await ok(ctx, ['annotate', ref, '-n', ctx.ns, 'kubernetes.io/change-cause=second image']);
      await ok(ctx, ['set', 'image', ref, `${k.container}=${k.images[1]}`, '-n', ctx.ns]);
      await rollout('status', '--timeout=45s');
      hist = await rollout('history');
      check(revisionLines(hist) === '1,2' && /^1\s+<none>/m.test(hist) && /^2\s+second image/m.test(hist), `rollout history after set image: ${hist}`);
      const rev2 = await rollout('history', '--revision=2');
      check(rev2.includes('revision #2') && rev2.includes('Pod Template') && rev2.includes(k.images[1]) && !rev2.includes(k.images[0]), `rollout history --revision=2: ${rev2}`);
      const revs = (await getJson(ctx, ['controllerrevisions', '-l', 'app=rv'])).items.sort((a: any, b: any) => a.revision - b.revision);
      check(revs.length === 2 && revs.every((r: any) => /^rv-[a-z0-9]+$/.test(r.metadata.name) && r.metadata.ownerReferences?.[0]?.controller === true
        && r.data?.spec?.template?.$patch === 'replace'), `controllerrevisions: ${JSON.stringify(revs.map((r: any) => [r.metadata.name, r.revision, r.metadata.labels]))}`);

      const table = await ok(ctx, ['get', 'controllerrevisions', '-n', ctx.ns, '-l', 'app=rv']);
      check(/NAME\s+CONTROLLER\s+REVISION\s+AGE/.test(table) && revs.every((r: any) => new RegExp(`^${r.metadata.name}\\s+${k.resource.replace('.', '\\.')}/rv\\s+${r.revision}\\s`, 'm').test(table)), `kubectl get controllerrevisions: ${table}`);

      const undo = await rollout('undo');
      check(undo.includes(`${k.resource}/rv rolled back`), `rollout undo: ${undo}`);
      await rollout('status', '--timeout=45s');
      const obj = await getJson(ctx, [k.short, 'rv']);
      check(obj.spec.template.spec.containers[0].image === k.images[0], `template after undo: ${obj.spec.template.spec.containers[0].image}`);
      const pods = (await getJson(ctx, ['pods', '-l', 'app=rv'])).items.filter((x: any) => !x.metadata.deletionTimestamp);
      const want = k.podLabel(revs[0]);
      check(pods.length > 0 && pods.every((x: any) => x.spec.containers[0].image === k.images[0] && x.metadata.labels['controller-revision-hash'] === want),
        `pods after undo (want ${want}): ${JSON.stringify(pods.map((x: any) => [x.spec.containers[0].image, x.metadata.labels['controller-revision-hash']]))}`);
      if (k.short === 'sts') check(obj.status.currentRevision === revs[0].metadata.name && obj.status.updateRevision === revs[0].metadata.name, `status revisions: ${JSON.stringify(obj.status)}`);
      // Revision 1 came back as revision 3; undoing to it again is a no-op.
      hist = await rollout('history');
      check(revisionLines(hist) === '2,3', `rollout history after undo: ${hist}`);
      const again = await rollout('undo', '--to-revision=3');
      check(again.includes('skipped rollback (current template already matches revision 3)'), `rollout undo --to-revision=3: ${again}`);
    },
    timeoutMs: 150_000,
  };
}

export const revisionCases: Case[] = [historyUndoCase(dsKind), historyUndoCase(stsKind)];
