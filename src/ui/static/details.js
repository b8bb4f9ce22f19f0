// The details panel: a node's or a pod's state, fetched fresh from the API, with its recent events.
import { esc } from './nodes-view.js';
import { podClass } from './model.js';

export class Details {
  constructor(panel, body, model, api) {
    this.panel = panel;
    this.body = body;
    this.model = model;
    this.api = api;
    this.current = undefined; // { kind: 'Node' | 'Pod', ns, name, obj }
    panel.querySelector('#details-close').addEventListener('click', () => this.close());
    body.addEventListener('click', (e) => {
      const a = e.target.closest('[data-pod]');
      if (a) { e.preventDefault(); const [ns, name] = a.dataset.pod.split('/'); void this.show('Pod', ns, name); }
      const n = e.target.closest('[data-node]');
      if (n) { e.preventDefault(); void this.show('Node', '', n.dataset.node); }
    });
  }

  close() { this.current = undefined; this.panel.hidden = true; }

  async show(kind, ns, name) {
    this.current = { kind, ns, name, obj: undefined, error: '' };
    this.panel.hidden = false;
    this.panel.dataset.kind = kind;
    this.panel.dataset.name = name;
    this.render();
    const path = kind === 'Node' ? `/api/v1/nodes/${encodeURIComponent(name)}` : `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
    try {
      const obj = await this.api.get(path);
      if (this.current?.name === name && this.current.kind === kind) this.current.obj = obj;
    } catch (e) {
      if (this.current?.name === name) this.current.error = e.message;
    }
    this.render();
  }

  /** Re-drawn on model changes while open, so counts and events stay live. */
  render() {
    const c = this.current;
    if (!c) return;
    const html = c.kind === 'Node' ? this.nodeHtml(c) : this.podHtml(c);
    const events = this.model.events.about(c.kind, c.kind === 'Node' ? '' : c.ns, c.name);
    this.body.innerHTML = `${html}${c.error ? `<p class="bad">${esc(c.error)}</p>` : ''}<h3>Recent events</h3>${events.length ? `<ol class="mini-events">${events.map((e) => eventLi(e)).join('')}</ol>` : '<p class="dim">none kept</p>'}`;
  }

  nodeHtml(c) {
    const n = this.model.nodes.items.get(c.name);
    const obj = c.obj;
    const pods = this.model.podIndex.on(c.name);
    const rows = [
      ['Ready', n ? `${n.ready}${n.readyReason ? ` (${n.readyReason})` : ''}` : 'gone'],
      ['Schedulable', n?.cordoned ? 'no: cordoned' : 'yes'],
      ['Taints', n?.taints.join(', ') || 'none'],
      ['Zone', n?.zone || '—'],
      ['Pods', `${pods.length} of ${n?.podCapacity ?? '?'}`],
    ];
    if (obj) {
      const a = obj.status?.allocatable ?? {};
      rows.push(['Allocatable', `cpu ${a.cpu ?? '?'}, memory ${a.memory ?? '?'}`]);
      for (const cd of obj.status?.conditions ?? []) if (cd.type !== 'Ready') rows.push([cd.type, cd.status]);
    }
    const list = pods.slice(0, 200).map((p) => `<li><i class="sw ${podClass(p)}"></i><a href="#" data-pod="${esc(p.key)}">${esc(p.key)}</a> ${esc(p.phase)}${p.ready ? '' : ' (not ready)'}</li>`).join('');
    return `<h2 data-testid="details-title">Node ${esc(c.name)}</h2>${table(rows)}<h3>Pods</h3><ul class="pods">${list}</ul>`;
  }

  podHtml(c) {
    const p = this.model.pods.items.get(`${c.ns}/${c.name}`);
    const obj = c.obj;
    const rows = [
      ['Phase', p ? `${p.phase}${p.reason ? ` (${p.reason})` : ''}` : 'gone'],
      ['Ready', p?.ready ? 'yes' : 'no'],
      ['Node', p?.node ? `<a href="#" data-node="${esc(p.node)}">${esc(p.node)}</a>` : 'not scheduled'],
      ['IP', p?.ip || '—'],
      ['Owner', p?.owner || '—'],
      ['Restarts', String(p?.restarts ?? 0)],
    ].map(([k, v]) => [k, v, k === 'Node']);
    if (obj) {
      for (const cs of obj.status?.containerStatuses ?? []) {
        const state = Object.keys(cs.state ?? {})[0] ?? '?';
        rows.push([`container ${cs.name}`, `${cs.image} — ${state}${cs.ready ? ', ready' : ''}`]);
      }
    }
    return `<h2 data-testid="details-title">Pod ${esc(c.ns)}/${esc(c.name)}</h2>${table(rows)}`;
  }
}

function table(rows) {
  return `<table class="kv">${rows.map(([k, v, raw]) => `<tr><th>${esc(k)}</th><td>${raw ? v : esc(v)}</td></tr>`).join('')}</table>`;
}

/** One Event as a list item; `withObject` names the object it is about (the timeline needs it, a details panel does not). */
export function eventLi(e, withObject = false) {
  const obj = withObject ? ` <span class="obj">${esc(e.kind)} ${esc(e.ns ? `${e.ns}/` : '')}${esc(e.name)}</span>` : '';
  return `<li class="${e.type === 'Warning' ? 'warning' : ''}"><time>${esc(e.ts.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''))}</time>${obj} <b>${esc(e.reason)}</b> ${esc(e.message)}${e.count > 1 ? ` <span class="dim">×${e.count}</span>` : ''}</li>`;
}
