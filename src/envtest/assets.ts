// `skiff envtest-assets DIR`: writes kube-apiserver, etcd and kubectl into DIR, so that
// `KUBEBUILDER_ASSETS=DIR go test ./...` runs an envtest-based suite against Skiff. Each is a small
// shell script naming this Node and this Skiff installation by absolute path.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The installation's bin/ directory: beside src/ in a checkout, beside dist/ in the package. */
function binDir(): string {
  const dir = fileURLToPath(new URL('../../bin/', import.meta.url));
  if (!existsSync(join(dir, 'kube-apiserver.js'))) throw new Error(`cannot find Skiff's stand-ins in ${dir}`);
  return dir;
}

/** The first kubectl on PATH that is not in `exclude` (the assets directory itself). */
function findKubectl(exclude: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || resolve(dir) === exclude) continue;
    const p = join(dir, 'kubectl');
    try { if (statSync(p).isFile()) return p; } catch { /* not here */ }
  }
  return undefined;
}

function script(body: string): string {
  return `#!/bin/sh\n# Written by \`skiff envtest-assets\`: Skiff's stand-in for controller-runtime's envtest.\n${body}\n`;
}

export function writeEnvtestAssets(target: string): string {
  const dir = resolve(target);
  try { mkdirSync(dir, { recursive: true }); } catch (e) { throw new Error(`cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  const bin = binDir();
  const node = quote(process.execPath);
  const kubectl = findKubectl(dir);
  const files: Record<string, string> = {
    'kube-apiserver': script(`exec ${node} --max-semi-space-size=16 ${quote(join(bin, 'kube-apiserver.js'))} "$@"`),
    etcd: script(`exec ${node} ${quote(join(bin, 'etcd-standin.js'))} "$@"`),
    kubectl: script(kubectl
      ? `exec ${quote(kubectl)} "$@"`
      : `echo "kubectl (Skiff envtest assets): no kubectl was on PATH when these assets were written; install kubectl and run skiff envtest-assets again" >&2\nexit 127`),
  };
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    try {
      writeFileSync(p, text);
      chmodSync(p, 0o755);
    } catch (e) { throw new Error(`cannot write ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  }
  return `wrote kube-apiserver, etcd and kubectl${kubectl ? ` (runs ${kubectl})` : ' (no kubectl on PATH: it only says so)'} to ${dir}\nuse: KUBEBUILDER_ASSETS=${dir} go test ./...`;
}
