// The `skiff` command: `serve` (default) and `kubeconfig` (started through bin/skiff.js or src/cli.ts).
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const FLAGS = {
  port: { type: 'string', env: 'SKIFF_PORT', help: 'HTTPS (or HTTP) port; 0 picks a free port (default 6443)' },
  address: { type: 'string', env: 'SKIFF_ADDRESS', help: 'address to bind (default 127.0.0.1)' },
  'data-dir': { type: 'string', env: 'SKIFF_DATA_DIR', help: 'where the database, certificates and kubeconfig live (default ./.skiff)' },
  'in-memory': { type: 'boolean', env: 'SKIFF_IN_MEMORY', help: 'keep the database in memory; nothing survives a restart' },
  kubeconfig: { type: 'string', env: 'SKIFF_KUBECONFIG', help: 'where to write the kubeconfig (default <data-dir>/kubeconfig)' },
  'insecure-http': { type: 'boolean', env: 'SKIFF_INSECURE_HTTP', help: 'serve plain HTTP instead of HTTPS (local use only)' },
  durability: { type: 'string', env: 'SKIFF_DURABILITY', help: "'normal' (default: survives a crash of Skiff) or 'full' (fsync every commit: survives power loss)" },
  'check-db': { type: 'boolean', env: 'SKIFF_CHECK_DB', help: 'check the database file at start-up even when it was closed cleanly (costs time proportional to its size)' },
  nodes: { type: 'string', env: 'SKIFF_NODES', help: 'number of simulated nodes (default 1)' },
  'node-config': { type: 'string', env: 'SKIFF_NODE_CONFIG', help: 'YAML file of node pools (name, count, capacity, labels, taints) instead of --nodes' },
  stages: { type: 'string', env: 'SKIFF_STAGES', help: 'YAML file of pod lifecycle stages: replaces the defaults (or, with extends: default, goes first)' },
  crds: { type: 'string', env: 'SKIFF_CRDS', multiple: true, help: 'CustomResourceDefinition YAML/JSON file or directory to install at start; repeatable, or comma-separated (ready once all are Established)' },
  'time-scale': { type: 'string', env: 'SKIFF_TIME_SCALE', help: 'simulated time runs this many times faster than real time (default 1)' },
  'no-default-storage-class': { type: 'boolean', env: 'SKIFF_NO_DEFAULT_STORAGE_CLASS', help: 'do not create the default StorageClass `standard` at start-up' },
  storage: { type: 'string', env: 'SKIFF_STORAGE', help: "'sqlite' (default) or 'etcd' (with --etcd-servers; several servers on one etcd are one cluster)" },
  'etcd-servers': { type: 'string', env: 'SKIFF_ETCD_SERVERS', help: 'etcd client URLs, comma-separated (with --storage etcd)' },
  'etcd-prefix': { type: 'string', env: 'SKIFF_ETCD_PREFIX', help: 'prefix of every key in etcd (default: none; keys start with /registry as upstream)' },
  'etcd-cafile': { type: 'string', env: 'SKIFF_ETCD_CAFILE', help: 'CA bundle that verifies the etcd servers (TLS)' },
  'etcd-certfile': { type: 'string', env: 'SKIFF_ETCD_CERTFILE', help: 'client certificate for etcd (TLS)' },
  'etcd-keyfile': { type: 'string', env: 'SKIFF_ETCD_KEYFILE', help: 'client key for etcd (TLS)' },
  'leader-elect': { type: 'string', env: 'SKIFF_LEADER_ELECT', help: "'true' or 'false': run controllers, scheduler and kubelets only while holding their Leases (default: true with etcd)" },
  'leader-elect-lease-duration': { type: 'string', env: 'SKIFF_LEADER_ELECT_LEASE_DURATION', help: 'how long a leader holds its Lease without renewing it, e.g. 15s (default 15s)' },
  'leader-elect-renew-deadline': { type: 'string', env: 'SKIFF_LEADER_ELECT_RENEW_DEADLINE', help: 'how long a leader keeps trying to renew before it stops leading (default 10s)' },
  'leader-elect-retry-period': { type: 'string', env: 'SKIFF_LEADER_ELECT_RETRY_PERIOD', help: 'how often candidates try to acquire or renew (default 2s)' },
  merge: { type: 'boolean', env: '', help: '(kubeconfig) merge the Skiff context into ~/.kube/config (or $KUBECONFIG) instead of printing' },
  user: { type: 'string', env: '', help: '(kubeconfig) print a kubeconfig for this user instead, with a client certificate obtained through the CertificateSigningRequest API using the admin kubeconfig ($KUBECONFIG, or --kubeconfig, or the data directory\'s)' },
  group: { type: 'string', env: '', multiple: true, help: '(kubeconfig --user) a group of the user (the certificate\'s organization); repeatable' },
  'authorization-mode': { type: 'string', env: 'SKIFF_AUTHORIZATION_MODE', help: "'RBAC' (default) or 'AlwaysAllow' (every request allowed; no anonymous access)" },
  'max-requests-inflight': { type: 'string', env: 'SKIFF_MAX_REQUESTS_INFLIGHT', help: 'with --max-mutating-requests-inflight, the concurrency API Priority and Fairness shares among priority levels (default 400)' },
  'max-mutating-requests-inflight': { type: 'string', env: 'SKIFF_MAX_MUTATING_REQUESTS_INFLIGHT', help: 'see --max-requests-inflight (default 200)' },
  help: { type: 'boolean', env: '', help: 'show this help' },
  version: { type: 'boolean', env: '', help: "print Skiff's version and the Kubernetes version it serves" },
} as const;

function usage(): string {
  const lines = [
    'Usage: skiff [serve] [flags]      start the API server',
    '       skiff kubeconfig [flags]   print the kubeconfig of a data directory (or --merge it into ~/.kube/config)',
    '       skiff kubeconfig --user NAME [--group G]...',
    '                                  print a kubeconfig for another user (client certificate via the CSR API; needs an admin KUBECONFIG)',
    '       skiff clock [show | advance DURATION | set-scale X] [--data-dir D | --kubeconfig F]',
    '                                  show or move the simulated clock of a running server (DURATION: 90s, 1h30m, or seconds)',
    '       skiff snapshot save|restore FILE [--data-dir D | --kubeconfig F]',
    '                                  save a running server\'s objects, revisions and clock to FILE, or bring them back (admin only)',
    '       skiff envtest-assets DIR   write kube-apiserver, etcd and kubectl for controller-runtime\'s envtest (KUBEBUILDER_ASSETS=DIR)',
    '       skiff ui [--data-dir D | --kubeconfig F]',
    '                                  print a link that opens the web view signed in with the kubeconfig\'s token',
    '',
    'Flags (each also read from the environment variable shown):',
  ];
  for (const [name, f] of Object.entries(FLAGS)) {
    const flag = `  --${name}${f.type === 'string' ? ' VALUE' : ''}`;
    lines.push((flag.length < 28 ? flag.padEnd(28) : `${flag} `) + f.help + (f.env ? ` [${f.env}]` : ''));
  }
  return lines.join('\n');
}

/** --crds values (repeated, or comma-separated as in SKIFF_CRDS) as a list of paths. */
function crdPaths(v: unknown): string[] | undefined {
  const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
  for (const p of list) if (!existsSync(p)) fail(`--crds ${p}: no such file or directory`);
  return list.length ? list : undefined;
}

function fail(msg: string): never {
  process.stderr.write(`skiff: ${msg}\n`);
  process.exit(2);
}

/** --storage etcd and its --etcd-* flags (upstream's kube-apiserver names), read and checked. */
function etcdOptions(v: Record<string, unknown>): import('./storage/etcd.ts').EtcdBackendOptions | undefined {
  const storage = (v.storage as string | undefined) ?? 'sqlite';
  if (storage !== 'sqlite' && storage !== 'etcd') fail(`--storage must be 'sqlite' or 'etcd', got ${JSON.stringify(storage)}`);
  const etcdFlags = ['etcd-servers', 'etcd-prefix', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile'].filter((f) => v[f] !== undefined);
  if (storage === 'sqlite') {
    if (etcdFlags.length) fail(`--${etcdFlags[0]} needs --storage etcd`);
    return undefined;
  }
  const servers = String(v['etcd-servers'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (!servers.length) fail('--storage etcd needs --etcd-servers URL[,URL...]');
  for (const u of servers) if (!/^https?:\/\/[^/]+\/?$/.test(u)) fail(`--etcd-servers: ${JSON.stringify(u)} is not an http:// or https:// URL`);
  const file = (flag: string) => {
    const p = v[flag] as string | undefined;
    if (p === undefined) return undefined;
    try { return readFileSync(p); } catch (e) { fail(`--${flag} ${p}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  };
  const [ca, cert, key] = [file('etcd-cafile'), file('etcd-certfile'), file('etcd-keyfile')];
  if (!!cert !== !!key) fail('--etcd-certfile and --etcd-keyfile go together');
  return { endpoints: servers, prefix: v['etcd-prefix'] as string | undefined, ca, cert, key };
}

/** A Go-style duration flag in seconds or with a unit (500ms, 15s, 1m) as milliseconds. */
function durationFlag(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(v));
  if (!m || Number(m[1]) <= 0) fail(`--${name} must be a positive duration such as 15s or 500ms, got ${JSON.stringify(v)}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

/** --leader-elect and its timing flags (kube-controller-manager's names and defaults). */
function leaderElection(v: Record<string, unknown>): { leaderElect?: boolean; leaderElection?: { leaseMs: number; renewDeadlineMs: number; retryMs: number } } {
  const flag = v['leader-elect'] as string | undefined;
  if (flag !== undefined && flag !== 'true' && flag !== 'false') fail(`--leader-elect must be 'true' or 'false', got ${JSON.stringify(flag)}`);
  const leaseMs = durationFlag('leader-elect-lease-duration', v['leader-elect-lease-duration'], 15_000);
  const renewDeadlineMs = durationFlag('leader-elect-renew-deadline', v['leader-elect-renew-deadline'], 10_000);
  const retryMs = durationFlag('leader-elect-retry-period', v['leader-elect-retry-period'], 2_000);
  if (!(leaseMs > renewDeadlineMs && renewDeadlineMs > retryMs)) fail('leader election needs lease duration > renew deadline > retry period');
  return { leaderElect: flag === undefined ? undefined : flag === 'true', leaderElection: { leaseMs, renewDeadlineMs, retryMs } };
}

function authorizationMode(v: string | undefined): 'RBAC' | 'AlwaysAllow' | undefined {
  if (v === undefined || v === 'RBAC' || v === 'AlwaysAllow') return v;
  fail(`--authorization-mode must be 'RBAC' or 'AlwaysAllow', got ${JSON.stringify(v)}`);
}

function intFlag(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) fail(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/**
 * A negative number or duration ("-5s", "-1") is an argument, not a flag (no flag starts with a
 * digit): it is hidden from parseArgs, which would read it as short options, and restored after, so
 * `skiff clock advance -5s` reaches the server's own validation and `--port -1` the port check.
 */
const NEGATIVE = /^-\d/;
const HIDE = '\u0000';
const unhide = (x: unknown) => (typeof x === 'string' && x.startsWith(HIDE) ? x.slice(HIDE.length) : x);

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.map((a) => (NEGATIVE.test(a) ? HIDE + a : a)), allowPositionals: true, strict: true,
      options: Object.fromEntries(Object.entries(FLAGS).map(([k, f]) => [k, 'multiple' in f ? { type: f.type, multiple: f.multiple } : { type: f.type }])) as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
    });
  } catch (e) {
    fail(`${(e as Error).message.split('\n')[0]} (see skiff --help)`);
  }
  parsed.positionals = parsed.positionals.map((p) => unhide(p) as string);
  const v = Object.fromEntries(Object.entries(parsed.values).map(([k, x]) => [k, Array.isArray(x) ? x.map(unhide) : unhide(x)])) as Record<string, string | boolean | undefined>;
  for (const [name, f] of Object.entries(FLAGS)) {
    if (v[name] === undefined && f.env && process.env[f.env] !== undefined) {
      v[name] = f.type === 'boolean' ? ['1', 'true', 'yes'].includes(process.env[f.env]!.toLowerCase()) : process.env[f.env];
    }
  }
  if (v.help) { process.stdout.write(usage() + '\n'); return; }
  if (v.version) { const { versionLine } = await import('./version.ts'); process.stdout.write(versionLine() + '\n'); return; }
  const cmd = parsed.positionals[0] ?? 'serve';
  if (parsed.positionals.length > ({ clock: 3, snapshot: 3, 'envtest-assets': 2 }[cmd] ?? 1)) fail(`unexpected argument ${JSON.stringify(parsed.positionals[1])} (see skiff --help)`);
  const dataDir = resolve((v['data-dir'] as string) ?? '.skiff');

  if (cmd === 'kubeconfig' && v.user !== undefined) {
    const { userKubeconfigCommand } = await import('./cli-user-kubeconfig.ts');
    const groups = (parsed.values.group as string[] | undefined) ?? [];
    const path = (v.kubeconfig as string) ?? process.env.KUBECONFIG?.split(':')[0] ?? join(dataDir, 'kubeconfig');
    try { process.stdout.write(await userKubeconfigCommand(path, v.user as string, groups)); } catch (e) { fail((e as Error).message); }
    return;
  }
  if (cmd === 'kubeconfig') {
    const path = (v.kubeconfig as string) ?? join(dataDir, 'kubeconfig');
    if (!existsSync(path)) fail(`no kubeconfig at ${path}: start the server first (skiff serve --data-dir ${dataDir})`);
    const text = readFileSync(path, 'utf8');
    if (!v.merge) { process.stdout.write(text); return; }
    const { parse } = await import('yaml');
    const kc = parse(text);
    const cluster = kc.clusters[0].cluster;
    const target = process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config');
    const { mergeKubeconfig } = await import('./kubeconfig.ts');
    mergeKubeconfig(target, { server: cluster.server, caPem: cluster['certificate-authority-data'] ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString() : undefined, token: kc.users[0].user.token }, true);
    process.stdout.write(`merged context "skiff" into ${target} and made it current\n`);
    return;
  }
  if (cmd === 'clock') {
    const { callClock, clockRequest, targetFromKubeconfig } = await import('./cli-clock.ts');
    const path = (v.kubeconfig as string) ?? join(dataDir, 'kubeconfig');
    if (!existsSync(path)) fail(`no kubeconfig at ${path}: start the server first (skiff serve --data-dir ${dataDir})`);
    const req = clockRequest(parsed.positionals.slice(1));
    if (typeof req === 'string') fail(req);
    let out;
    try { out = await callClock(targetFromKubeconfig(path), req); } catch (e) { fail(`cannot reach the server: ${(e as Error).message}`); }
    if (out.code !== 200) fail(`${out.body?.message ?? `HTTP ${out.code}`}`);
    process.stdout.write(`now: ${out.body.now}  scale: ${out.body.scale}\n`);
    return;
  }
  if (cmd === 'snapshot') {
    const { targetFromKubeconfig } = await import('./cli-clock.ts');
    const { snapshotCommand } = await import('./snapshot/cli.ts');
    const path = (v.kubeconfig as string) ?? join(dataDir, 'kubeconfig');
    if (!existsSync(path)) fail(`no kubeconfig at ${path}: start the server first (skiff serve --data-dir ${dataDir})`);
    const target = () => { try { return targetFromKubeconfig(path); } catch (e) { throw new Error(`kubeconfig ${path}: ${(e as Error).message}`); } };
    try { process.stdout.write(await snapshotCommand(target, parsed.positionals.slice(1)) + '\n'); } catch (e) { fail((e as Error).message); }
    return;
  }
  if (cmd === 'envtest-assets') {
    const { writeEnvtestAssets } = await import('./envtest/assets.ts');
    if (!parsed.positionals[1]) fail('envtest-assets needs a directory: skiff envtest-assets DIR');
    try { process.stdout.write(writeEnvtestAssets(parsed.positionals[1]) + '\n'); } catch (e) { fail((e as Error).message); }
    return;
  }
  if (cmd === 'ui') {
    const { uiCommand } = await import('./ui/cli.ts');
    const path = (v.kubeconfig as string) ?? join(dataDir, 'kubeconfig');
    if (!existsSync(path)) fail(`no kubeconfig at ${path}: start the server first (skiff serve --data-dir ${dataDir})`);
    const out = uiCommand(path);
    if ('error' in out) fail(out.error);
    for (const n of out.notes) process.stderr.write(`skiff: ${n}\n`);
    process.stdout.write(out.link + '\n');
    return;
  }
  if (cmd !== 'serve') fail(`unknown command ${JSON.stringify(cmd)} (see skiff --help)`);

  const durability = v.durability as string | undefined;
  if (durability !== undefined && durability !== 'normal' && durability !== 'full') fail(`--durability must be 'normal' or 'full', got ${JSON.stringify(durability)}`);
  const timeScale = v['time-scale'] === undefined ? undefined : Number(v['time-scale']);
  if (timeScale !== undefined && !(timeScale > 0 && timeScale <= 10000)) fail(`--time-scale must be a number above 0 and at most 10000, got ${JSON.stringify(v['time-scale'])}`);
  let nodePools;
  if (v['node-config'] !== undefined) {
    const file = v['node-config'] as string;
    if (v.nodes !== undefined) fail('--nodes and --node-config cannot be used together');
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { fail(`--node-config ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    const { parsePools } = await import('./kubelet/pools.ts');
    try { nodePools = parsePools(text); } catch (e) { fail(`--node-config ${file}: ${(e as Error).message}`); }
  }
  let stages;
  if (v.stages !== undefined) {
    const file = v.stages as string;
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { fail(`--stages ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    const { loadStages } = await import('./kubelet/stages.ts');
    try { stages = loadStages(text); } catch (e) { fail(`--stages ${file}: ${(e as Error).message}`); }
  }
  // Loaded here, not at the top: the other commands (kubeconfig, clock, snapshot, --version) need none of it.
  const { startServer } = await import('./server.ts');
  const { phase, writeTraceLater } = await import('./util/startup-trace.ts');
  phase('modules');
  const etcd = etcdOptions(v);
  const { monotonicMs } = await import('./clock.ts');
  const t0 = monotonicMs();
  let server;
  try {
    server = await startServer({
      port: intFlag('port', v.port as string | undefined, 0, 65535),
      address: v.address as string | undefined,
      dataDir,
      inMemory: !!v['in-memory'],
      kubeconfigPath: v.kubeconfig as string | undefined,
      insecureHttp: !!v['insecure-http'],
      defaultStorageClass: !v['no-default-storage-class'],
      durability: durability as 'normal' | 'full' | undefined,
      checkDb: !!v['check-db'],
      nodes: intFlag('nodes', v.nodes as string | undefined, 0, 100000),
      nodePools,
      stages,
      crds: crdPaths(v.crds),
      timeScale,
      etcd,
      ...leaderElection(v),
      authorizationMode: authorizationMode(v['authorization-mode'] as string | undefined),
      maxRequestsInFlight: intFlag('max-requests-inflight', v['max-requests-inflight'] as string | undefined, 1, 1_000_000),
      maxMutatingRequestsInFlight: intFlag('max-mutating-requests-inflight', v['max-mutating-requests-inflight'] as string | undefined, 1, 1_000_000),
      log: (m) => process.stderr.write(m + '\n'),
      // Ready as kube-apiserver is: without waiting for the controllers, scheduler and kubelets.
      readyBeforeControllers: true,
      bootstrapImage: await bootstrapImages(v),
    });
  } catch (e) {
    fail((e as Error).message);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  // Before announcing readiness: a supervisor may signal as soon as it reads the line, and a signal
  // without a handler ends the process without closing the database cleanly.
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdout.write(`skiff ready at ${server.url} in ${Math.round(monotonicMs() - t0)} ms; kubeconfig: ${server.kubeconfigPath}\n`);
  writeTraceLater();
}

/**
 * Run from a bundle (bin/launch.js), in-memory starts keep the image of their start-up state beside it
 * (src/bootstrap-image.ts): a bundle is made from one set of sources, so an image never outlives the
 * code that made it. Run from the sources, where any file may change between starts, none is kept.
 * One image per setting that changes what start-up writes.
 */
async function bootstrapImages(v: Record<string, unknown>) {
  if (!v['in-memory'] || !import.meta.url.endsWith('/cli-main.mjs')) return undefined;
  const { bootstrapImageFiles } = await import('./bootstrap-image.ts');
  const variant = `${v['no-default-storage-class'] ? 'nosc' : 'sc'}-${String(v['authorization-mode'] ?? 'RBAC')}`;
  return bootstrapImageFiles(fileURLToPath(new URL('.', import.meta.url)), variant);
}

await main(process.argv.slice(2));
