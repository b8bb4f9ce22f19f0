// Workloads: Deployments, StatefulSets, DaemonSets and Jobs with ready/desired bars; rollouts in
// progress highlighted. Rows are kept in the DOM by key and only changed rows are rewritten.
import { esc } from './nodes-view.js';

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];
const MAX_ROWS = 1000;

export class WorkloadsView {
  constructor(root, model) {
    this.tbody = root.querySelector('#wl-table tbody');
    this.filter = root.querySelector('#wl-filter');
    this.rollingOnly = root.querySelector('#wl-rolling');
    this.summary = root.querySelector('#wl-summary');
    this.model = model;
    this.rows = new Map(); // key → { tr, html }
    this.filter.addEventListener('input', () => this.draw());
    this.rollingOnly.addEventListener('change', () => this.draw());
  }

  all() {
    const out = [];
    for (const kind of KINDS) for (const w of this.model.workloads.get(kind).items.values()) out.push(w);
    return out.sort((a, b) => (a.ns === b.ns ? (a.name === b.name ? a.kind.localeCompare(b.kind) : a.name.localeCompare(b.name)) : a.ns.localeCompare(b.ns)));
  }

  draw() {
    const q = this.filter.value.trim().toLowerCase();
    const all = this.all();
    const shown = all.filter((w) => (!this.rollingOnly.checked || w.rolling) && (!q || `${w.kind} ${w.ns} ${w.name}`.toLowerCase().includes(q)));
    const rolling = all.filter((w) => w.rolling).length;
    this.summary.textContent = `${all.length} workloads, ${rolling} rolling out${shown.length > MAX_ROWS ? ` (first ${MAX_ROWS} of ${shown.length} shown)` : ''}`;
    const keep = new Set();
    let prev = null;
    for (const w of shown.slice(0, MAX_ROWS)) {
      keep.add(w.key);
      let row = this.rows.get(w.key);
      const html = rowHtml(w);
      if (!row) {
        row = { tr: document.createElement('tr'), html: '' };
        row.tr.dataset.key = w.key;
        this.rows.set(w.key, row);
      }
      if (row.html !== html) {
        row.tr.innerHTML = html;
        // Widths through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
        for (const el of row.tr.querySelectorAll('[data-w]')) el.style.width = el.dataset.w;
        row.html = html;
        row.tr.className = w.failed ? 'failed' : w.rolling ? 'rolling' : '';
        row.tr.dataset.ready = String(w.ready);
        row.tr.dataset.desired = String(w.desired);
        row.tr.dataset.rolling = String(w.rolling);
      }
      const next = prev ? prev.nextSibling : this.tbody.firstChild;
      if (next !== row.tr) this.tbody.insertBefore(row.tr, next);
      prev = row.tr;
    }
    for (const [k, row] of this.rows) if (!keep.has(k)) { row.tr.remove(); this.rows.delete(k); }
  }
}

function rowHtml(w) {
  const max = Math.max(w.desired, w.ready, 1);
  const pct = (v) => `${Math.min(100, (100 * v) / max).toFixed(1)}%`;
  const bar = `<div class="bar" title="${w.ready} ready of ${w.desired}"><div class="updated" data-w="${pct(w.updated)}"></div><div class="ready" data-w="${pct(w.ready)}"></div></div>`;
  const status = w.note || (w.ready >= w.desired ? 'ok' : '');
  return `<td>${esc(w.kind)}</td><td>${esc(w.ns)}</td><td>${esc(w.name)}</td><td class="num">${w.ready} / ${w.desired}</td><td>${bar}</td><td>${w.rolling ? '<span class="badge">rolling out</span> ' : ''}${esc(status)}</td>`;
}
