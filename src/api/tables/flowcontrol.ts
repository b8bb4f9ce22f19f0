// Printers for flowcontrol.apiserver.k8s.io (kubectl get flowschemas,prioritylevelconfigurations), with
// upstream's columns: the FlowSchema's level, precedence, distinguisher and whether its level is missing.
import type { KObject } from '../../registry/strategy.ts';
import { AGE_COL, NAME_COL, age, arr, col, str } from './util.ts';
import type { Printer } from './util.ts';
import { schemaOrder } from '../../flowcontrol/match.ts';

function danglingStatus(o: KObject): string {
  const c = arr<{ type?: string; status?: string }>(o.status?.conditions).find((x) => x.type === 'Dangling');
  return c ? str(c.status) : '?';
}

const flowschemas: Printer = {
  columns: [
    NAME_COL,
    col('PriorityLevel', 'string', 'The priority level that matching requests go to.'),
    col('MatchingPrecedence', 'string', 'Order among schemas: the lowest value that matches a request wins.'),
    col('DistinguisherMethod', 'string', 'How matching requests are told apart into flows (by user, by namespace, or not at all).'),
    AGE_COL,
    col('MissingPL', 'string', 'Whether the priority level named is missing (the Dangling condition).'),
  ],
  row: (o, now) => [
    str(o.metadata.name), str(o.spec?.priorityLevelConfiguration?.name),
    typeof o.spec?.matchingPrecedence === 'number' ? o.spec.matchingPrecedence : 0,
    str(o.spec?.distinguisherMethod?.type) || '<none>', age(o, now), danglingStatus(o),
  ],
  // As upstream's printFlowSchemaList: in matching order.
  order: schemaOrder,
};

const none = (v: unknown) => (typeof v === 'number' ? v : '<none>');

const prioritylevelconfigurations: Printer = {
  columns: [
    NAME_COL,
    col('Type', 'string', 'Exempt (never limited) or Limited (a share of the server\'s concurrency).'),
    col('NominalConcurrencyShares', 'string', 'The level\'s share of the server\'s concurrency limit.'),
    col('Queues', 'string', 'How many queues requests wait in.'),
    col('HandSize', 'string', 'How many queues a flow is shuffle-sharded over.'),
    col('QueueLengthLimit', 'string', 'How many requests one queue holds before more are refused.'),
    AGE_COL,
  ],
  row(o, now) {
    const limited = o.spec?.limited;
    const q = limited?.limitResponse?.queuing;
    return [
      str(o.metadata.name), str(o.spec?.type), limited ? none(limited.nominalConcurrencyShares) : '<none>',
      none(q?.queues), none(q?.handSize), none(q?.queueLengthLimit), age(o, now),
    ];
  },
};

export const flowcontrolPrinters: Record<string, Printer> = {
  'flowcontrol.apiserver.k8s.io/flowschemas': flowschemas,
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations': prioritylevelconfigurations,
};
