// The kube-apiserver flags Skiff's stand-in understands: those controller-runtime's envtest passes
// (pkg/internal/testing/controlplane/apiserver.go: its defaults, CertAuthn's --client-ca-file) and a
// few more a suite commonly adds. Others are ignored with one line on stderr, never fatal.

/** Flags that take effect. */
export const APPLIED = new Set([
  'secure-port', 'bind-address', 'cert-dir', 'tls-cert-file', 'tls-private-key-file', 'client-ca-file',
  'service-account-signing-key-file',
]);

/**
 * Flags accepted and deliberately not applied: Skiff keeps its own store (etcd-*), serves HTTPS only,
 * verifies service-account tokens with the signing key's public half, and allocates its own IP ranges.
 */
export const ACCEPTED = new Set([
  'etcd-servers', 'etcd-prefix', 'advertise-address', 'insecure-port', 'insecure-bind-address', 'allow-privileged',
  'disable-admission-plugins', 'enable-admission-plugins', 'admission-control', 'service-cluster-ip-range',
  'authorization-mode', 'service-account-issuer', 'service-account-key-file', 'v', 'feature-gates', 'runtime-config',
  'enable-priority-and-fairness', 'storage-backend', 'requestheader-client-ca-file', 'audit-log-path', 'audit-policy-file',
]);

export interface ParsedFlags { values: Map<string, string>; ignored: string[] }

/** --name=value or --name value (when the next word does not start with "-"); a bare --name is "true". */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const values = new Map<string, string>();
  const ignored: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!m) { ignored.push(argv[i]); continue; }
    let value = m[2];
    if (value === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('-')) value = argv[++i];
    const name = m[1];
    if (APPLIED.has(name) || ACCEPTED.has(name) || name === 'help' || name === 'version' || name === 'h') values.set(name, value ?? 'true');
    else ignored.push(`--${name}`);
  }
  return { values, ignored };
}

/** --help text: every flag at the start of a line, as envtest's CheckFlag looks for them (never --insecure-port, gone upstream). */
export function helpText(): string {
  const lines = ['Usage: kube-apiserver [flags]   (Skiff stand-in for controller-runtime envtest)', '', 'Applied:'];
  for (const f of APPLIED) lines.push(`      --${f}`);
  lines.push('', 'Accepted, not applied:');
  for (const f of ACCEPTED) if (f !== 'insecure-port' && f !== 'insecure-bind-address') lines.push(`      --${f}`);
  return lines.join('\n') + '\n';
}
