// The page: signs in with a bearer token, starts one informer per kind it shows, and redraws the
// visible view at most once per animation frame when the model changed. `window.skiffUI` exposes
// the model and what was drawn, for tests and for poking at from the console.
import { Api, Informer } from './kube.js';
import { Model } from './model.js';
import { NodesView } from './nodes-view.js';
import { WorkloadsView } from './workloads-view.js';
import { EventsView } from './events-view.js';
import { ClockPanel } from './clock.js';
import { Details } from './details.js';

const TOKEN_KEY = 'skiff.token';
const GRID_MS = 100;
const $ = (sel) => document.querySelector(sel);

const RESOURCES = [
  ['nodes', '/api/v1/nodes', (m) => m.nodes],
  ['pods', '/api/v1/pods', (m) => m.pods],
  ['events', '/api/v1/events', (m) => m.events],
  ['deployments', '/apis/apps/v1/deployments', (m) => m.workloads.get('Deployment')],
  ['statefulsets', '/apis/apps/v1/statefulsets', (m) => m.workloads.get('StatefulSet')],
  ['daemonsets', '/apis/apps/v1/daemonsets', (m) => m.workloads.get('DaemonSet')],
  ['jobs', '/apis/batch/v1/jobs', (m) => m.workloads.get('Job')],
  ['cronjobs', '/apis/batch/v1/cronjobs', (m) => m.workloads.get('CronJob')],
];

// A browser opens at most 6 HTTP/1.1 connections to one server and each watch holds one, so only
// the visible view's resources are watched (at most 4 at once, leaving room for other requests).
// A view's informers resume from their last resourceVersion when it is shown again (or list, on 410).
const VIEW_RESOURCES = {
  nodes: ['nodes', 'pods', 'events'],
  workloads: ['deployments', 'statefulsets', 'daemonsets', 'jobs'],
  events: ['events'],
  time: ['cronjobs', 'events'],
};

/** The token from the #token=… fragment (then removed from the address bar), or this tab's session. */
function takeToken() {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function askToken(message) {
  document.body.dataset.state = 'signin';
  $('#login-error').textContent = message ?? '';
  const dlg = $('#login');
  if (!dlg.open) dlg.showModal();
  return new Promise((resolve) => {
    $('#login-form').addEventListener('submit', () => {
      const t = $('#login-token').value.trim();
      sessionStorage.setItem(TOKEN_KEY, t);
      resolve(t);
    }, { once: true });
  });
}

async function signIn() {
  let token = takeToken();
  let message;
  for (;;) {
    if (!token) token = await askToken(message);
    const api = new Api(token, () => {});
    try {
      await api.get('/api');
      return api;
    } catch (e) {
      message = e.code === 401 ? 'That token was not accepted (401 Unauthorized).' : `The server could not be reached: ${e.message}`;
      sessionStorage.removeItem(TOKEN_KEY);
      token = '';
    }
  }
}

class App {
  constructor(api) {
    this.api = api;
    this.model = new Model();
    this.view = 'nodes';
    this.dirty = new Set();
    this.frame = 0;
    this.details = new Details($('#details'), $('#details-body'), this.model, api);
    this.nodes = new NodesView($('#grid'), $('#tip'), this.model, {
      onSelect: (hit) => {
        this.changed('select');
        void this.details.show(hit.pod ? 'Pod' : 'Node', hit.pod?.ns ?? '', hit.pod?.name ?? hit.node.name);
      },
    });
    this.workloads = new WorkloadsView($('#view-workloads'), this.model);
    this.events = new EventsView($('#view-events'), this.model);
    this.clock = new ClockPanel(api, { big: $('#clock-now'), scaleEl: $('#clock-scale'), mini: $('#clock-mini'), msg: $('#clock-msg'), cronBody: $('#cron-table tbody') }, this.model);
    this.lastSlow = 0;
    this.lastGrid = 0;
    api.onUnauthorized = () => { this.stop(); sessionStorage.removeItem(TOKEN_KEY); location.reload(); };
    this.byName = new Map();
    this.informers = RESOURCES.map(([name, path, coll]) => new Informer(api, path, {
      onReset: (items) => { coll(this.model).reset(items); this.changed(name); },
      onEvent: (type, obj) => coll(this.model).apply(type, obj),
      onBatchEnd: () => this.changed(name),
    }));
    RESOURCES.forEach(([name], i) => this.byName.set(name, this.informers[i]));
    for (const b of document.querySelectorAll('#tabs [data-view]')) b.addEventListener('click', () => this.show(b.dataset.view));
    new ResizeObserver(() => this.changed('resize')).observe($('#grid-wrap'));
  }

  start() {
    document.body.dataset.state = 'loading';
    this.watchFor(this.view);
    this.clock.start();
    this.statusTimer = setInterval(() => this.drawStatus(), 1000);
  }

  stop() { for (const i of this.informers) i.stop(); }

  /** Watch what `view` shows; stop the other watches. */
  watchFor(view) {
    const want = new Set(VIEW_RESOURCES[view]);
    for (const [name, inf] of this.byName) if (!want.has(name)) inf.stop();
    for (const name of want) this.byName.get(name).start();
  }

  viewInformers() { return VIEW_RESOURCES[this.view].map((n) => this.byName.get(n)); }

  show(view) {
    this.view = view;
    this.watchFor(view);
    // Node and pod details belong to the nodes view, whose kinds are no longer watched elsewhere.
    if (view !== 'nodes') this.details.close();
    document.body.dataset.state = this.viewInformers().every((i) => i.status.synced) ? 'live' : 'loading';
    for (const s of document.querySelectorAll('.view')) s.hidden = s.dataset.view !== view;
    for (const b of document.querySelectorAll('#tabs [data-view]')) b.setAttribute('aria-selected', String(b.dataset.view === view));
    this.changed('view');
  }

  changed(what) {
    this.dirty.add(what);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  render() {
    this.frame = 0;
    const dirty = this.dirty;
    this.dirty = new Set();
    const now = performance.now();
    // The grid is drawn again only for what it shows (not for each new Event), and during a burst
    // of changes at most every GRID_MS, leaving the main thread to the watches in between.
    if (this.view === 'nodes' && ['nodes', 'pods', 'resize', 'view', 'select', 'grid'].some((k) => dirty.has(k))) {
      const wait = GRID_MS - (now - this.lastGrid);
      if (wait <= 0 || dirty.has('view') || dirty.has('resize') || dirty.has('select')) {
        this.lastGrid = now;
        this.nodes.draw();
        this.drawSummary();
      } else if (!this.gridTimer) {
        this.gridTimer = setTimeout(() => { this.gridTimer = 0; this.changed('grid'); }, wait);
      }
    }
    if (this.view === 'workloads') this.workloads.draw();
    if (this.view === 'time') this.clock.drawCronJobs();
    // The event list and the details panel are text: redrawn at most twice a second.
    if (now - this.lastSlow > 500 || dirty.has('view')) {
      this.lastSlow = now;
      if (this.view === 'events') this.events.draw();
      this.details.render();
    } else if ((this.view === 'events' || this.details.current) && !this.slowTimer) {
      this.slowTimer = setTimeout(() => { this.slowTimer = 0; this.changed('slow'); }, 500);
    }
    if (this.viewInformers().every((i) => i.status.synced)) document.body.dataset.state = 'live';
  }

  drawSummary() {
    let cordoned = 0, notReady = 0;
    for (const n of this.model.nodes.items.values()) { if (n.cordoned) cordoned++; if (n.ready !== 'True') notReady++; }
    const counts = {};
    let unscheduled = 0;
    for (const p of this.model.pods.items.values()) {
      const c = p.cls;
      counts[c] = (counts[c] ?? 0) + 1;
      if (!p.node) unscheduled++;
    }
    const pods = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
    $('#nodes-summary').textContent = `${this.model.nodes.items.size} nodes (${cordoned} cordoned, ${notReady} NotReady) · ${this.model.pods.items.size} pods${pods ? `: ${pods}` : ''}${unscheduled ? ` · ${unscheduled} not scheduled` : ''}`;
  }

  drawStatus() {
    const st = this.viewInformers().map((i) => i.status);
    const synced = st.filter((s) => s.synced).length;
    const trouble = st.filter((s) => s.error);
    const el = $('#conn');
    el.textContent = trouble.length ? `reconnecting (${trouble.length})` : synced === st.length ? 'live' : `loading ${synced}/${st.length}`;
    el.className = trouble.length ? 'bad' : synced === st.length ? 'ok' : '';
    el.title = st.map((s) => `${s.path}: rv ${s.resourceVersion}, ${s.watches} watches, ${s.relistsOn410} relists on 410, ${s.reconnects} reconnects${s.error ? `, ${s.error}` : ''}`).join('\n');
  }

  /** What the page shows, for tests: drawn tiles, counts and informer states. */
  snapshot({ withPods = true } = {}) {
    const pods = {};
    const podClasses = {};
    for (const p of this.model.pods.items.values()) {
      const c = p.cls;
      podClasses[c] = (podClasses[c] ?? 0) + 1;
      if (withPods) pods[p.key] = { node: p.node, phase: p.phase, ready: p.ready, class: c };
    }
    const drawnPods = {};
    for (const d of this.nodes.drawn.values()) for (const [k, v] of Object.entries(d.counts)) drawnPods[k] = (drawnPods[k] ?? 0) + v;
    return {
      state: document.body.dataset.state,
      informers: this.informers.map((i) => ({ ...i.status, active: i.active })),
      nodes: Object.fromEntries([...this.nodes.drawn].map(([k, v]) => [k, { cordoned: v.cordoned, notReady: v.notReady, pods: v.pods, counts: v.counts }])),
      pods,
      podClasses,
      drawnPods,
      clock: this.clock.state ? new Date(this.clock.state.now).toISOString() : '',
      perf: { ...this.nodes.perf },
    };
  }
}

const api = await signIn();
$('#login').close?.();
const app = new App(api);
window.skiffUI = app;
app.start();
