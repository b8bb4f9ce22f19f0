// Time: the server's simulated clock (GET /skiff/v1/clock), ticking locally at its scale between
// polls, with buttons that advance it (POST /skiff/v1/clock/advance) and set its scale.
import { esc } from './nodes-view.js';

const POLL_MS = 2000;

export class ClockPanel {
  constructor(api, { big, scaleEl, mini, msg, cronBody }, model) {
    this.api = api;
    this.big = big; this.scaleEl = scaleEl; this.mini = mini; this.msg = msg; this.cronBody = cronBody;
    this.model = model;
    this.state = undefined; // { now (ms), scale, at (performance.now()) }
    this.available = true;
    document.querySelectorAll('[data-advance]').forEach((b) => b.addEventListener('click', () => this.advance({ duration: b.dataset.advance })));
    document.querySelector('#advance-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const v = document.querySelector('#advance-input').value.trim();
      if (v) void this.advance(/^\d+(\.\d+)?$/.test(v) ? { seconds: Number(v) } : { duration: v });
    });
    document.querySelector('#scale-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.call('/skiff/v1/clock/scale', { scale: Number(document.querySelector('#scale-input').value) });
    });
  }

  start() {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.tick = setInterval(() => this.draw(), 250);
  }

  async poll() {
    try { this.set(await this.api.get('/skiff/v1/clock')); } catch (e) {
      if (e.code === 404) { this.available = false; this.msg.textContent = 'this server has no adjustable clock'; clearInterval(this.timer); }
    }
  }

  set(doc) {
    this.state = { now: Date.parse(doc.now), scale: doc.scale, at: performance.now() };
    this.draw();
  }

  async advance(body) { await this.call('/skiff/v1/clock/advance', body); }

  async call(path, body) {
    try {
      this.set(await this.api.post(path, body));
      this.msg.textContent = '';
      this.msg.className = '';
    } catch (e) {
      this.msg.textContent = e.message;
      this.msg.className = 'bad';
    }
  }

  /** The simulated time now, extrapolated from the last answer at the clock's scale. */
  now() {
    const s = this.state;
    return s ? s.now + (performance.now() - s.at) * s.scale : undefined;
  }

  draw() {
    const now = this.now();
    if (now === undefined) return;
    const text = new Date(now).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    this.big.textContent = text;
    this.big.dataset.now = new Date(this.state.now).toISOString();
    this.mini.textContent = `${text} ×${this.state.scale}`;
    this.scaleEl.textContent = `time scale ×${this.state.scale}${this.state.scale === 1 ? ' (real time)' : ''}`;
    const input = document.querySelector('#scale-input');
    if (document.activeElement !== input) input.value = String(this.state.scale);
  }

  drawCronJobs() {
    const items = [...this.model.workloads.get('CronJob').items.values()].sort((a, b) => a.key.localeCompare(b.key));
    this.cronBody.innerHTML = items.length
      ? items.map((c) => `<tr><td>${esc(c.ns)}</td><td>${esc(c.name)}</td><td><code>${esc(c.schedule)}</code>${c.suspend ? ' (suspended)' : ''}</td><td>${esc(c.lastSchedule || 'never')}</td><td>${c.active}</td></tr>`).join('')
      : '<tr><td colspan="5" class="dim">no CronJobs</td></tr>';
  }
}
