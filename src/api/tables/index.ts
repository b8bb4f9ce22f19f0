// Server-side printing: turns objects into a meta.k8s.io/v1 Table so `kubectl get` shows the same
// columns as against a real API server. Printers are looked up by `${group}/${resource}`.
import { errors } from '../../errors.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import { corePrinters } from './core.ts';
import { appsPrinters, batchPrinters } from './workloads.ts';
import { otherPrinters } from './other.ts';
import { admissionPolicyPrinters } from './admission-policy.ts';
import { flowcontrolPrinters } from './flowcontrol.ts';
import { lazyModule } from '../../util/lazy-module.ts';

/** The printer of custom resources (additionalPrinterColumns, JSONPath): loaded with the first CRD. */
export const customTables = lazyModule(new URL('./custom.ts', import.meta.url), () => import('./custom.ts'));
import { CREATED_AT_COL, NAME_COL, str } from './util.ts';
import type { Cell, Column, Printer, RowCondition } from './util.ts';

export { humanDuration } from './util.ts';
export type { Cell, Column, Printer, RowCondition } from './util.ts';

export interface TableOptions { includeObject?: string; resourceVersion?: string; continue?: string; remainingItemCount?: number }

export interface TableRow { cells: Cell[]; conditions?: RowCondition[]; object?: object }
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: Column[];
  rows: TableRow[];
}

/** Name + Created At, what upstream uses for kinds without a dedicated printer. */
export const defaultPrinter: Printer = {
  columns: [NAME_COL, CREATED_AT_COL],
  row: (o) => [str(o.metadata?.name), o.metadata?.creationTimestamp ?? null],
};

function register(group: string, table: Record<string, Printer>, into: Map<string, Printer>): void {
  for (const [resource, p] of Object.entries(table)) into.set(`${group}/${resource}`, p);
}

export const PRINTERS: ReadonlyMap<string, Printer> = (() => {
  const m = new Map<string, Printer>();
  register('', corePrinters, m);
  register('apps', appsPrinters, m);
  register('batch', batchPrinters, m);
  for (const [key, p] of Object.entries(otherPrinters)) m.set(key, p);
  for (const [key, p] of Object.entries(admissionPolicyPrinters)) m.set(key, p);
  for (const [key, p] of Object.entries(flowcontrolPrinters)) m.set(key, p);
  return m;
})();

/** The printer for a resource, or the default Name/Created At one. */
export function printerFor(r: Pick<ResourceInfo, 'group' | 'resource' | 'custom'>): Printer {
  if (r.custom) return customTables.get().customPrinter(r as ResourceInfo);
  return PRINTERS.get(`${r.group}/${r.resource}`) ?? defaultPrinter;
}

const INCLUDE = ['None', 'Metadata', 'Object'];

function rowObject(r: ResourceInfo, o: KObject, mode: string): object | undefined {
  if (mode === 'None') return undefined;
  if (mode === 'Object') {
    if (o.apiVersion && o.kind) return o;
    return { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, ...o };
  }
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/**
 * Render `items` of resource `r` as a Table. Every cell is sent, including the priority-1 ("-o wide")
 * ones; clients hide those unless asked. `now` is the reference time for Age-style cells.
 */
export function toTable(r: ResourceInfo, items: KObject[], opts: TableOptions, now: number): Table {
  const mode = opts.includeObject || 'Metadata';
  if (!INCLUDE.includes(mode)) {
    throw errors.badRequest(`includeObject: Unsupported value: "${mode}": supported values: "None", "Metadata", "Object"`);
  }
  const printer = printerFor(r);
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined && opts.remainingItemCount !== null) metadata.remainingItemCount = opts.remainingItemCount;
  const rows: TableRow[] = (printer.order ? [...items].sort(printer.order) : items).map((o) => {
    let cells: Cell[];
    try {
      cells = printer.row(o, now);
    } catch {
      // A malformed stored object must not break the whole listing; fall back to the generic cells.
      cells = printer.columns.map((c, i) => (i === 0 ? str(o.metadata?.name) : c.type === 'date' ? (o.metadata?.creationTimestamp ?? null) : ''));
    }
    const row: TableRow = { cells };
    const conds = printer.conditions?.(o);
    if (conds) row.conditions = conds;
    const obj = rowObject(r, o, mode);
    if (obj) row.object = obj;
    return row;
  });
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata,
    columnDefinitions: printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
