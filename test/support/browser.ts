/**
 * Debian's Chromium, headless, driven by playwright-core (never a downloaded browser). Missing Chromium is a
 * failure with the command that installs it, not a skip: `.ci/run` installs it when it is missing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where Debian puts it; `STS_TEST_CHROMIUM` points elsewhere. */
export const chromiumPath = process.env.STS_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, offline, throwaway browser. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A phone-sized screen (CSS pixels of a common handset). */
export const PHONE = { width: 390, height: 844 };

/** A running browser with a profile of its own, removed on close. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh `--user-data-dir`, phone-sized, scripts on or off. */
export async function launchChromium(options: { javaScriptEnabled: boolean }): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: run \`apt-get install -y chromium\` (.ci/run does this) or set STS_TEST_CHROMIUM.`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'stsftw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: FLAGS,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    javaScriptEnabled: options.javaScriptEnabled,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
