// Printers for apps/v1 and batch/v1 workloads.
import {
  AGE_COL, NAME_COL, age, arr, col, containerCells, formatLabelSelector, formatLabels, hasTrueCondition, humanDuration,
  int, parseTime, since, str, wideContainers, wideSelector,
} from './util.ts';
import type { Printer } from './util.ts';

/** Upstream prints optional booleans as "True"/"False", or "<unset>" when absent. */
export const boolPtr = (v: unknown): string => (v === undefined || v === null ? '<unset>' : v ? 'True' : 'False');

const podSpecOf = (o: any) => o.spec?.template?.spec ?? {};

const deployments: Printer = {
  columns: [
    NAME_COL,
    col('Ready', 'string', 'Ready replicas out of desired replicas.'),
    col('Up-to-date', 'string', 'Replicas running the latest pod template.'),
    col('Available', 'string', 'Replicas available for at least minReadySeconds.'),
    AGE_COL,
    ...wideContainers(),
    wideSelector(),
  ],
  row(o, now) {
    const desired = int(o.spec?.replicas ?? 1);
    return [
      str(o.metadata.name), `${int(o.status?.readyReplicas)}/${desired}`, int(o.status?.updatedReplicas),
      int(o.status?.availableReplicas), age(o, now), ...containerCells(podSpecOf(o).containers), formatLabelSelector(o.spec?.selector),
    ];
  },
};

const replicasets: Printer = {
  columns: [
    NAME_COL,
    col('Desired', 'integer', 'Requested number of replicas.'),
    col('Current', 'integer', 'Number of replicas observed.'),
    col('Ready', 'integer', 'Number of ready replicas.'),
    AGE_COL,
    ...wideContainers(),
    wideSelector(),
  ],
  row(o, now) {
    return [
      str(o.metadata.name), int(o.spec?.replicas ?? 1), int(o.status?.replicas), int(o.status?.readyReplicas), age(o, now),
      ...containerCells(podSpecOf(o).containers), formatLabelSelector(o.spec?.selector),
    ];
  },
};

const statefulsets: Printer = {
  columns: [NAME_COL, col('Ready', 'string', 'Ready replicas out of desired replicas.'), AGE_COL, ...wideContainers()],
  row(o, now) {
    return [
      str(o.metadata.name), `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas ?? 1)}`, age(o, now),
      ...containerCells(podSpecOf(o).containers),
    ];
  },
};

const daemonsets: Printer = {
  columns: [
    NAME_COL,
    col('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    col('Current', 'integer', 'Nodes running at least one daemon pod.'),
    col('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    col('Up-to-date', 'integer', 'Nodes running the latest pod template.'),
    col('Available', 'integer', 'Nodes whose daemon pod is available.'),
    col('Node Selector', 'string', 'Node labels the pod template requires.'),
    AGE_COL,
    ...wideContainers(),
    wideSelector(),
  ],
  row(o, now) {
    const s = o.status ?? {};
    return [
      str(o.metadata.name), int(s.desiredNumberScheduled), int(s.currentNumberScheduled), int(s.numberReady),
      int(s.updatedNumberScheduled), int(s.numberAvailable), formatLabels(podSpecOf(o).nodeSelector), age(o, now),
      ...containerCells(podSpecOf(o).containers), formatLabelSelector(o.spec?.selector),
    ];
  },
};

export function jobStatus(o: any): string {
  if (hasTrueCondition(o, 'Complete')) return 'Complete';
  if (hasTrueCondition(o, 'Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (hasTrueCondition(o, 'Suspended')) return 'Suspended';
  if (hasTrueCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasTrueCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

const jobs: Printer = {
  columns: [
    NAME_COL,
    col('Status', 'string', 'Overall job state derived from its conditions.'),
    col('Completions', 'string', 'Succeeded pods out of required completions.'),
    col('Duration', 'string', 'Time the job ran (or has been running).'),
    AGE_COL,
    ...wideContainers(),
    wideSelector(),
  ],
  row(o, now) {
    const succeeded = int(o.status?.succeeded);
    let completions: string;
    if (typeof o.spec?.completions === 'number') completions = `${succeeded}/${o.spec.completions}`;
    else {
      const par = int(o.spec?.parallelism);
      completions = par > 1 ? `${succeeded}/1 of ${par}` : `${succeeded}/1`;
    }
    const start = parseTime(o.status?.startTime);
    const end = parseTime(o.status?.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
    return [
      str(o.metadata.name), jobStatus(o), completions, duration, age(o, now),
      ...containerCells(podSpecOf(o).containers), formatLabelSelector(o.spec?.selector),
    ];
  },
};

const cronjobs: Printer = {
  columns: [
    NAME_COL,
    col('Schedule', 'string', 'Cron schedule of the job.'),
    col('Timezone', 'string', 'Time zone the schedule is interpreted in.'),
    col('Suspend', 'boolean', 'Whether new runs are suspended.'),
    col('Active', 'integer', 'Number of jobs currently running.'),
    col('Last Schedule', 'string', 'Time since a job was last scheduled.'),
    AGE_COL,
    ...wideContainers(),
    wideSelector(),
  ],
  row(o, now) {
    const jt = o.spec?.jobTemplate?.spec ?? {};
    const last = o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>';
    return [
      str(o.metadata.name), str(o.spec?.schedule), str(o.spec?.timeZone) || '<none>', boolPtr(o.spec?.suspend),
      arr(o.status?.active).length, last, age(o, now), ...containerCells(jt.template?.spec?.containers), formatLabelSelector(jt.selector),
    ];
  },
};

/** The controller as `<kind>.<group>/<name>` in lower case, e.g. `daemonset.apps/agent` (upstream's formatResourceName). */
function controllerName(o: any): string {
  const ref = arr(o.metadata?.ownerReferences).find((r: any) => r?.controller === true);
  if (!ref) return '<none>';
  const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
  return `${`${ref.kind ?? ''}${group ? `.${group}` : ''}`.toLowerCase()}/${ref.name ?? ''}`;
}

const controllerrevisions: Printer = {
  columns: [NAME_COL, col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'), AGE_COL],
  row: (o, now) => [str(o.metadata.name), controllerName(o), int(o.revision), age(o, now)],
};

export const appsPrinters: Record<string, Printer> = { deployments, replicasets, statefulsets, daemonsets, controllerrevisions };
export const batchPrinters: Record<string, Printer> = { jobs, cronjobs };
