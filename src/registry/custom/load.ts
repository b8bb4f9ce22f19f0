// CRDs handed to the server at start (--crds PATH, startCluster({ crds })), as envtest's
// CRDDirectoryPaths: files or directories (not recursive) of YAML (one or more documents) or JSON.
// Documents of other kinds are skipped, as envtest does; anything unreadable is an error naming it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { yaml } from '../../util/yaml.ts';
import type { KObject } from '../strategy.ts';
import type { Store } from '../store.ts';
import { findResource } from '../resources.ts';
import { StatusError } from '../../errors.ts';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function filesOf(path: string): string[] {
  let st;
  try { st = statSync(path); } catch (e) { throw new Error(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  if (!st.isDirectory()) return [path];
  return readdirSync(path).filter((f) => EXTENSIONS.has(extname(f).toLowerCase())).sort().map((f) => join(path, f)).filter((f) => statSync(f).isFile());
}

function docsOf(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  try {
    if (extname(file).toLowerCase() === '.json') return [JSON.parse(text)];
    return yaml().parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw new Error(d.errors[0].message);
      return d.toJS({ maxAliasCount: 100 });
    });
  } catch (e) {
    throw new Error(`${file}: not valid YAML or JSON: ${(e as Error).message}`);
  }
}

const isCRD = (d: unknown): d is KObject => d !== null && typeof d === 'object' && (d as any).kind === 'CustomResourceDefinition'
  && typeof (d as any).apiVersion === 'string' && (d as any).apiVersion.startsWith('apiextensions.k8s.io/');

/** Every CRD in the given files and directories. */
export function readCRDs(paths: string[]): KObject[] {
  const out: KObject[] = [];
  for (const p of paths) {
    for (const f of filesOf(p)) {
      for (const d of docsOf(f)) {
        if (!isCRD(d)) continue;
        if (d.apiVersion !== 'apiextensions.k8s.io/v1') throw new Error(`${f}: ${d.metadata?.name ?? 'a CustomResourceDefinition'}: only apiextensions.k8s.io/v1 is served, not ${d.apiVersion}`);
        out.push(d);
      }
    }
  }
  return out;
}

/** Create each CRD, or replace the spec of one that exists (a restart with data). Returns their names. */
export async function installCRDs(store: Store, crds: KObject[]): Promise<string[]> {
  const r = findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const names: string[] = [];
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    try {
      const existing = await store.tryGet(r, undefined, name);
      if (existing) {
        await store.guaranteedUpdate(r, undefined, name, (cur) => ({ ...cur, spec: crd.spec, metadata: { ...cur.metadata, labels: crd.metadata.labels, annotations: crd.metadata.annotations } }), { fieldManager: 'skiff' });
      } else {
        await store.create(r, undefined, structuredClone(crd), { fieldManager: 'skiff' });
      }
    } catch (e) {
      throw new Error(`CustomResourceDefinition ${JSON.stringify(name)}: ${e instanceof StatusError ? e.status.message : (e as Error).message}`);
    }
    names.push(name);
  }
  return names;
}
