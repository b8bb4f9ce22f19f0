// controller-runtime scenarios: conformance/go-ctrl is an operator in miniature (its own Widget CRD,
// a manager, a reconciler owning ConfigMaps with status and a finalizer) checked by a separate,
// uncached client. Each scenario installs the CRD in a group named after its namespace.
import { join } from 'node:path';
import type { Case } from '../lib.ts';
import { scenarioCase } from './external.ts';

export const ctrlTool = { bin: join(import.meta.dirname, '..', 'go-ctrl', 'bin', 'skiff-controller') };
const ctrl = () => [ctrlTool.bin];
// The program bounds itself at 40 s; the case allows a little more for start-up.
const opts = { noNamespace: true, timeoutMs: 55_000 };

export const controllerRuntimeCases: Case[] = [
  scenarioCase('controller.crd-install', 'crd-install', ctrl, 'crd-install', opts),
  scenarioCase('controller.owned-objects', 'reconcile-owned-configmap', ctrl, 'reconcile', opts),
  scenarioCase('controller.finalizers-gc', 'finalizer-and-gc', ctrl, 'finalizer-gc', opts),
  scenarioCase('controller.leader-election', 'lease-leader-election', ctrl, 'leader-election', opts),
  scenarioCase('controller.cache', 'informer-cache', ctrl, 'cache', opts),
  scenarioCase('controller.apply', 'client-apply', ctrl, 'apply', opts),
];
