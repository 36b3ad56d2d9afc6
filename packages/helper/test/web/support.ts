/**
 * @module test/web/support
 * What the web page's browser tests share: an embedded stack and Chromium per suite, signing in through the
 * embedded issuer's page, and an axe-core accessibility check of the page as it is.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { startStack, type Stack } from '../idp/support/embedded-stack.js';
import { launchChromium } from '../support/chromium.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * An embedded stack (with `env` added to its settings) and headless Chromium for the suite this is called in:
 * started before its tests, closed after them.
 */
export function useStackAndBrowser(env: Record<string, string> = {}): {
  readonly stack: Stack;
  readonly browser: Browser;
  /** Runs `use` on a page of a fresh browser context (made with `options`), and closes the context after. */
  withPage<T>(use: (page: Page) => Promise<T>, options?: BrowserContextOptions): Promise<T>;
} {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  before(async () => {
    stack = await startStack(env);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });
  return {
    get stack() {
      assert.ok(stack !== undefined, 'the stack is started before the tests');
      return stack;
    },
    get browser() {
      assert.ok(browser !== undefined, 'Chromium is started before the tests');
      return browser;
    },
    async withPage(use, options) {
      assert.ok(browser !== undefined, 'Chromium is started before the tests');
      const context = await browser.newContext(options);
      try {
        return await use(await context.newPage());
      } finally {
        await context.close();
      }
    },
  };
}

/** Collects the CSP violations a context's pages report (through their own event) and their console errors. */
export async function watch(context: BrowserContext): Promise<{ violations: string[]; errors: string[] }> {
  const seen = { violations: [] as string[], errors: [] as string[] };
  await context.exposeBinding('__cspViolation', (_source, text: string) => seen.violations.push(text));
  // A string: these tests have no DOM types; it runs in the page before the page's own scripts.
  await context.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI));",
  );
  context.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  return seen;
}

export { getFirstKey, signIn } from './page-steps.js';

/** Runs axe-core on the page as it is and returns its violations, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected tag would be).
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<{ id: string; nodes: unknown[] }[]>(
    'axe.run().then((result) => result.violations)',
  );
  return violations.map((v) => `${v.id} (${v.nodes.length}): ${JSON.stringify(v.nodes).slice(0, 400)}`);
}
