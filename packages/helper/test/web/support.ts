/**
 * @module test/web/support
 * What the web page's browser tests share: signing in through the embedded issuer's page, and an axe-core
 * accessibility check of the page as it is.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Signs in on the page as a demo user (whose password is the user name) and waits for the services. */
export async function signIn(page: Page, url: string, user = 'alice'): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
}

/** Runs axe-core on the page as it is and returns its violations, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected tag would be).
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<{ id: string; nodes: unknown[] }[]>(
    'axe.run().then((result) => result.violations)',
  );
  return violations.map((v) => `${v.id} (${v.nodes.length}): ${JSON.stringify(v.nodes).slice(0, 400)}`);
}
