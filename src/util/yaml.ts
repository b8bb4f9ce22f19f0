// The yaml library (72 modules, ~20–40 ms to load) is required on first use rather than at start-up:
// only YAML request bodies, YAML responses and `skiff kubeconfig --merge` need it.
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let lib: Yaml | undefined;

export function yaml(): Yaml {
  return (lib ??= createRequire(import.meta.url)('yaml') as Yaml);
}
