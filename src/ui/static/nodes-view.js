// Nodes as a grid of tiles on one canvas: each tile is a node, each small mark in it a pod coloured
// by phase and readiness. Cordoned nodes are striped with an amber frame, NotReady ones red. One
// canvas and batched rectangles per colour keep 5,000 nodes and tens of thousands of pods cheap.

export const COLORS = {
  running: '#2fbf71', notready: '#e3c341', pending: '#8a94a6', succeeded: '#4c8fe0', failed: '#e5484d', terminating: '#9b6cd6', unknown: '#555c66',
};
const TILE_BG = '#1d232c', TILE_BG_NOTREADY = '#4a1c20', FRAME = '#2c3440', FRAME_CORDONED = '#f0a020', FRAME_NOTREADY = '#ff4d4f', STRIPE = 'rgba(240,160,32,0.35)';
const MIN_TILE = 8, MAX_TILE = 140, GAP_RATIO = 0.12;

const natural = new Intl.Collator(undefined, { numeric: true }).compare;

/** Tile size and columns that fit n tiles into w×h (largest tile that fits, within bounds). */
export function layoutGrid(n, w, h) {
  if (n === 0) return { size: MAX_TILE, cols: 1, rows: 0 };
  let size = Math.min(MAX_TILE, Math.floor(Math.sqrt((w * h) / n)));
  while (size > MIN_TILE) {
    const cols = Math.max(1, Math.floor(w / size));
    if (Math.ceil(n / cols) * size <= h) break;
    size--;
  }
  size = Math.max(MIN_TILE, size);
  const cols = Math.max(1, Math.floor(w / size));
  return { size, cols, rows: Math.ceil(n / cols) };
}

const MAX_MARK = 12;

/** Where a tile's pod marks go: `per` marks a row of `cell` px (mark `mark` px), at most `fit` of them. */
export function markGeometry(tileSize, inner, pods) {
  const lw = Math.max(1, Math.min(3, Math.round(tileSize / 16)));
  const pad = lw + 1, area = inner - 2 * pad, header = tileSize >= 64 ? 14 : 0, areaH = Math.max(1, area - header);
  let cell = Math.max(1, Math.min(MAX_MARK, Math.floor(Math.sqrt((area * areaH) / Math.max(pods, 1)))));
  let per = Math.max(1, Math.floor(area / cell));
  while (cell > 1 && Math.ceil(pods / per) * cell > areaH) { cell--; per = Math.max(1, Math.floor(area / cell)); }
  return { lw, pad, header, area, cell, per, mark: cell >= 3 ? cell - 1 : cell, fit: per * Math.max(1, Math.floor(areaH / cell)) };
}

export class NodesView {
  constructor(canvas, tip, model, { onSelect }) {
    this.canvas = canvas;
    this.wrap = canvas.parentElement;
    this.tip = tip;
    this.model = model;
    this.onSelect = onSelect;
    this.order = [];
    this.orderVersion = -1;
    this.orderMembers = -1;
    this.layout = layoutGrid(0, 1, 1);
    this.drawn = new Map(); // node name → what the last frame drew (read by tests)
    this.selected = '';
    this.perf = { frames: 0, lastMs: 0, maxMs: 0, totalMs: 0 };
    canvas.addEventListener('mousemove', (e) => this.hover(e));
    canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
    canvas.addEventListener('click', (e) => {
      const hit = this.hitTest(e.offsetX, e.offsetY);
      if (hit) { this.selected = hit.node.name; this.onSelect(hit); }
    });
  }

  /** Nodes in display order (natural sort by name), sorted again only when nodes come or go. */
  sortedNodes() {
    const nodes = this.model.nodes;
    if (this.orderMembers !== nodes.members) {
      this.order = [...nodes.items.values()].sort((a, b) => natural(a.name, b.name));
      this.orderMembers = nodes.members;
      this.orderVersion = nodes.version;
    } else if (this.orderVersion !== nodes.version) {
      this.order = this.order.map((n) => nodes.items.get(n.key));
      this.orderVersion = nodes.version;
    }
    return this.order;
  }

  draw() {
    const t0 = performance.now();
    const nodes = this.sortedNodes();
    const dpr = window.devicePixelRatio || 1;
    const w = this.wrap.clientWidth;
    const h = Math.max(200, this.wrap.clientHeight);
    const lay = (this.layout = layoutGrid(nodes.length, w, h));
    const cssH = Math.max(h, lay.rows * lay.size);
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${cssH}px`;
    }
    const ctx = this.canvas.getContext('2d', { alpha: false });
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#11151b';
    ctx.fillRect(0, 0, w, cssH);
    const gap = Math.max(1, Math.min(6, Math.round(lay.size * GAP_RATIO)));
    const inner = lay.size - gap;
    const marks = Object.fromEntries(Object.keys(COLORS).map((k) => [k, []]));
    const stripes = [];
    const drawn = new Map();
    const showNames = lay.size >= 64;
    // One mark size for every tile (from the fullest node), so tiles compare at a glance.
    const byNode = this.model.podIndex.byNode;
    let most = 1;
    for (const n of nodes) { const size = byNode.get(n.name)?.size ?? 0; if (size > most) most = size; }
    const geo = (this.geometry = markGeometry(lay.size, inner, most));
    const { lw, pad, header, area, cell, per, mark, fit } = geo;
    ctx.lineWidth = lw;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const x = (i % lay.cols) * lay.size, y = Math.floor(i / lay.cols) * lay.size;
      const notReady = n.ready !== 'True';
      ctx.fillStyle = notReady ? TILE_BG_NOTREADY : TILE_BG;
      ctx.fillRect(x, y, inner, inner);
      if (n.cordoned) stripes.push(x, y, inner);
      const frame = n.name === this.selected ? '#ffffff' : notReady ? FRAME_NOTREADY : n.cordoned ? FRAME_CORDONED : FRAME;
      const pods = byNode.get(n.name);
      ctx.strokeStyle = frame;
      ctx.strokeRect(x + lw / 2, y + lw / 2, inner - lw, inner - lw);
      const counts = { running: 0, notready: 0, pending: 0, succeeded: 0, failed: 0, terminating: 0, unknown: 0 };
      let j = 0;
      for (const pod of pods?.values() ?? []) {
        const cls = pod.cls;
        counts[cls]++;
        if (j < fit) marks[cls].push(x + pad + (j % per) * cell, y + pad + header + Math.floor(j / per) * cell, mark);
        j++;
      }
      if (showNames) {
        ctx.fillStyle = '#c9d1d9';
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(n.name.length > 18 ? `${n.name.slice(0, 17)}…` : n.name, x + pad, y + pad + 10, area);
      }
      drawn.set(n.name, { index: i, x, y, size: inner, cordoned: n.cordoned, notReady, pods: j, counts });
    }
    // Stripes for cordoned tiles, then every pod mark batched by colour.
    if (stripes.length) {
      ctx.strokeStyle = STRIPE;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i < stripes.length; i += 3) {
        const [x, y, s] = [stripes[i], stripes[i + 1], stripes[i + 2]];
        const step = Math.max(4, Math.round(s / 5));
        for (let d = step; d < 2 * s; d += step) {
          const a = Math.min(d, s), b = Math.max(0, d - s);
          ctx.moveTo(x + a, y + (d - a)); ctx.lineTo(x + b, y + (d - b));
        }
      }
      ctx.stroke();
    }
    for (const [cls, list] of Object.entries(marks)) {
      if (!list.length) continue;
      ctx.fillStyle = COLORS[cls];
      ctx.beginPath();
      for (let i = 0; i < list.length; i += 3) ctx.rect(list[i], list[i + 1], list[i + 2], list[i + 2]);
      ctx.fill();
    }
    this.drawn = drawn;
    const ms = performance.now() - t0;
    this.perf.frames++;
    this.perf.lastMs = ms;
    this.perf.totalMs += ms;
    this.perf.maxMs = Math.max(this.perf.maxMs, ms);
  }

  /** The node (and pod, if the point is on its mark) under a point in CSS pixels. */
  hitTest(px, py) {
    const lay = this.layout;
    const col = Math.floor(px / lay.size), row = Math.floor(py / lay.size);
    if (col < 0 || col >= lay.cols) return undefined;
    const node = this.order[row * lay.cols + col];
    if (!node) return undefined;
    const d = this.drawn.get(node.name);
    if (!d) return { node };
    const pods = this.model.podIndex.on(node.name);
    const { pad, header, cell, per, fit } = this.geometry;
    const cx = Math.floor((px - d.x - pad) / cell), cy = Math.floor((py - d.y - pad - header) / cell);
    const j = cy * per + cx;
    const pod = cx >= 0 && cx < per && cy >= 0 && j < fit ? pods[j] : undefined;
    return { node, pod };
  }

  hover(e) {
    const hit = this.hitTest(e.offsetX, e.offsetY);
    if (!hit) { this.tip.hidden = true; return; }
    const n = hit.node;
    const d = this.drawn.get(n.name);
    const lines = [`<b>${esc(n.name)}</b> ${n.ready === 'True' ? 'Ready' : `<span class="bad">NotReady${n.readyReason ? ` (${esc(n.readyReason)})` : ''}</span>`}${n.cordoned ? ' <span class="warn">cordoned</span>' : ''}`,
      `${d?.pods ?? 0} pods${d ? `: ${Object.entries(d.counts).filter(([, v]) => v).map(([k, v]) => `${v} ${k}`).join(', ')}` : ''}`];
    if (hit.pod) lines.push(`<hr><b>${esc(hit.pod.ns)}/${esc(hit.pod.name)}</b>`, `${esc(hit.pod.phase)}${hit.pod.ready ? ', ready' : ''}${hit.pod.reason ? ` (${esc(hit.pod.reason)})` : ''}${hit.pod.deleting ? ', terminating' : ''}`);
    this.tip.innerHTML = lines.join('<br>');
    this.tip.hidden = false;
    const wrapW = this.wrap.clientWidth;
    this.tip.style.left = `${Math.min(e.offsetX + 14, wrapW - 260)}px`;
    this.tip.style.top = `${e.offsetY + 14}px`;
  }

  /** The centre of a pod's mark in page coordinates, if it is drawn. */
  markCenter(podKey) {
    const p = this.model.pods.items.get(podKey);
    const d = p && this.drawn.get(p.node);
    if (!d) return undefined;
    const pods = this.model.podIndex.on(p.node);
    const j = pods.findIndex((x) => x.key === podKey);
    const g = this.geometry;
    if (j < 0 || j >= g.fit) return undefined;
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + d.x + g.pad + (j % g.per) * g.cell + g.mark / 2, y: r.top + d.y + g.pad + g.header + Math.floor(j / g.per) * g.cell + g.mark / 2 };
  }

  /** The centre of a node's tile in page coordinates (for tests and keyboard focus). */
  tileCenter(name) {
    const d = this.drawn.get(name);
    if (!d) return undefined;
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + d.x + d.size / 2, y: r.top + d.y + d.size / 2 };
  }
}

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
