import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Debian's Chromium, headless, with the flags this machine needs (no sandbox as root, no background networking); Playwright gives it a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where screenshots go, kept as test artifacts. */
export function artifactPath(name: string): string {
  const dir = join(import.meta.dirname, '..', '..', 'test-results');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
