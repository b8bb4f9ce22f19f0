// agnhost (registry.k8s.io/e2e-test-images/agnhost): one binary, a cobra subcommand per behaviour.
// Each subcommand is its own module, loaded when first run.
import type { ProgramIO } from '../types.ts';

type Sub = (io: ProgramIO, args: string[]) => Promise<number>;
const SUBCOMMANDS: Record<string, () => Promise<Sub>> = {
  pause: async () => (await import('./pause.ts')).pause,
  netexec: async () => (await import('./netexec.ts')).netexec,
  'serve-hostname': async () => (await import('./serve-hostname.ts')).serveHostname,
  porter: async () => (await import('./porter.ts')).porter,
  mounttest: async () => (await import('./mounttest.ts')).mounttest,
  'entrypoint-tester': async () => (await import('./entrypoint-tester.ts')).entrypointTester,
  liveness: async () => (await import('./liveness.ts')).liveness,
  'test-service-account-issuer-discovery': async () => (await import('./openidmetadata.ts')).testServiceAccountIssuerDiscovery,
  'grpc-health-checking': async () => (await import('./grpc-health-checking.ts')).grpcHealthChecking,
  'test-webserver': async () => (await import('./test-webserver.ts')).testWebserver,
  'logs-generator': async () => (await import('./logs-generator.ts')).logsGenerator,
  'dns-suffix': async () => (await import('./dns.ts')).dnsSuffix,
  'dns-server-list': async () => (await import('./dns.ts')).dnsServerList,
  'etc-hosts': async () => (await import('./dns.ts')).etcHosts,
  connect: async () => (await import('./connect.ts')).connect,
  webhook: async () => (await import('./webhook.ts')).webhook,
  'crd-conversion-webhook': async () => (await import('./crd-conversion-webhook.ts')).crdConversionWebhook,
  nettest: async () => (await import('./nettest.ts')).nettest,
  guestbook: async () => (await import('./guestbook.ts')).guestbook,
};

export const AGNHOST_SUBCOMMANDS = Object.keys(SUBCOMMANDS);

/** Upstream subcommands Skiff does not emulate: named as such rather than "unknown". */
const NOT_EMULATED = new Set(['audit-proxy', 'crd-conversion-webhook-v1beta1', 'external-metrics', 'fake-gitserver', 'fake-metrics-server', 'fake-registry-server',
  'h2c-server', 'http-echo', 'inclusterclient', 'mtlsclient', 'mtlsserver', 'net', 'no-snat-test', 'no-snat-test-proxy',
  'nonewprivs', 'openidmetadata', 'podcertificatesigner', 'port-forward-tester', 'registry', 'resource-consumer', 'resource-consumer-controller', 'tcp-reset']);

// klog's flags, which agnhost's root command registers for every subcommand (e2e specs pass
// --alsologtostderr and -v=4 to the webhook servers): accepted and ignored, since logs go to stderr anyway.
const KLOG_BOOL = new Set(['logtostderr', 'alsologtostderr', 'add_dir_header', 'skip_headers', 'skip_log_headers', 'one_output']);
const KLOG_VALUE = new Set(['v', 'vmodule', 'log_dir', 'log_file', 'log_file_max_size', 'stderrthreshold', 'log_backtrace_at']);

function withoutKlogFlags(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([a-z_]+)(=.*)?$/s.exec(args[i]);
    if (args[i] === '--') { out.push(...args.slice(i)); break; }
    if (m && KLOG_BOOL.has(m[1])) continue;
    if (m && KLOG_VALUE.has(m[1])) { if (m[2] === undefined) i++; continue; }
    out.push(args[i]);
  }
  return out;
}

export async function agnhost(io: ProgramIO): Promise<number> {
  const [sub, ...rawArgs] = io.argv.slice(1);
  const args = withoutKlogFlags(rawArgs);
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(`Usage:\n  agnhost [command]\n\nAvailable Commands:\n${AGNHOST_SUBCOMMANDS.map((s) => `  ${s}`).join('\n')}\n`);
    return 0;
  }
  const load = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!load && NOT_EMULATED.has(sub)) {
    io.stderr(`Error: agnhost ${sub} is not emulated by Skiff's simulated containers (emulated: ${AGNHOST_SUBCOMMANDS.join(', ')})\n`);
    return 1;
  }
  if (!load) {
    io.stderr(`Error: unknown command ${JSON.stringify(sub)} for "agnhost"\nRun 'agnhost --help' for usage.\n`);
    return 1;
  }
  return (await load())(io, args);
}
