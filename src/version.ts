// Skiff's own version (from package.json) and the Kubernetes version it serves, for `--version` lines.
import { readFileSync } from 'node:fs';
import { KUBE_VERSION } from './registry/resources.ts';

let cached: string | undefined;

/** package.json sits one level up from src/ in a checkout and from dist/ in the package. */
export function skiffVersion(): string {
  if (cached) return cached;
  try {
    const p = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return (cached = p.version ?? 'unknown');
  } catch {
    return (cached = 'unknown');
  }
}

/** One line: "Skiff 0.1.0 (serves Kubernetes v1.32.4)". */
export function versionLine(): string {
  return `Skiff ${skiffVersion()} (serves Kubernetes ${KUBE_VERSION.gitVersion})`;
}
