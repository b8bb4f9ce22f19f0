// Server-side printing of custom resources from their CRD version's additionalPrinterColumns (after
// apiextensions-apiserver's tableconvertor): Name, then each column's JSONPath value; a version
// without columns gets the default Age column.
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { PrinterColumn } from '../../registry/custom/types.ts';
import { jsonPathValues } from '../../registry/custom/jsonpath.ts';
import { humanDuration, NAME_COL, str } from './util.ts';
import type { Cell, Column, ColumnType, Printer } from './util.ts';

const DEFAULT_COLUMNS: PrinterColumn[] = [{
  name: 'Age', type: 'date', priority: 0, jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
}];

const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

/** A value as text, the way Go's JSONPath printer writes it (objects and lists as JSON). */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function cell(type: string, v: unknown, now: number): Cell {
  switch (type) {
    case 'string': return text(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'number': return typeof v === 'number' ? v : null;
    case 'boolean': return typeof v === 'boolean' ? v : null;
    case 'date': {
      if (typeof v !== 'string') return null;
      const t = Date.parse(v);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default: return null;
  }
}

const cache = new WeakMap<ResourceInfo, Printer>();

function build(r: ResourceInfo): Printer {
  const cols = r.custom!.version.printerColumns.length ? r.custom!.version.printerColumns : DEFAULT_COLUMNS;
  const columns: Column[] = [NAME_COL, ...cols.map((c) => ({
    name: c.name, type: (TYPES.has(c.type) ? c.type : 'string') as ColumnType, format: c.format ?? '', description: c.description ?? '', priority: c.priority,
  }))];
  return {
    columns,
    row(o: KObject, now: number): Cell[] {
      return [str(o.metadata?.name), ...cols.map((c) => {
        const found = jsonPathValues(o, c.jsonPath);
        return found.length ? cell(c.type, found[0], now) : null;
      })];
    },
  };
}

export function customPrinter(r: ResourceInfo): Printer {
  let p = cache.get(r);
  if (!p) cache.set(r, p = build(r));
  return p;
}
