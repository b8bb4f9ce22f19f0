// A small Kubernetes client for the page: requests with the bearer token, and informers that list
// (in pages) and then watch from the list's resourceVersion with bookmarks, resume after a dropped
// connection from the last resourceVersion seen, and list again when the server answers 410 Gone.

export class Unauthorized extends Error {}

export class Api {
  /** @param {string} token @param {(e: Error) => void} onUnauthorized */
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  /** A JSON request; rejects with the Status message on an error answer. */
  async request(method, path, body, contentType = 'application/json') {
    const res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let doc;
    try { doc = text ? JSON.parse(text) : {}; } catch { doc = { message: text }; }
    if (!res.ok) {
      const err = new Error(doc.message || `HTTP ${res.status}`);
      err.code = res.status;
      if (res.status === 401) this.onUnauthorized(err);
      throw err;
    }
    return doc;
  }

  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body); }
}

const PAGE = 500;
const SLICE_MS = 8;
const WATCH_SECONDS = [240, 360];

/**
 * Keeps a local copy of one resource: `onReset(items)` after each (re)list, then `onEvent(type, obj)`
 * for ADDED, MODIFIED and DELETED. `status` is read by the page and the tests.
 */
export class Informer {
  /** @param {Api} api @param {string} path collection path, e.g. /api/v1/pods */
  constructor(api, path, { onReset, onEvent, onBatchEnd }) {
    this.api = api;
    this.path = path;
    this.onReset = onReset;
    this.onEvent = onEvent;
    this.onBatchEnd = onBatchEnd ?? (() => {});
    this.status = { path, synced: false, watching: false, maxBatchMs: 0, resourceVersion: '', lists: 0, watches: 0, relistsOn410: 0, reconnects: 0, bookmarks: 0, events: 0, error: '' };
    this.abort = new AbortController();
    this.stopped = true;
    this.loop = undefined;
  }

  /** Start (or resume after stop(): a watch from the last resourceVersion, a list if there was none). */
  start() {
    if (!this.stopped) return this;
    this.stopped = false;
    this.abort = new AbortController();
    const gen = (this.gen = (this.gen ?? 0) + 1);
    // One loop at a time: a stopped loop still winding down finishes before the new one starts.
    this.loop = (this.loop ?? Promise.resolve()).then(() => this.run(gen));
    return this;
  }

  stop() { this.stopped = true; this.abort.abort(); }

  get active() { return !this.stopped; }

  /** Drop the watch connection as a network failure would; the informer resumes from its last resourceVersion. */
  reconnect() { const a = this.abort; this.abort = new AbortController(); a.abort(); }

  async run(gen) {
    let backoff = 500;
    let needList = !this.status.synced;
    const current = () => !this.stopped && this.gen === gen;
    while (current()) {
      try {
        if (needList) { await this.list(); needList = false; }
        await this.watch();
        backoff = 500; // a watch that ended normally (its timeout): resume at once
      } catch (e) {
        if (!current()) return;
        if (e.code === 410) { this.status.relistsOn410++; needList = true; continue; }
        if (e instanceof Unauthorized || e.code === 401) return;
        this.status.error = String(e.message ?? e);
        this.status.reconnects++;
        await sleep(backoff + Math.random() * backoff / 2);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  async list() {
    const items = [];
    let cont = '';
    let rv = '';
    do {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (cont) q.set('continue', cont);
      const doc = await this.api.get(`${this.path}?${q}`);
      if (!rv) rv = doc.metadata?.resourceVersion ?? '';
      for (const it of doc.items ?? []) items.push(it);
      cont = doc.metadata?.continue ?? '';
      // Lists in pages keep each parse short, so the page stays responsive while a large cluster loads.
      if (cont) await sleep(0);
    } while (cont);
    this.status.lists++;
    this.status.resourceVersion = rv;
    this.onReset(items);
    this.status.synced = true;
    this.status.error = '';
  }

  async watch() {
    const [lo, hi] = WATCH_SECONDS;
    const q = new URLSearchParams({
      watch: '1', allowWatchBookmarks: 'true', resourceVersion: this.status.resourceVersion,
      timeoutSeconds: String(Math.round(lo + Math.random() * (hi - lo))),
    });
    const res = await fetch(`${this.path}?${q}`, { headers: { Authorization: `Bearer ${this.api.token}`, Accept: 'application/json' }, signal: this.abort.signal });
    if (this.stopped) { res.body?.cancel().catch(() => {}); return; }
    if (!res.ok) {
      let msg = `HTTP ${res.status}`;
      try { msg = (await res.json()).message ?? msg; } catch { /* not JSON */ }
      const err = new Error(msg);
      err.code = res.status;
      if (res.status === 401) this.api.onUnauthorized(err);
      throw err;
    }
    this.status.watches++;
    this.status.watching = true;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        let nl;
        let t0 = performance.now();
        let any = false;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) { this.handle(JSON.parse(line)); any = true; }
          // A large burst is handled in slices, letting the page draw in between.
          if (performance.now() - t0 > SLICE_MS) {
            this.status.maxBatchMs = Math.max(this.status.maxBatchMs, performance.now() - t0);
            this.onBatchEnd();
            await sleep(0);
            t0 = performance.now();
          }
        }
        if (any) this.onBatchEnd();
        this.status.maxBatchMs = Math.max(this.status.maxBatchMs, performance.now() - t0);
      }
    } finally {
      this.status.watching = false;
      reader.cancel().catch(() => {});
    }
    this.status.error = '';
  }

  handle(ev) {
    const obj = ev.object ?? {};
    if (ev.type === 'ERROR') {
      const err = new Error(obj.message ?? 'watch error');
      err.code = obj.code;
      throw err;
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.status.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') { this.status.bookmarks++; return; }
    this.status.events++;
    this.onEvent(ev.type, obj);
  }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
