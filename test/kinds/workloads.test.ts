import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, update } from './helpers.ts';
import { nextActivation, parseCron } from '../../src/registry/kinds/cron.ts';

const tmpl = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, any> = {}) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec } });
const deploy = (spec: Record<string, any>) => ({ metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: tmpl(), ...spec } });

test('deployment defaults (golden)', () => {
  const { obj, errors } = create('apps', 'Deployment', deploy({}));
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, {
    selector: { matchLabels: { app: 'web' } },
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'c', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
        dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', securityContext: {}, terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler',
      },
    },
  });
});

test('deployment validation and selector immutability', () => {
  assert.deepEqual(create('apps', 'Deployment', deploy({ template: tmpl({ app: 'other' }) })).errors,
    ['spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`']);
  assert.deepEqual(create('apps', 'Deployment', deploy({ selector: undefined })).errors, ['spec.selector: Required value']);
  assert.deepEqual(create('apps', 'Deployment', deploy({ replicas: -1 })).errors, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(create('apps', 'Deployment', deploy({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } })).errors,
    ['spec.template.spec.containers[0].image: Required value']);
  assert.deepEqual(create('apps', 'Deployment', deploy({ template: tmpl({ app: 'web' }, { restartPolicy: 'Never' }) })).errors,
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  assert.deepEqual(create('apps', 'Deployment', deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } })).errors,
    ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  assert.deepEqual(create('apps', 'Deployment', deploy({ strategy: { type: 'Recreate', rollingUpdate: {} } })).errors,
    ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
  const old = create('apps', 'Deployment', deploy({})).obj;
  const scaled = structuredClone(old); scaled.spec.replicas = 3;
  assert.deepEqual(update('apps', 'Deployment', scaled, old).errors, []);
  const resel = structuredClone(old); resel.spec.selector = { matchLabels: { app: 'web', v: '2' } }; resel.spec.template.metadata.labels.v = '2';
  assert.deepEqual(update('apps', 'Deployment', resel, old).errors, ['spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable']);
  // A PUT without the defaulted fields defaults to the same object (no spurious change).
  assert.deepEqual(update('apps', 'Deployment', deploy({}), old).obj.spec, old.spec);
});

test('statefulset and daemonset defaults; statefulset update rules', () => {
  const sts = create('apps', 'StatefulSet', { metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'web' } }, template: tmpl(),
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } } }] } });
  assert.deepEqual(sts.errors, []);
  const s = sts.obj.spec;
  assert.equal(s.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(s.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.replicas, 1);
  assert.equal(s.revisionHistoryLimit, 10);
  assert.deepEqual(s.volumeClaimTemplates[0], { metadata: { name: 'data' }, apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  const changed = structuredClone(sts.obj); changed.spec.serviceName = 'other';
  assert.deepEqual(update('apps', 'StatefulSet', changed, sts.obj).errors,
    ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]);
  const ds = create('apps', 'DaemonSet', { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'web' } }, template: tmpl() } });
  assert.deepEqual(ds.errors, []);
  assert.deepEqual(ds.obj.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.obj.spec.revisionHistoryLimit, 10);
  assert.equal(ds.obj.spec.replicas, undefined);
});

test('replicaset and replicationcontroller', () => {
  const rs = create('apps', 'ReplicaSet', { metadata: { name: 'r' }, spec: { selector: { matchLabels: { app: 'web' } }, template: tmpl() } });
  assert.deepEqual(rs.errors, []);
  assert.equal(rs.obj.spec.replicas, 1);
  const rc = create('', 'ReplicationController', { metadata: { name: 'r' }, spec: { template: tmpl({ app: 'x' }) } });
  assert.deepEqual(rc.errors, []);
  assert.deepEqual(rc.obj.spec.selector, { app: 'x' });
  assert.deepEqual(rc.obj.metadata.labels, { app: 'x' });
});

test('job: defaults, generated selector and labels, restartPolicy rule', () => {
  const { obj, errors } = create('batch', 'Job', { metadata: { name: 'pi' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } }, { uid: 'u-1' });
  assert.deepEqual(errors, []);
  const s = obj.spec;
  assert.equal(s.completions, 1); assert.equal(s.parallelism, 1); assert.equal(s.backoffLimit, 6);
  assert.equal(s.completionMode, 'NonIndexed'); assert.equal(s.suspend, false); assert.equal(s.manualSelector, false);
  assert.equal(s.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  const want = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' };
  assert.deepEqual(s.template.metadata.labels, want);
  assert.deepEqual(obj.metadata.labels, want);
  assert.equal(s.template.spec.containers[0].imagePullPolicy, 'Always');
  const noPolicy = create('batch', 'Job', { metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } });
  assert.deepEqual(noPolicy.errors, ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  const foreign = create('batch', 'Job', { metadata: { name: 'x' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } });
  assert.deepEqual(foreign.errors, ['spec.selector: Invalid value: {"matchLabels":{"a":"b","batch.kubernetes.io/controller-uid":"uid-1"}}: `selector` not auto-generated']);
  const manual = create('batch', 'Job', { metadata: { name: 'x' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } });
  assert.deepEqual(manual.errors, ['spec.template.metadata.labels: Invalid value: {"a":"c"}: `selector` does not match template `labels`']);
  const tchange = structuredClone(obj); tchange.spec.template.spec.containers[0].image = 'perl:2';
  assert.ok(update('batch', 'Job', tchange, obj).errors.some((e) => e.startsWith('spec.template: Invalid value:') && e.endsWith('field is immutable')));
});

test('cronjob: defaults and schedule validation', () => {
  const cj = (schedule: string, name = 'hello') => create('batch', 'CronJob', { metadata: { name }, spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } } });
  const ok = cj('*/5 * * * *');
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.obj.spec.concurrencyPolicy, 'Allow');
  assert.equal(ok.obj.spec.suspend, false);
  assert.equal(ok.obj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(ok.obj.spec.failedJobsHistoryLimit, 1);
  assert.equal(ok.obj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(ok.obj.spec.jobTemplate.spec.backoffLimit, undefined);
  assert.deepEqual(cj('bad').errors, ['spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]']);
  assert.deepEqual(cj('61 * * * *').errors, ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(cj('TZ=UTC 0 * * * *').errors, ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  assert.deepEqual(cj('@hourly', 'x'.repeat(53)).errors, [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
  const t0 = Date.UTC(2026, 0, 1, 10, 3, 20);
  assert.equal(nextActivation(parseCron('*/5 * * * *'), t0), Date.UTC(2026, 0, 1, 10, 5));
  assert.equal(nextActivation(parseCron('0 9 * * MON'), t0), Date.UTC(2026, 0, 5, 9, 0));
  assert.equal(nextActivation(parseCron('@daily'), t0), Date.UTC(2026, 0, 2, 0, 0));
});
