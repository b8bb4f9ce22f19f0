// Web view benchmark: the nodes grid in headless Chromium at 1,000 nodes and 10,000 pods (frame
// intervals and long tasks while pods start and during a rollout; one full redraw). Needs Debian's
// chromium (see test/ui/browser.ts).  node bench/ui.ts [--nodes N --pods N]
import { bigClusterFigures } from '../test/ui/big-cluster.ts';
import { browserUnavailable } from '../test/ui/browser.ts';

export async function run(): Promise<Record<string, number | string>> {
  const why = browserUnavailable();
  if (why) return { skipped: why };
  const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  return bigClusterFigures({ nodes: arg('nodes'), pods: arg('pods') });
}

if (import.meta.main) for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(64)} ${v}`);
