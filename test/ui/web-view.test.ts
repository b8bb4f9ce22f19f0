// The web view driven in real headless Chromium (test/ui/browser.ts), opened with its #token= link:
// 50 nodes, a Deployment's pods seen Running, a cordon seen marked, node and pod details, the
// workloads and events views, the clock advanced from the page, and the informers resuming and
// relisting after a 410. Then 1,000 nodes and 10,000 pods: the README's screenshot and the frame
// times (printed, not asserted: see bench/ui.ts). Screenshots go to test-artifacts/ui/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';
import { ARTIFACTS, browserUnavailable, launch } from './browser.ts';
import { deployment, kube } from './kube-client.ts';
import { bigClusterFigures } from './big-cluster.ts';

const skip = browserUnavailable();
if (skip) console.log(`# web view browser tests skipped: ${skip}`);

type Browser = Awaited<ReturnType<typeof launch>>;
type Page = Awaited<ReturnType<Awaited<ReturnType<Browser['newContext']>>['newPage']>>;

const NS = 'ui-test';
const snap = (page: Page, withPods = true) => page.evaluate((w) => (window as any).skiffUI.snapshot({ withPods: w }), withPods);
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

describe('web view in headless Chromium (50 nodes)', { skip, timeout: 180_000 }, () => {
  let c: Cluster;
  let browser: Browser;
  let page: Page;
  let api: ReturnType<typeof kube>;
  const pageErrors: string[] = [];

  before(async () => {
    c = await startCluster({ nodes: 50 });
    api = kube(c);
    browser = await launch();
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
    ctx.setDefaultTimeout(60_000);
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    assert.equal((await api('POST', '/api/v1/namespaces', { metadata: { name: NS } })).code, 201);
  });
  after(async () => { await browser?.close(); await c?.stop(); });

  test('the #token= link signs in, keeps the token in the tab session only, and shows every node', async () => {
    assert.match(c.uiUrl, /\/skiff\/ui\/#token=/);
    await page.goto(c.uiUrl);
    await page.waitForFunction(() => document.body.dataset.state === 'live', undefined, { timeout: 30_000 });
    assert.ok(!page.url().includes('token'), `the token is removed from the address bar: ${page.url()}`);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('skiff.token')), c.token);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await page.waitForFunction(() => Object.keys((window as any).skiffUI.snapshot({ withPods: false }).nodes).length === 50);
    const s = await snap(page);
    // The nodes view watches nodes, pods and events; the other views' kinds wait until shown.
    const active = s.informers.filter((i: any) => i.active).map((i: any) => i.path);
    assert.deepEqual(active, ['/api/v1/nodes', '/api/v1/pods', '/api/v1/events']);
    assert.ok(s.informers.every((i: any) => (i.active ? i.synced && i.lists === 1 && i.watches === 1 : i.lists === 0)), JSON.stringify(s.informers));
    assert.deepEqual(pageErrors, []);
  });

  test('a Deployment\'s pods are drawn Running on their nodes', async () => {
    const r = await api('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('web', 3));
    assert.equal(r.code, 201, JSON.stringify(r.body));
    await page.waitForFunction((ns) => {
      const s = (window as any).skiffUI.snapshot();
      const web = Object.entries(s.pods).filter(([k]) => k.startsWith(`${ns}/web-`));
      return web.length === 3 && web.every(([, p]: any) => p.class === 'running');
    }, NS, { timeout: 60_000 });
    await page.waitForTimeout(100);
    const s = await snap(page);
    const nodesWithWeb = new Set(Object.entries(s.pods).filter(([k]) => k.startsWith(`${NS}/web-`)).map(([, p]: any) => p.node));
    let drawnRunning = 0;
    for (const n of nodesWithWeb) drawnRunning += s.nodes[n as string].counts.running;
    assert.ok(drawnRunning >= 3, `the canvas drew the running pods on their nodes: ${drawnRunning}`);
    await shot(page, '50-nodes-deployment-running');
  });

  test('pods that never get ready and pods that cannot pull their image get their own colours; a node without a kubelet is NotReady', async () => {
    const never = deployment('never-ready', 2, { annotations: { 'skiff.dev/never-ready': 'true' } });
    const pull = deployment('bad-image', 2, { annotations: { 'skiff.dev/image-pull-error': 'true' } });
    for (const d of [never, pull]) assert.equal((await api('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, d)).code, 201);
    // A Node nobody runs a kubelet for never reports Ready.
    assert.equal((await api('POST', '/api/v1/nodes', { metadata: { name: 'ghost' } })).code, 201);
    await page.waitForFunction((ns) => {
      const s = (window as any).skiffUI.snapshot();
      const cls = (prefix: string) => Object.entries(s.pods).filter(([k]) => k.startsWith(`${ns}/${prefix}-`)).map(([, p]: any) => p.class);
      return cls('never-ready').join() === 'notready,notready' && cls('bad-image').join() === 'failed,failed' && s.nodes.ghost?.notReady === true
        && s.drawnPods.notready >= 2 && s.drawnPods.failed >= 2;
    }, NS, { timeout: 60_000 });
    const s = await snap(page, false);
    assert.equal(Object.values(s.nodes).filter((n: any) => n.notReady).length, 1);
    assert.match(await page.textContent('#nodes-summary') ?? '', /1 NotReady/);
    await shot(page, '50-nodes-colours');
    for (const d of ['never-ready', 'bad-image']) assert.equal((await api('DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/${d}`)).code, 200);
    assert.equal((await api('DELETE', '/api/v1/nodes/ghost')).code, 200);
  });

  test('a cordoned node is marked, and the hover tip says so', async () => {
    const r = await api('PATCH', '/api/v1/nodes/skiff-node-7', { spec: { unschedulable: true } }, 'application/merge-patch+json');
    assert.equal(r.code, 200, JSON.stringify(r.body));
    await page.waitForFunction(() => (window as any).skiffUI.snapshot({ withPods: false }).nodes['skiff-node-7']?.cordoned === true, undefined, { timeout: 30_000 });
    const s = await snap(page, false);
    assert.equal(Object.values(s.nodes).filter((n: any) => n.cordoned).length, 1);
    const at = await page.evaluate(() => (window as any).skiffUI.nodes.tileCenter('skiff-node-7'));
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector('#tip:not([hidden])');
    assert.match(await page.textContent('#tip') ?? '', /skiff-node-7.*cordoned/s);
    assert.match(await page.textContent('#nodes-summary') ?? '', /1 cordoned/);
    await shot(page, '50-nodes-cordoned');
  });

  test('clicking a pod\'s mark shows the pod with its events; its node link shows the node', async () => {
    const key = await page.evaluate((ns) => Object.keys((window as any).skiffUI.snapshot().pods).find((k) => k.startsWith(`${ns}/web-`)), NS);
    const at = await page.evaluate((k) => (window as any).skiffUI.nodes.markCenter(k), key);
    assert.ok(at, 'the pod has a mark');
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((k) => document.querySelector('#details h2')?.textContent === `Pod ${k}`, key);
    await page.waitForFunction(() => /container app/.test(document.querySelector('#details')?.textContent ?? ''));
    await page.waitForFunction(() => /Scheduled/.test(document.querySelector('#details .mini-events')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await shot(page, '50-nodes-pod-details');
    await page.click('#details [data-node]');
    await page.waitForFunction(() => /^Node skiff-node-/.test(document.querySelector('#details h2')?.textContent ?? ''));
    assert.match(await page.textContent('#details') ?? '', /Pods/);
    await page.click('#details-close');
  });

  test('the workloads view shows the Deployment\'s bar and highlights a rollout in progress', async () => {
    await page.click('#tabs [data-view="workloads"]');
    const row = `#wl-table tr[data-key="Deployment/${NS}/web"]`;
    await page.waitForSelector(`${row}[data-ready="3"][data-desired="3"][data-rolling="false"]`);
    const active = (await snap(page, false)).informers.filter((i: any) => i.active).map((i: any) => i.path);
    assert.deepEqual(active, ['/apis/apps/v1/deployments', '/apis/apps/v1/statefulsets', '/apis/apps/v1/daemonsets', '/apis/batch/v1/jobs']);
    // Scaling to 30 puts the rollout in progress until every new pod is available.
    const r = await api('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web`, { spec: { replicas: 30 } }, 'application/merge-patch+json');
    assert.equal(r.code, 200);
    await page.waitForSelector(`${row}.rolling[data-desired="30"][data-rolling="true"]`);
    assert.match(await page.textContent(row) ?? '', /rolling out/);
    await shot(page, '50-nodes-workloads-rolling');
    await page.waitForSelector(`${row}[data-ready="30"][data-rolling="false"]`, { timeout: 60_000 });
    await shot(page, '50-nodes-workloads');
  });

  test('the events view filters the live timeline', async () => {
    await page.click('#tabs [data-view="events"]');
    await page.fill('#ev-filter', 'Scheduled');
    await page.waitForFunction(() => Number(document.querySelector('#ev-list')?.getAttribute('data-count')) >= 30);
    const rows = await page.$$eval('#ev-list li', (li) => li.map((x) => x.textContent ?? ''));
    assert.ok(rows.length > 0 && rows.every((t) => t.includes('Scheduled')), rows.slice(0, 3).join('\n'));
    await shot(page, '50-nodes-events');
    // The pods that could not pull their image left warnings.
    await page.fill('#ev-filter', '');
    await page.selectOption('#ev-type', 'Warning');
    await page.waitForFunction(() => {
      const li = [...document.querySelectorAll('#ev-list li')];
      return li.length > 0 && li.every((x) => x.classList.contains('warning'));
    });
    assert.match(await page.textContent('#ev-list') ?? '', /pull|image/i);
    await shot(page, '50-nodes-events-warnings');
    await page.selectOption('#ev-type', '');
  });

  test('advancing the clock from the page moves the server\'s simulated time, and a CronJob runs', async () => {
    const cron = { metadata: { name: 'tick' }, spec: { schedule: '*/10 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } } };
    assert.equal((await api('POST', `/apis/batch/v1/namespaces/${NS}/cronjobs`, cron)).code, 201);
    await page.click('#tabs [data-view="time"]');
    await page.waitForFunction(() => /tick/.test(document.querySelector('#cron-table')?.textContent ?? ''));
    assert.match(await page.textContent('#cron-table') ?? '', /tick\s*\*\/10 \* \* \* \*\s*never/);
    await page.waitForFunction(() => document.querySelector('#clock-now')?.getAttribute('data-now'));
    const before = Date.parse((await page.getAttribute('#clock-now', 'data-now'))!);
    await page.click('button[data-advance="1h"]');
    await page.waitForFunction((b) => Date.parse(document.querySelector('#clock-now')!.getAttribute('data-now')!) >= b + 3600_000, before);
    const server = await api('GET', '/skiff/v1/clock');
    assert.ok(Date.parse(server.body.now) >= before + 3600_000, `server clock moved: ${server.body.now}`);
    // The CronJob's schedule came due in the hour that passed: the page shows when it last ran.
    await page.waitForFunction(() => /tick\s*\*\/10 \* \* \* \*\s*\d{4}-/.test(document.querySelector('#cron-table')?.textContent ?? ''));
    await page.fill('#advance-input', 'soon');
    await page.click('#advance-form button');
    await page.waitForFunction(() => /duration/.test(document.querySelector('#clock-msg')?.textContent ?? ''));
    await shot(page, '50-nodes-time');
    await page.click('#tabs [data-view="nodes"]');
  });

  test('a dropped watch resumes from its resourceVersion; a compacted one relists on 410', async () => {
    const podsInformer = () => page.evaluate(() => ({ ...(window as any).skiffUI.informers[1].status }));
    await page.waitForFunction(() => (window as any).skiffUI.informers[1].status.watching);
    // The clock test before this one moved simulated time an hour on, so retention may compact
    // everything the pods informer has seen so far. A pod write it sees first gives it a resume point
    // younger than any retention compaction.
    const pod = (await api('GET', `/api/v1/namespaces/${NS}/pods`)).body.items.find((p: any) => p.metadata.name.startsWith('web-'));
    const touched = await api('PATCH', `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}`, { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
    assert.equal(touched.code, 200);
    await page.waitForFunction((rv) => Number((window as any).skiffUI.informers[1].status.resourceVersion) >= rv, Number(touched.body.metadata.resourceVersion), { timeout: 10_000 });
    const s0 = await podsInformer();
    await page.evaluate(() => (window as any).skiffUI.informers[1].reconnect());
    await page.waitForFunction((w) => { const s = (window as any).skiffUI.informers[1].status; return s.watches > w && s.watching; }, s0.watches, { timeout: 10_000 });
    const s1 = await podsInformer();
    assert.equal(s1.lists, s0.lists, 'a resumed watch does not list again');
    // The informer is stopped, so nothing it receives can move its resourceVersion; then a write it
    // does not see and a compaction past it. Started again, it resumes from before the compaction:
    // 410 Expired, and it lists again. (Dropping the connection instead raced with bookmarks and pod
    // events that legitimately moved the resume point past the compaction; that made the test flaky.)
    await page.evaluate(() => (window as any).skiffUI.informers[1].stop());
    await page.waitForFunction(() => !(window as any).skiffUI.informers[1].status.watching, undefined, { timeout: 10_000 });
    const stoppedAt = (await podsInformer()).resourceVersion;
    await api('POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'bump-410' } });
    await c.server.backend.compact(c.server.backend.currentRevision());
    assert.ok(Number(stoppedAt) < c.server.backend.currentRevision(), `resume point ${stoppedAt} is before the compaction`);
    await page.evaluate(() => (window as any).skiffUI.informers[1].start());
    await page.waitForFunction(() => (window as any).skiffUI.informers[1].status.relistsOn410 >= 1, undefined, { timeout: 30_000 });
    await page.waitForFunction((l) => (window as any).skiffUI.informers[1].status.lists > l, s1.lists, { timeout: 10_000 });
    // Still current after the relist: a pod deleted now disappears from the page.
    const key = await page.evaluate((ns) => Object.keys((window as any).skiffUI.snapshot().pods).find((k) => k.startsWith(`${ns}/web-`)), NS);
    assert.ok(key);
    const [ns, name] = key.split('/');
    assert.equal((await api('DELETE', `/api/v1/namespaces/${ns}/pods/${name}?gracePeriodSeconds=0`)).code, 200);
    await page.waitForFunction((k) => !(k in (window as any).skiffUI.snapshot().pods), key, { timeout: 30_000 });
    assert.deepEqual(pageErrors, []);
  });
});

describe('web view sign-in without a link', { skip, timeout: 60_000 }, () => {
  test('no token: the page asks; a wrong one is refused with a message; the right one opens the view', async () => {
    const c = await startCluster({ nodes: 2, insecureHttp: true });
    const browser = await launch();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${c.url}/skiff/ui`);
      await page.waitForSelector('#login[open]');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'signin');
      await page.fill('#login-token', 'not-the-token');
      await page.click('#login-form button');
      await page.waitForFunction(() => /not accepted/.test(document.querySelector('#login-error')?.textContent ?? ''));
      assert.equal(await page.evaluate(() => sessionStorage.getItem('skiff.token')), null);
      await page.fill('#login-token', c.token);
      await page.click('#login-form button');
      await page.waitForFunction(() => document.body.dataset.state === 'live');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('skiff.token')), c.token);
      // A reload in the same tab stays signed in; the token never went into the URL.
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === 'live');
      assert.ok(!page.url().includes(c.token));
    } finally {
      await browser.close();
      await c.stop();
    }
  });
});

describe('web view in headless Chromium (1,000 nodes, 10,000 pods)', { skip, timeout: 900_000 }, () => {
  test('the README screenshot, and frame times while 10,000 pods change (printed, not asserted)', async () => {
    const figures = await bigClusterFigures({ screenshot: join(ARTIFACTS, '1000-nodes.png') });
    // Printed here and kept in test-artifacts/ui/figures.txt, which `npm test` prints at its end
    // (its dot reporter shows no test output).
    const lines = Object.entries(figures).map(([k, v]) => `${k}: ${v}`);
    for (const l of lines) console.log(`# ui: ${l}`);
    writeFileSync(join(ARTIFACTS, 'figures.txt'), `${new Date().toISOString()}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n${lines.join('\n')}\n`);
    assert.equal(figures['nodes drawn'], 1000);
    assert.equal(figures['pods drawn Running and ready'], 10_000);
    assert.equal(figures['pods drawn'], 10_040);
  });
});
