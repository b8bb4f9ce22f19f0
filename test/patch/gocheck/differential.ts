// Differential check of applyStrategicMergePatch against upstream strategicpatch (k8s.io/apimachinery v0.32.4).
// cd test/patch/gocheck && go build -o smpcheck . && node differential.ts <seed>   (not part of npm test)
import { execFileSync } from 'node:child_process';
import { applyStrategicMergePatch, smpSchemaFor } from '../../../src/patch/index.ts';
import { StatusError } from '../../../src/errors.ts';

let seed = Number(process.argv[2] ?? 1);
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)];
const names = ['a', 'b', 'c', 'd'];
const sub = (n: number) => { const s = [...names].sort(() => rnd() - 0.5); return s.slice(0, Math.floor(rnd() * n)); };
function container(n: string, patch: boolean): any {
  const c: any = { name: n };
  if (rnd() < 0.5) c.image = pick(['x', 'y', 'z']);
  if (rnd() < 0.4) c.env = sub(4).map((e) => (patch && rnd() < 0.3 ? { name: e, $patch: 'delete' } : { name: e, value: pick(['1', '2']) }));
  if (patch && c.env && rnd() < 0.5) c['$setElementOrder/env'] = sub(4).map((e) => ({ name: e }));
  if (rnd() < 0.3) c.ports = [80, 443, 8080].filter(() => rnd() < 0.5).map((p) => ({ containerPort: p, name: 'p' + p }));
  if (rnd() < 0.3) c.args = sub(3);
  if (patch && rnd() < 0.1) c.$patch = 'delete';
  return c;
}
function pod(patch: boolean): any {
  const p: any = { metadata: {}, spec: {} };
  if (rnd() < 0.6) p.metadata.labels = Object.fromEntries(sub(4).map((k) => [k, patch && rnd() < 0.3 ? null : 'v' + k]));
  if (rnd() < 0.5) p.metadata.finalizers = sub(4);
  if (patch && rnd() < 0.3) p.metadata['$deleteFromPrimitiveList/finalizers'] = sub(4).filter((x) => !(p.metadata.finalizers ?? []).includes(x));
  if (patch && rnd() < 0.3) p.metadata['$setElementOrder/finalizers'] = sub(4);
  if (rnd() < 0.8) p.spec.containers = sub(5).map((n) => container(n, patch));
  if (patch && rnd() < 0.4) p.spec['$setElementOrder/containers'] = sub(5).map((n) => ({ name: n }));
  if (patch && p.spec.containers && rnd() < 0.1) p.spec.containers.push({ $patch: 'replace' });
  if (rnd() < 0.3) p.spec.tolerations = sub(3).map((k) => ({ key: k }));
  if (rnd() < 0.3) p.spec.volumes = sub(3).map((n) => (rnd() < 0.5 ? { name: n, emptyDir: {} } : { name: n, configMap: { name: 'c' }, ...(patch && rnd() < 0.5 ? { $retainKeys: ['name', 'configMap'] } : {}) }));
  if (patch && rnd() < 0.1) p.spec.securityContext = { $patch: pick(['delete', 'replace']), runAsUser: 1 };
  else if (rnd() < 0.2) p.spec.securityContext = { runAsUser: 2, fsGroup: 3 };
  return p;
}
const cases: any[] = [];
for (let i = 0; i < 3000; i++) cases.push({ kind: 'Pod', doc: pod(false), patch: pod(true) });
const goOut = execFileSync(process.env.SMPCHECK ?? './smpcheck', { input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n', maxBuffer: 1 << 28 }).toString().trim().split('\n');
const schema = smpSchemaFor('', 'v1', 'Pod')!;
let agree = 0, errBoth = 0, mismatch = 0;
const canon = (v: any): any => Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
for (let i = 0; i < cases.length; i++) {
  const g = JSON.parse(goOut[i]);
  let mine: any;
  try { mine = applyStrategicMergePatch(cases[i].doc, cases[i].patch, schema); } catch (e) { mine = { error: e instanceof StatusError ? e.status.message : 'NON-STATUS ' + e }; }
  if (g.error !== undefined && mine.error !== undefined) { errBoth++; if (g.error !== mine.error && mismatch < 3) console.log('ERRMSG', g.error, '|', mine.error); continue; }
  // strip directive keys in go output (typed decode would drop them)
  const strip = (v: any): any => Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !(k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/'))).map(([k, x]) => [k, strip(x)])) : v;
  if (JSON.stringify(canon(strip(g))) === JSON.stringify(canon(mine))) agree++;
  else { mismatch++; if (mismatch <= 4) console.log('MISMATCH', JSON.stringify(cases[i]), '\nGO ', JSON.stringify(canon(strip(g))), '\nTS ', JSON.stringify(canon(mine))); }
}
console.log({ agree, errBoth, mismatch });
