// The web view at 1,000 nodes and 10,000 pods, in headless Chromium: how long a frame takes while
// the pods are created and while 2,000 of them are replaced (animation-frame intervals and the
// browser's long tasks), and one full redraw of the nodes grid. Used by the browser test (which
// prints the figures) and by `npm run bench -- ui`. Figures are measured, never asserted.
import { startCluster } from '../../src/index.ts';
import { launch } from './browser.ts';
import { deployment, kube } from './kube-client.ts';

const NS = 'big';
/** Pods that never get ready and pods that cannot pull their image, beside the Running ones. */
const EXTRA = 40;

/** Starts recording frame intervals and long tasks in the page. */
const startRecording = () => {
  const w = window as any;
  const rec = (w.__frames = { intervals: [] as number[], longTasks: [] as number[], running: true, last: performance.now() });
  const tick = (t: number) => { rec.intervals.push(t - rec.last); rec.last = t; if (rec.running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) rec.longTasks.push(e.duration); });
  obs.observe({ type: 'longtask', buffered: false });
  w.__framesObs = obs;
};

const stopRecording = () => {
  const w = window as any;
  w.__frames.running = false;
  w.__framesObs.disconnect();
  return { intervals: w.__frames.intervals as number[], longTasks: w.__frames.longTasks as number[] };
};

/** The page's own costs: its longest grid draw and longest handling of one watch chunk, then reset. */
const pageCosts = () => {
  const ui = (window as any).skiffUI;
  const out = { draw: ui.nodes.perf.maxMs, batch: Math.max(...ui.informers.map((i: any) => i.status.maxBatchMs)) };
  ui.nodes.perf.maxMs = 0;
  for (const i of ui.informers) i.status.maxBatchMs = 0;
  return out;
};

function describeCosts(label: string, c: { draw: number; batch: number }) {
  return { [`${label}: longest grid draw / watch chunk handling (ms)`]: `${c.draw.toFixed(1)} / ${c.batch.toFixed(1)}` };
}

function describeFrames(label: string, r: { intervals: number[]; longTasks: number[] }): Record<string, string | number> {
  const s = [...r.intervals].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return {
    [`${label}: frames`]: s.length,
    [`${label}: frame interval median / p99 / max (ms)`]: `${q(0.5).toFixed(1)} / ${q(0.99).toFixed(1)} / ${(s[s.length - 1] ?? 0).toFixed(1)}`,
    [`${label}: frames over 50 ms`]: s.filter((x) => x > 50).length,
    [`${label}: long tasks (> 50 ms), longest (ms)`]: `${r.longTasks.length}, ${(Math.max(0, ...r.longTasks)).toFixed(1)}`,
  };
}

export async function bigClusterFigures(opts: { screenshot?: string; nodes?: number; pods?: number; deployments?: number } = {}): Promise<Record<string, string | number>> {
  const nodes = opts.nodes ?? 1000, pods = opts.pods ?? 10_000, deployments = opts.deployments ?? 10;
  const c = await startCluster({ nodes });
  const browser = await launch();
  const figures: Record<string, string | number> = {};
  try {
    const api = kube(c);
    await api('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
    ctx.setDefaultTimeout(120_000);
    const page = await ctx.newPage();
    await page.goto(c.uiUrl);
    await page.waitForFunction(() => document.body.dataset.state === 'live', undefined, { timeout: 120_000 });

    // The pods arrive: 10 Deployments at once, watched live by the page.
    await page.evaluate(pageCosts);
    await page.evaluate(startRecording);
    const t0 = Date.now();
    for (let i = 0; i < deployments; i++) {
      const r = await api('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(`app-${i}`, pods / deployments));
      if (r.code !== 201) throw new Error(`create app-${i}: ${r.code} ${JSON.stringify(r.body)}`);
    }
    await page.waitForFunction((n) => (window as any).skiffUI.snapshot({ withPods: false }).drawnPods.running === n, pods, { timeout: 600_000, polling: 1000 });
    figures['pods created to all drawn Running (s)'] = ((Date.now() - t0) / 1000).toFixed(1);
    Object.assign(figures, describeFrames('while pods start', await page.evaluate(stopRecording)), describeCosts('while pods start', await page.evaluate(pageCosts)));

    // A few cordoned nodes and some pods in trouble, so the picture shows what they look like.
    for (const n of [3, 4, 250, 777]) await api('PATCH', `/api/v1/nodes/skiff-node-${n}`, { spec: { unschedulable: true } }, 'application/merge-patch+json');
    await api('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('never-ready', EXTRA / 2, { annotations: { 'skiff.dev/never-ready': 'true' } }));
    await api('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('bad-image', EXTRA / 2, { annotations: { 'skiff.dev/image-pull-error': 'true' } }));
    await page.waitForFunction((half) => {
      const s = (window as any).skiffUI.snapshot({ withPods: false });
      return Object.values(s.nodes).filter((n: any) => n.cordoned).length === 4 && s.drawnPods.notready === half && s.drawnPods.failed === half;
    }, EXTRA / 2, { timeout: 120_000, polling: 500 });
    const s = await page.evaluate(() => (window as any).skiffUI.snapshot({ withPods: false }));
    figures['nodes drawn'] = Object.keys(s.nodes).length;
    figures['pods drawn'] = Object.values(s.drawnPods as Record<string, number>).reduce((a, b) => a + b, 0);
    figures['pods drawn Running and ready'] = s.drawnPods.running;
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot });

    // One full redraw of the grid, 30 times.
    const draws = await page.evaluate(() => {
      const v = (window as any).skiffUI.nodes;
      const out: number[] = [];
      for (let i = 0; i < 30; i++) { const t = performance.now(); v.draw(); out.push(performance.now() - t); }
      return out.sort((a, b) => a - b);
    });
    figures['full redraw of the grid median / max (ms)'] = `${draws[15].toFixed(1)} / ${draws[29].toFixed(1)}`;

    // A rollout of 2 Deployments: 2,000 pods replaced while the page watches.
    await page.evaluate(pageCosts);
    await page.evaluate(startRecording);
    const oldOwners = await page.evaluate(() => [...new Set([...(window as any).skiffUI.model.pods.items.values()].map((p: any) => p.owner).filter((o: string) => /^ReplicaSet\/app-[01]-/.test(o)))]);
    if (oldOwners.length !== 2) throw new Error(`expected the ReplicaSets of app-0 and app-1, got ${oldOwners.join(', ')}`);
    const t1 = Date.now();
    for (const i of [0, 1]) {
      await api('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/app-${i}`, { spec: { template: { metadata: { annotations: { restartedAt: String(t1) } } } } }, 'application/merge-patch+json');
    }
    // Done when every pod of the two is owned by a new ReplicaSet and all are drawn Running again.
    await page.waitForFunction(({ n, extra, old }) => {
      const ui = (window as any).skiffUI;
      if (ui.model.pods.items.size !== n + extra || ui.snapshot({ withPods: false }).drawnPods.running !== n) return false;
      for (const p of ui.model.pods.items.values()) if (old.includes(p.owner)) return false;
      return true;
    }, { n: pods, extra: EXTRA, old: oldOwners }, { timeout: 600_000, polling: 1000 });
    figures['rollout of 2,000 pods to all drawn Running (s)'] = ((Date.now() - t1) / 1000).toFixed(1);
    Object.assign(figures, describeFrames('during the rollout', await page.evaluate(stopRecording)), describeCosts('during the rollout', await page.evaluate(pageCosts)));
  } finally {
    await browser.close();
    await c.stop();
  }
  return figures;
}
