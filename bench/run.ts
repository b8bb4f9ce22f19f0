// `npm run bench [-- name ...]`: runs the named benchmarks (default: all) and prints their figures.
const ALL = ['store', 'api', 'apf', 'creates', 'watch', 'list', 'protobuf', 'workloads', 'running', 'scheduling', 'nodes', 'memory', 'volumes', 'gc', 'crds', 'etcd', 'snapshot', 'netsim', 'vap', 'policy', 'webhooks', 'containers', 'cluster-start', 'ui', 'rbac'];
const names = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
for (const name of names) {
  let mod: { run(): Promise<Record<string, number | string>> };
  try {
    mod = await import(`./${name}.ts`);
  } catch (e) {
    console.log(`\n## ${name}: not available (${(e as Error).message.split('\n')[0]})`);
    continue;
  }
  console.log(`\n## ${name}`);
  const r = await mod.run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(64)} ${v}`);
}
