// Headless Chromium for the web view's tests: Debian's `chromium` (or SKIFF_CHROMIUM), driven with
// playwright-core. `.ci/run` installs the package; where it truly cannot be installed it says so in
// SKIFF_CHROMIUM_UNAVAILABLE and the browser tests skip with that reason. In CI a missing browser
// without that reason is a failure, never a silent skip.
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'ui');

export function findChromium(): string | undefined {
  if (process.env.SKIFF_CHROMIUM) return existsSync(process.env.SKIFF_CHROMIUM) ? process.env.SKIFF_CHROMIUM : undefined;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try { return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined; } catch { /* not this one */ }
  }
  return undefined;
}

/** Why the browser tests cannot run here (a skip reason), or undefined when they can; throws in CI. */
export function browserUnavailable(): string | undefined {
  if (findChromium()) return undefined;
  const why = process.env.SKIFF_CHROMIUM_UNAVAILABLE;
  if (why) return `chromium could not be installed on this machine: ${why}`;
  if (process.env.CI) throw new Error('chromium is missing in CI: .ci/run should have installed Debian\'s chromium package');
  return 'chromium is not installed (apt-get install chromium, or set SKIFF_CHROMIUM to a Chromium binary)';
}

export async function launch() {
  const { chromium } = await import('playwright-core');
  mkdirSync(ARTIFACTS, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--ignore-certificate-errors'] });
}
