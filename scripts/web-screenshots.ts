/**
 * @module scripts/web-screenshots
 * Takes the README's screenshots of the web page (light and dark, desktop and phone width) in headless
 * Chromium against the embedded stack with the demo user alice, and writes them to docs/web/: the services
 * with a new key shown once, and the card of that key's service with its usage after a few calls (the first
 * service's key goes in the X-API-Key header, as the demo catalog says).
 * Run: `node --import tsx scripts/web-screenshots.ts`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startStack } from '../packages/helper/test/idp/support/embedded-stack.js';
import { getFirstKey, signIn } from '../packages/helper/test/web/page-steps.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(import.meta.dirname, '..', 'docs', 'web');
const SIZES = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
try {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      // A fresh stack each time: the same first moment (alice has just got her first key).
      const stack = await startStack();
      const context = await browser.newContext({ colorScheme, viewport, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await signIn(page, stack.url, 'alice');
      await getFirstKey(page);
      await page.evaluate('document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)');
      await page.screenshot({ path: join(OUT, `services-${colorScheme}-${size}.png`) });
      // The usage of that key: a few calls through the demo gateway, then its card on the 24-hour view.
      const key = (await page.locator('#full-key').textContent()) ?? '';
      const card = page
        .getByRole('article')
        .filter({ has: page.locator('.usage-view') })
        .first();
      const service = (await card.getByRole('heading', { level: 2 }).textContent()) ?? '';
      const endpoint = (await card.locator('p code').first().textContent()) ?? '';
      for (let i = 0; i < 7; i++) await fetch(endpoint, { headers: { 'x-api-key': key } });
      await page.getByRole('button', { name: /hide the key/ }).click();
      const usage = page.getByRole('article', { name: service }).getByRole('region', { name: 'Usage' });
      await usage.getByRole('button', { name: '24 hours' }).click();
      await usage.getByText(/7 calls over the last 24 hours/).waitFor();
      await page.evaluate('document.activeElement && document.activeElement.blur()');
      await page
        .getByRole('article', { name: service })
        .screenshot({ path: join(OUT, `usage-${colorScheme}-${size}.png`) });
      await context.close();
      await stack.close();
    }
  }
} finally {
  await browser.close();
}
