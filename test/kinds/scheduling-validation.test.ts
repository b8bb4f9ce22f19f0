// Pod scheduling fields (affinity, topologySpreadConstraints, tolerations, nodeSelector) are
// validated with upstream's paths and messages, for pods and for every workload's pod template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, update } from './helpers.ts';
import { isQualifiedName, isValidLabelValue } from '../../src/registry/validation/names.ts';

const containers = [{ name: 'c', image: 'nginx' }];
const pod = (spec: Record<string, any>) => ({ metadata: { name: 'p', labels: { app: 'a' } }, spec: { containers, ...spec } });
const podErrors = (spec: Record<string, any>) => create('', 'Pod', pod(spec)).errors;
const affinityErrors = (affinity: unknown) => podErrors({ affinity });

const NA = 'spec.affinity.nodeAffinity';
const REQ = `${NA}.requiredDuringSchedulingIgnoredDuringExecution`;
const PREF = `${NA}.preferredDuringSchedulingIgnoredDuringExecution`;
const PA = 'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution';
const PAA = 'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution';
const TSC = 'spec.topologySpreadConstraints';
const TOL = 'spec.tolerations';
const qn = (path: string, v: string) => isQualifiedName(v).map((m) => `${path}: Invalid value: ${JSON.stringify(v)}: ${m}`);
const required = (terms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const expr = (e: Record<string, any>) => required([{ matchExpressions: [e] }]);
const podTerm = (t: Record<string, any>) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'a' } }, ...t }] } });
const spread = (c: Record<string, any>, more: Record<string, any>[] = []) => podErrors({
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'a' } }, ...c }, ...more],
});
const tol = (t: Record<string, any>) => podErrors({ tolerations: [t] }).filter((e) => !e.includes('[1]') && !e.includes('[2]'));

test('a pod using every scheduling field correctly is accepted', () => {
  assert.deepEqual(podErrors({
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'cpus', operator: 'Gt', values: ['4'] }], matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
      },
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { app: 'a' } }, namespaces: ['x'], matchLabelKeys: ['pod-template-hash'], mismatchLabelKeys: ['tenant'] }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', namespaceSelector: {} } }] },
    },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore', labelSelector: { matchLabels: { app: 'a' } }, matchLabelKeys: ['pod-template-hash'] },
      { maxSkew: 2, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' },
    ],
    tolerations: [{ operator: 'Exists' }, { key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 60 }, { key: 'k', effect: 'PreferNoSchedule' }],
  }), []);
});

test('node affinity: required terms and their requirements', () => {
  assert.deepEqual(affinityErrors(required([])), [`${REQ}.nodeSelectorTerms: Required value: must have at least one node selector term`]);
  assert.deepEqual(affinityErrors({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } }), [`${REQ}.nodeSelectorTerms: Required value: must have at least one node selector term`]);
  const m = `${REQ}.nodeSelectorTerms[0].matchExpressions[0]`;
  assert.deepEqual(affinityErrors(expr({ key: 'zone', operator: 'In' })), [`${m}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`]);
  assert.deepEqual(affinityErrors(expr({ key: 'zone', operator: 'DoesNotExist', values: ['a'] })), [`${m}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`]);
  assert.deepEqual(affinityErrors(expr({ key: 'cpus', operator: 'Lt', values: ['1', '2'] })), [`${m}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`]);
  assert.deepEqual(affinityErrors(expr({ key: 'zone', operator: 'Near', values: ['a'] })), [`${m}.operator: Invalid value: "Near": not a valid selector operator`]);
  assert.deepEqual(affinityErrors(expr({ key: 'zone', values: ['a'] })), [`${m}.operator: Invalid value: "": not a valid selector operator`]);
  assert.deepEqual(affinityErrors(expr({ key: 'bad key', operator: 'Exists' })), qn(`${m}.key`, 'bad key'));
  assert.deepEqual(affinityErrors(expr({ key: '', operator: 'Exists' })), qn(`${m}.key`, ''));
  assert.deepEqual(affinityErrors(expr({ key: 'zone', operator: 'In', values: ['ok', 'not ok'] })),
    isValidLabelValue('not ok').map((msg) => `${m}.values[1]: Invalid value: "not ok": ${msg}`));
  const f = `${REQ}.nodeSelectorTerms[0].matchFields`;
  assert.deepEqual(affinityErrors(required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }, { key: 'spec.nodeName', operator: 'Exists' }, { key: 'metadata.name', operator: 'In', values: ['Bad_Node'] }] }])), [
    `${f}[0].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
    `${f}[1].operator: Invalid value: "Exists": not a valid selector operator`,
    `${f}[1].key: Invalid value: "spec.nodeName": not a valid field selector key`,
    `${f}[2].values[0]: Invalid value: "Bad_Node": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
});

test('node affinity: preferred terms need a weight of 1-100 and may carry any label value', () => {
  const pref = (t: Record<string, any>) => affinityErrors({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [t] } });
  assert.deepEqual(pref({ weight: 0, preference: {} }), [`${PREF}[0].weight: Invalid value: 0: must be in the range 1-100`]);
  assert.deepEqual(pref({ preference: {} }), [`${PREF}[0].weight: Invalid value: 0: must be in the range 1-100`]);
  assert.deepEqual(pref({ weight: 101, preference: {} }), [`${PREF}[0].weight: Invalid value: 101: must be in the range 1-100`]);
  assert.deepEqual(pref({ weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['not ok'] }] } }), []);
  assert.deepEqual(pref({ weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] } }),
    [`${PREF}[0].preference.matchExpressions[0].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`]);
});

test('pod affinity terms: topologyKey, selectors, namespaces', () => {
  assert.deepEqual(affinityErrors(podTerm({ topologyKey: '' })), [`${PA}[0].topologyKey: Required value: can not be empty`, ...qn(`${PA}[0].topologyKey`, '')]);
  assert.deepEqual(affinityErrors(podTerm({ topologyKey: undefined })), [`${PA}[0].topologyKey: Required value: can not be empty`, ...qn(`${PA}[0].topologyKey`, '')]);
  assert.deepEqual(affinityErrors(podTerm({ topologyKey: 'a/b/c' })), qn(`${PA}[0].topologyKey`, 'a/b/c'));
  assert.deepEqual(affinityErrors(podTerm({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } })),
    [`${PA}[0].labelSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`]);
  assert.deepEqual(affinityErrors(podTerm({ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Sometimes' }] } })),
    [`${PA}[0].namespaceSelector.matchExpressions[0].operator: Invalid value: "Sometimes": not a valid selector operator`]);
  assert.deepEqual(affinityErrors(podTerm({ labelSelector: { matchLabels: { app: 'bad value!' } } })),
    isValidLabelValue('bad value!').map((m) => `${PA}[0].labelSelector.matchLabels: Invalid value: "bad value!": ${m}`));
  // Upstream names the namespaces list `namespace` in its errors.
  assert.deepEqual(affinityErrors(podTerm({ namespaces: ['ok', 'Not.OK'] })).map((e) => e.slice(0, e.indexOf(':', e.indexOf('Invalid value') + 15))),
    [`${PA}[0].namespace: Invalid value: "Not.OK"`]);
});

test('pod anti-affinity: weighted terms', () => {
  const anti = (t: Record<string, any>) => affinityErrors({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [t] } });
  assert.deepEqual(anti({ weight: -3, podAffinityTerm: { topologyKey: 'zone' } }), [`${PAA}[0].weight: Invalid value: -3: must be in the range 1-100`]);
  assert.deepEqual(anti({ weight: 10, podAffinityTerm: {} }), [`${PAA}[0].podAffinityTerm.topologyKey: Required value: can not be empty`, ...qn(`${PAA}[0].podAffinityTerm.topologyKey`, '')]);
  assert.deepEqual(anti({ weight: 10 }), [`${PAA}[0].podAffinityTerm.topologyKey: Required value: can not be empty`, ...qn(`${PAA}[0].podAffinityTerm.topologyKey`, '')]);
});

test('pod affinity: matchLabelKeys and mismatchLabelKeys', () => {
  assert.deepEqual(affinityErrors(podTerm({ labelSelector: undefined, matchLabelKeys: ['a'], mismatchLabelKeys: ['b'] })), [
    `${PA}[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
    `${PA}[0].mismatchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
  ]);
  assert.deepEqual(affinityErrors(podTerm({ matchLabelKeys: ['bad key'] })), qn(`${PA}[0].matchLabelKeys[0]`, 'bad key'));
  assert.deepEqual(affinityErrors(podTerm({ mismatchLabelKeys: ['x', '-y'] })), qn(`${PA}[0].mismatchLabelKeys[1]`, '-y'));
  assert.deepEqual(affinityErrors(podTerm({ matchLabelKeys: ['tenant', 'x'], mismatchLabelKeys: ['x'] })),
    [`${PA}[0].matchLabelKeys[1]: Invalid value: "x": exists in both matchLabelKeys and mismatchLabelKeys`]);
  // The pod's own app=a is folded into the selector as "app In (a)", which the selector already
  // constrains: upstream reports it at the term's index.
  assert.deepEqual(affinityErrors(podTerm({ matchLabelKeys: ['app'] })),
    [`${PA}[0][0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`]);
  // A pod template is not folded: the same term in a Deployment only fails if the selector names the key twice.
  const deploy = (term: Record<string, any>) => create('apps', 'Deployment', { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } },
    template: { metadata: { labels: { app: 'a' } }, spec: { containers, affinity: podTerm(term) } } } }).errors;
  assert.deepEqual(deploy({ matchLabelKeys: ['app'] }), []);
  assert.deepEqual(deploy({ matchLabelKeys: ['app'], labelSelector: { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'app', operator: 'Exists' }] } }),
    [`spec.template.${PA}[0][0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`]);
});

test('pod creation folds matchLabelKeys / mismatchLabelKeys into the term selector, as upstream', () => {
  const { obj, errors } = create('', 'Pod', { metadata: { name: 'p', labels: { app: 'a', tenant: 't1' } }, spec: { containers, affinity: {
    podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'a' } }, matchLabelKeys: ['tenant', 'absent'] }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { topologyKey: 'zone', labelSelector: {}, mismatchLabelKeys: ['tenant'] } }] },
  } } });
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector,
    { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tenant', operator: 'In', values: ['t1'] }] });
  assert.deepEqual(obj.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector,
    { matchExpressions: [{ key: 'tenant', operator: 'NotIn', values: ['t1'] }] });
  // The keys themselves stay on the term.
  assert.deepEqual(obj.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys, ['tenant', 'absent']);
});

test('topology spread constraints', () => {
  const c0 = `${TSC}[0]`;
  assert.deepEqual(spread({ maxSkew: 0 }), [`${c0}.maxSkew: Invalid value: 0: must be greater than zero`]);
  assert.deepEqual(spread({ maxSkew: undefined }), [`${c0}.maxSkew: Invalid value: 0: must be greater than zero`]);
  assert.deepEqual(spread({ maxSkew: -1 }), [`${c0}.maxSkew: Invalid value: -1: must be greater than zero`]);
  assert.deepEqual(spread({ topologyKey: '' }), [`${c0}.topologyKey: Required value: can not be empty`]);
  assert.deepEqual(spread({ whenUnsatisfiable: 'Sometimes' }), [`${c0}.whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", "ScheduleAnyway"`]);
  assert.deepEqual(spread({ whenUnsatisfiable: undefined }), [`${c0}.whenUnsatisfiable: Unsupported value: "": supported values: "DoNotSchedule", "ScheduleAnyway"`]);
  assert.deepEqual(spread({}, [{ maxSkew: 3, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }]),
    [`${c0}.{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"`]);
  assert.deepEqual(spread({ minDomains: 0 }), [`${c0}.minDomains: Invalid value: 0: must be greater than zero`]);
  assert.deepEqual(spread({ minDomains: 2, whenUnsatisfiable: 'ScheduleAnyway' }), [`${c0}.minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`]);
  assert.deepEqual(spread({ nodeAffinityPolicy: 'honor', nodeTaintsPolicy: 'Always' }), [
    `${c0}.nodeAffinityPolicy: Unsupported value: "honor": supported values: "Honor", "Ignore"`,
    `${c0}.nodeTaintsPolicy: Unsupported value: "Always": supported values: "Honor", "Ignore"`,
  ]);
  assert.deepEqual(spread({ matchLabelKeys: ['app', 'bad key'] }), [
    `${c0}.matchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
    ...qn(`${c0}.matchLabelKeys[1]`, 'bad key'),
  ]);
  assert.deepEqual(spread({ labelSelector: undefined, matchLabelKeys: ['h'] }), [`${c0}.matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`]);
  assert.deepEqual(spread({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn' }] } }),
    [`${c0}.labelSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`]);
});

test('tolerations', () => {
  const t0 = `${TOL}[0]`;
  assert.deepEqual(tol({ operator: 'Equal', value: 'v' }), [`${t0}.operator: Invalid value: "Equal": operator must be Exists when \`key\` is empty, which means "match all values and all keys"`]);
  assert.deepEqual(tol({ value: 'v' }), [`${t0}.operator: Invalid value: "": operator must be Exists when \`key\` is empty, which means "match all values and all keys"`]);
  assert.deepEqual(tol({ key: 'k', operator: 'Exists', value: 'v' }), [`${t0}.operator: Invalid value: "v": value must be empty when \`operator\` is 'Exists'`]);
  assert.deepEqual(tol({ key: 'k', operator: 'Sometimes' }), [`${t0}.operator: Unsupported value: "Sometimes": supported values: "Equal", "Exists"`]);
  assert.deepEqual(tol({ key: 'k', value: 'not ok!' }), [`${t0}.operator: Invalid value: "not ok!": ${isValidLabelValue('not ok!').join(';')}`]);
  assert.deepEqual(tol({ key: 'k', operator: 'Exists', effect: 'NoRun' }), [`${t0}.effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`]);
  assert.deepEqual(tol({ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }), [`${t0}.effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`]);
  assert.deepEqual(tol({ key: 'k', operator: 'Exists', tolerationSeconds: 5 }), [`${t0}.effect: Invalid value: "": effect must be 'NoExecute' when \`tolerationSeconds\` is set`]);
  assert.deepEqual(tol({ key: 'bad key', operator: 'Exists' }), qn(`${t0}.key`, 'bad key'));
});

test('nodeSelector keys and values are label keys and values', () => {
  assert.deepEqual(podErrors({ nodeSelector: { 'bad key': 'v' } }), qn('spec.nodeSelector', 'bad key'));
  assert.deepEqual(podErrors({ nodeSelector: { k: 'bad value!' } }), isValidLabelValue('bad value!').map((m) => `spec.nodeSelector: Invalid value: "bad value!": ${m}`));
});

test('malformed shapes are 422 causes, never a crash', () => {
  const shapes: Array<[Record<string, any>, string]> = [
    [{ affinity: 'x' }, 'spec.affinity: Invalid value: "x": must be an object'],
    [{ affinity: { nodeAffinity: [] } }, 'spec.affinity.nodeAffinity: Invalid value: []: must be an object'],
    [{ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: {} } } } }, `${REQ}.nodeSelectorTerms: Invalid value: {}: must be a list`],
    [{ affinity: required([{ matchExpressions: 'zone' }]) }, `${REQ}.nodeSelectorTerms[0].matchExpressions: Invalid value: "zone": must be a list`],
    [{ affinity: expr({ key: 7, operator: 'Exists' }) }, `${REQ}.nodeSelectorTerms[0].matchExpressions[0].key: Invalid value: 7: must be a string`],
    [{ affinity: expr({ key: 'z', operator: 'In', values: [3] }) }, `${REQ}.nodeSelectorTerms[0].matchExpressions[0].values[0]: Invalid value: 3: must be a string`],
    [{ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: 'x' } } }, 'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution: Invalid value: "x": must be a list'],
    [{ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 'heavy', podAffinityTerm: { topologyKey: 'z' } }] } } }, `${PAA}[0].weight: Invalid value: "heavy": must be in the range 1-100`],
    [{ affinity: podTerm({ labelSelector: { matchExpressions: {} } }) }, `${PA}[0].labelSelector.matchExpressions: Invalid value: {}: must be a list`],
    [{ topologySpreadConstraints: {} }, `${TSC}: Invalid value: {}: must be a list`],
    [{ topologySpreadConstraints: [7] }, `${TSC}[0]: Invalid value: 7: must be an object`],
    [{ tolerations: 'all' }, `${TOL}: Invalid value: "all": must be a list`],
    [{ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 'soon' }] }, `${TOL}[0].tolerationSeconds: Invalid value: "soon": must be an integer`],
  ];
  for (const [spec, want] of shapes) {
    const errs = podErrors(spec);
    assert.ok(errs.includes(want), `${JSON.stringify(spec)}: ${JSON.stringify(errs)}`);
  }
});

test('every workload validates its pod template the same way', () => {
  const affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'a' } } }] } };
  const cause = (prefix: string) => `${prefix}.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty`;
  const template = (restartPolicy = 'Always') => ({ metadata: { labels: { app: 'a' } }, spec: { containers, restartPolicy, affinity } });
  const selector = { matchLabels: { app: 'a' } };
  const md = { name: 'w' };
  const cases: Array<[string, string, Record<string, any>, string]> = [
    ['apps', 'Deployment', { metadata: md, spec: { selector, template: template() } }, 'spec.template'],
    ['apps', 'ReplicaSet', { metadata: md, spec: { selector, template: template() } }, 'spec.template'],
    ['apps', 'StatefulSet', { metadata: md, spec: { selector, serviceName: 's', template: template() } }, 'spec.template'],
    ['apps', 'DaemonSet', { metadata: md, spec: { selector, template: template() } }, 'spec.template'],
    ['batch', 'Job', { metadata: md, spec: { template: template('Never') } }, 'spec.template'],
    ['batch', 'CronJob', { metadata: md, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template('Never') } } } }, 'spec.jobTemplate.spec.template'],
    ['', 'ReplicationController', { metadata: md, spec: { selector: { app: 'a' }, template: template() } }, 'spec.template'],
    ['', 'PodTemplate', { metadata: md, template: template() }, 'template'],
  ];
  for (const [group, kind, obj, prefix] of cases) {
    const errs = create(group, kind, obj).errors;
    assert.ok(errs.includes(cause(prefix)), `${kind}: ${JSON.stringify(errs)}`);
  }
});

test('updates do not re-judge scheduling fields they leave unchanged (objects stored before these checks)', () => {
  const badAffinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'a' } } }] } };
  const badSpread = [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }];
  const stored = create('', 'Pod', pod({})).obj;
  stored.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  stored.spec.affinity = badAffinity;
  stored.spec.topologySpreadConstraints = badSpread;
  const relabel = structuredClone(stored); relabel.metadata.labels = { app: 'a', extra: 'x' };
  assert.deepEqual(update('', 'Pod', relabel, stored).errors, []);
  // Other update rules still apply.
  const rp = structuredClone(stored); rp.spec.restartPolicy = 'Never';
  assert.ok(update('', 'Pod', rp, stored).errors[0].startsWith('spec: Forbidden: pod updates may not change fields'));
  const changed = structuredClone(stored); changed.spec.topologySpreadConstraints = [{ ...badSpread[0], maxSkew: -1 }];
  assert.ok(update('', 'Pod', changed, stored).errors.includes(`${TSC}[0].maxSkew: Invalid value: -1: must be greater than zero`));

  const d = create('apps', 'Deployment', { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers } } } }).obj;
  d.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  d.spec.template.spec.affinity = badAffinity;
  const scaled = structuredClone(d); scaled.spec.replicas = 5;
  assert.deepEqual(update('apps', 'Deployment', scaled, d).errors, []);
  const edited = structuredClone(d); edited.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey = 'bad key';
  assert.deepEqual(update('apps', 'Deployment', edited, d).errors, qn(`spec.template.${'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution'}[0].topologyKey`, 'bad key'));
  const cj = create('batch', 'CronJob', { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers, restartPolicy: 'Never' } } } } } }).obj;
  cj.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  cj.spec.jobTemplate.spec.template.spec.affinity = badAffinity;
  const suspended = structuredClone(cj); suspended.spec.suspend = true;
  assert.deepEqual(update('batch', 'CronJob', suspended, cj).errors, []);
});
