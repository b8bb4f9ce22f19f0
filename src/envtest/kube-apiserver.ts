// Skiff as kube-apiserver for controller-runtime's envtest (run by bin/kube-apiserver.js, written into
// KUBEBUILDER_ASSETS by `skiff envtest-assets`). It serves HTTPS on --bind-address:--secure-port with the
// certificate envtest put in --cert-dir (apiserver.crt/.key), authenticates the client certificates
// envtest signs with the CA of --client-ca-file (its admin user is in system:masters), signs
// service-account tokens with --service-account-signing-key-file, keeps everything in memory, and
// exits on SIGTERM. /healthz answers 200 once the server is ready, which is what envtest waits for.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { helpText, parseFlags } from './flags.ts';

function readPem(flag: string, path: string): string {
  try { return readFileSync(path, 'utf8'); } catch (e) { throw new Error(`--${flag} ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
}

function fail(msg: string): never {
  process.stderr.write(`kube-apiserver (Skiff): ${msg}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const { values: f, ignored } = parseFlags(argv);
  if (f.has('version')) {
    const [{ skiffVersion }, { KUBE_VERSION }] = await Promise.all([import('../version.ts'), import('../registry/resources.ts')]);
    process.stdout.write(`Kubernetes ${KUBE_VERSION.gitVersion} (Skiff ${skiffVersion()} stand-in for kube-apiserver)\n`);
    return;
  }
  if (f.has('help') || f.has('h')) { process.stdout.write(helpText()); return; }
  if (ignored.length) process.stderr.write(`kube-apiserver (Skiff): ignoring flags it does not support: ${ignored.join(' ')}\n`);

  const port = Number(f.get('secure-port') ?? 6443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--secure-port must be an integer from 0 to 65535, got ${JSON.stringify(f.get('secure-port'))}`);
  const certDir = f.get('cert-dir');
  let certFile = f.get('tls-cert-file');
  let keyFile = f.get('tls-private-key-file');
  if (!certFile && certDir && existsSync(join(certDir, 'apiserver.crt'))) { certFile = join(certDir, 'apiserver.crt'); keyFile = join(certDir, 'apiserver.key'); }
  let servingCert;
  try {
    if (certFile || keyFile) {
      if (!certFile || !keyFile) fail('--tls-cert-file and --tls-private-key-file go together');
      servingCert = { certPem: readPem('tls-cert-file', certFile), keyPem: readPem('tls-private-key-file', keyFile) };
    }
    const ca = f.get('client-ca-file');
    const saKey = f.get('service-account-signing-key-file');
    // Loaded after the flags are read: envtest runs `kube-apiserver --help` first, and that stays quick.
    const { startServer } = await import('../server.ts');
    const server = await startServer({
      port, address: f.get('bind-address') ?? '0.0.0.0', inMemory: true, kubeconfigPath: false, dataDir: certDir,
      servingCert, clientCaPem: ca ? readPem('client-ca-file', ca) : undefined,
      serviceAccountKeyPem: saKey ? readPem('service-account-signing-key-file', saKey) : undefined,
      log: (m) => process.stderr.write(m + '\n'),
    });
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      // Prompt even if a watch or a controller holds on: the process is leaving either way.
      setTimeout(() => process.exit(0), 2000).unref();
      void server.stop().finally(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stderr.write(`kube-apiserver (Skiff) serving at ${server.url}\n`);
  } catch (e) {
    fail((e as Error).message);
  }
}

await main(process.argv.slice(2));
