// Printers for flowcontrol.apiserver.k8s.io (kubectl get flowschemas,prioritylevelconfigurations), with
// upstream's columns: the FlowSchema's level, precedence, distinguisher and whether its level is missing.
import type { KObject } from '../../registry/strategy.ts';
import { AGE_COL, NAME_COL, age, arr, col, str } from './util.ts';
import type { Printer } from './util.ts';

function danglingStatus(o: KObject): string {
  const c = arr<{ type?: string; status?: string }>(o.status?.conditions).find((x) => x.type === 'Dangling');
  return c ? str(c.status) : '?';
}

const flowschemas: Printer = {
  columns: [
    NAME_COL,
    col('PriorityLevel', 'string', '`name` is the name of the priority level configuration being referenced Required.'),
    col('MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.'),
    col('DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.'),
    AGE_COL,
    col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  row: (o, now) => [
    str(o.metadata.name), str(o.spec?.priorityLevelConfiguration?.name),
    typeof o.spec?.matchingPrecedence === 'number' ? o.spec.matchingPrecedence : 0,
    str(o.spec?.distinguisherMethod?.type) || '<none>', age(o, now), danglingStatus(o),
  ],
};

const none = (v: unknown) => (typeof v === 'number' ? v : '<none>');

const prioritylevelconfigurations: Printer = {
  columns: [
    NAME_COL,
    col('Type', 'string', '`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.'),
    col('NominalConcurrencyShares', 'string', 'nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.'),
    col('Queues', 'string', '`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.'),
    col('HandSize', 'string', '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.'),
    col('QueueLengthLimit', 'string', '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.'),
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
