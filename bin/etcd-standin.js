#!/usr/bin/env node
// Skiff's stand-in for etcd under controller-runtime's envtest. Skiff keeps its own store, so this
// process only satisfies envtest's start-up check (GET <listen-client-url>/health answering 200) and
// stops on SIGTERM; every other path answers 404 saying so. `skiff envtest-assets DIR` writes DIR/etcd,
// a script that runs this file. Plain JavaScript with no dependencies: it starts in a few ms.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const KNOWN = ['listen-client-urls', 'advertise-client-urls', 'listen-peer-urls', 'initial-advertise-peer-urls', 'data-dir', 'unsafe-no-fsync', 'name', 'log-level', 'logger', 'quota-backend-bytes'];

function skiffVersion() {
  try { return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version; } catch { return 'unknown'; }
}

/** --name=value and --name value (a following word not starting with "-"), single or double dash. */
export function parseFlags(argv) {
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!m) continue;
    let value = m[2];
    if (value === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('-')) value = argv[++i];
    flags.set(m[1], value ?? 'true');
  }
  return flags;
}

function main(argv) {
  const flags = parseFlags(argv);
  if (flags.has('version')) {
    process.stdout.write(`etcd stand-in from Skiff ${skiffVersion()} (Skiff keeps its own store and serves Kubernetes itself)\n`);
    return;
  }
  if (flags.has('help') || flags.has('h')) {
    process.stdout.write('Usage: etcd [flags]   (Skiff stand-in: answers /health only)\n' + KNOWN.map((f) => `  --${f}`).join('\n') + '\n');
    return;
  }
  const unknown = [...flags.keys()].filter((f) => !KNOWN.includes(f));
  if (unknown.length) process.stderr.write(`etcd (Skiff stand-in): ignoring flags ${unknown.map((f) => `--${f}`).join(', ')}\n`);
  const urls = (flags.get('listen-client-urls') ?? 'http://127.0.0.1:2379').split(',').filter(Boolean);
  const servers = urls.map((u) => {
    const url = new URL(u);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      res.setHeader('Content-Type', 'application/json');
      if (path === '/health' || path === '/readyz' || path === '/livez') { res.end('{"health":"true","reason":""}'); return; }
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'this is Skiff\'s etcd stand-in: Skiff keeps its own store; only /health is served' }));
    });
    server.on('error', (e) => { process.stderr.write(`etcd (Skiff stand-in): cannot listen on ${u}: ${e.message}\n`); process.exit(1); });
    server.listen(Number(url.port || 2379), url.hostname.replace(/^\[|\]$/g, ''));
    return server;
  });
  const stop = () => { for (const s of servers) { s.close(); s.closeAllConnections(); } process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2));
