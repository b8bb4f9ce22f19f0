// Events as a live timeline on simulated time: a histogram of the kept events (warnings in red) and
// the newest matching events as a list, filtered by text, type and the involved object's kind.
import { eventLi } from './details.js';

const MAX_ROWS = 300;
const BUCKETS = 120;

export class EventsView {
  constructor(root, model) {
    this.model = model;
    this.list = root.querySelector('#ev-list');
    this.hist = root.querySelector('#ev-hist');
    this.filter = root.querySelector('#ev-filter');
    this.type = root.querySelector('#ev-type');
    this.kind = root.querySelector('#ev-kind');
    this.pause = root.querySelector('#ev-pause');
    this.summary = root.querySelector('#ev-summary');
    this.kinds = new Set();
    for (const el of [this.filter, this.type, this.kind]) el.addEventListener('input', () => this.draw(true));
    this.pause.addEventListener('change', () => this.draw(true));
  }

  matching() {
    const q = this.filter.value.trim().toLowerCase();
    const type = this.type.value, kind = this.kind.value;
    return this.model.events.list().filter((e) => (!type || e.type === type) && (!kind || e.kind === kind)
      && (!q || `${e.reason} ${e.kind} ${e.ns}/${e.name} ${e.message} ${e.source}`.toLowerCase().includes(q)));
  }

  draw(force = false) {
    if (this.pause.checked && !force) return;
    const all = this.model.events.list();
    for (const e of all) if (e.kind && !this.kinds.has(e.kind)) {
      this.kinds.add(e.kind);
      const o = document.createElement('option');
      o.textContent = e.kind;
      this.kind.append(o);
    }
    const shown = this.matching();
    this.summary.textContent = `${shown.length} of ${all.length} events`;
    this.list.dataset.count = String(shown.length);
    this.list.innerHTML = shown.slice(-MAX_ROWS).reverse().map((e) => eventLi(e, true)).join('');
    this.drawHistogram(shown);
  }

  drawHistogram(events) {
    const c = this.hist, dpr = window.devicePixelRatio || 1;
    const w = Math.max(100, this.list.clientWidth), h = 60;
    c.width = w * dpr; c.height = h * dpr; c.style.width = `${w}px`; c.style.height = `${h}px`;
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (!events.length) return;
    const t0 = events[0].t, t1 = Math.max(events[events.length - 1].t, t0 + 1000);
    const normal = new Array(BUCKETS).fill(0), warn = new Array(BUCKETS).fill(0);
    for (const e of events) {
      const b = Math.min(BUCKETS - 1, Math.floor(((e.t - t0) / (t1 - t0)) * BUCKETS));
      (e.type === 'Warning' ? warn : normal)[b]++;
    }
    const max = Math.max(1, ...normal.map((v, i) => v + warn[i]));
    const bw = w / BUCKETS;
    for (let i = 0; i < BUCKETS; i++) {
      const hn = (normal[i] / max) * (h - 14), hw = (warn[i] / max) * (h - 14);
      ctx.fillStyle = '#4c8fe0'; ctx.fillRect(i * bw, h - 12 - hn, bw - 1, hn);
      ctx.fillStyle = '#e5484d'; ctx.fillRect(i * bw, h - 12 - hn - hw, bw - 1, hw);
    }
    ctx.fillStyle = '#8a94a6';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText(new Date(t0).toISOString().replace('T', ' ').slice(0, 19), 2, h - 1);
    const end = new Date(t1).toISOString().replace('T', ' ').slice(0, 19);
    ctx.fillText(end, w - ctx.measureText(end).width - 2, h - 1);
  }
}
