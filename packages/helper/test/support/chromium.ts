/**
 * @module test/support/chromium
 * Headless Chromium for the browser tests (the Debian package `chromium`, driven by playwright-core): where
 * it is, how it is started, and whether a test file runs — for the browser tests of every package. A developer
 * machine without it skips those files with a notice; in CI (CI set) a missing Chromium fails the run instead.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const available = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);

/** The `skip` option of a browser suite: a reason when Chromium is missing outside CI, else false. */
export function chromiumSkip(suite?: string): string | false {
  if (available || inCi) return false;
  if (suite !== undefined)
    console.warn(`${suite}: ${CHROMIUM} not found; skipping (install the Debian package chromium)`);
  return `${CHROMIUM} not installed (Debian package chromium)`;
}

/** Starts headless Chromium; fails (in CI) when it is missing. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(available, `Chromium is required in CI but ${CHROMIUM} is missing`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
