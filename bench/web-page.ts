/**
 * @module bench/web-page
 * The web page's weight and speed in headless Chromium on loopback, against the embedded stack:
 * - first load: the compressed bytes of every script and style sheet the page loads (target <= 60 KB), as
 *   served with `Accept-Encoding: br` and with `gzip`, and as Chromium's Resource Timing saw them;
 * - services view: once signed in (an issuer session exists), from the navigation that lands on the page
 *   with the authorization code to the moment the services are drawn (`performance.mark` by the page:
 *   token exchange, `GET /api/services` and `GET /api/keys` included), target <= 300 ms; against a baseline
 *   measured in the same run, the same navigation's `DOMContentLoaded` (the page's own files only).
 * Prints a markdown report on stdout.
 */
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { execSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startStack } from '../packages/helper/test/idp/support/embedded-stack.js';
import { runIfMain } from './lib/run-if-main.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROUNDS = 30;
const TARGET_BYTES = 60 * 1024;
const TARGET_MS = 300;

function compressedSize(url: string, encoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': encoding } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve(bytes));
    }).on('error', reject);
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export async function main(_argv: string[]): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium)`);
  const stack = await startStack({ RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_IP_PER_MINUTE: '0' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const html = await (await fetch(`${stack.url}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/web\/[0-9a-f]+\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
    let br = 0;
    let gzip = 0;
    let identity = 0;
    for (const asset of assets) {
      br += await compressedSize(`${stack.url}${asset}`, 'br');
      gzip += await compressedSize(`${stack.url}${asset}`, 'gzip');
      identity += await compressedSize(`${stack.url}${asset}`, 'identity');
    }

    const context = await browser.newContext();
    const page = await context.newPage();
    // Sign in once: the issuer's session makes every later sign-in a redirect there and back.
    await page.goto(`${stack.url}/`);
    const resources = await page.evaluate<{ name: string; encoded: number }[]>(
      "performance.getEntriesByType('resource').filter((e) => /\\.(js|css)$/.test(e.name)).map((e) => ({ name: e.name, encoded: e.encodedBodySize }))",
    );
    const seenBytes = resources.reduce((sum, r) => sum + r.encoded, 0);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();

    const ready: number[] = [];
    const domReady: number[] = [];
    const signedIn: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await page.goto(`${stack.url}/`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.searchParams.has('code') || url.pathname === '/');
      await page.waitForSelector('body[data-ready="services"]');
      const [mark, dcl, tokens] = await page.evaluate<[number, number, number]>(
        "[performance.getEntriesByName('mlaas:services-ready')[0].startTime, performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd, performance.getEntriesByName('mlaas:signed-in')[0].startTime]",
      );
      ready.push(mark);
      domReady.push(dcl);
      signedIn.push(tokens);
    }
    await context.close();

    const load = execSync('uptime').toString().trim();
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const p50 = quantile(ready, 0.5);
    const base50 = quantile(domReady, 0.5);
    console.log(`## web-page\n\nLoad: \`${load}\`\n`);
    console.log('| first load (JS + CSS, %d files) | bytes | target |', assets.length);
    console.log('|---|---|---|');
    console.log(`| brotli, as served | ${kb(br)} | <= 60 KB: ${br <= TARGET_BYTES ? 'met' : 'MISSED'} |`);
    console.log(`| gzip, as served | ${kb(gzip)} | <= 60 KB: ${gzip <= TARGET_BYTES ? 'met' : 'MISSED'} |`);
    console.log(`| Chromium Resource Timing (encodedBodySize) | ${kb(seenBytes)} | |`);
    console.log(`| uncompressed | ${kb(identity)} | |\n`);
    console.log(`| navigation with the code → (${ROUNDS} rounds) | p50 | p95 | max |`);
    console.log('|---|---|---|---|');
    console.log(
      `| DOMContentLoaded (baseline) | ${ms(base50)} | ${ms(quantile(domReady, 0.95))} | ${ms(Math.max(...domReady))} |`,
    );
    console.log(
      `| tokens received (discovery + token exchange) | ${ms(quantile(signedIn, 0.5))} | ${ms(quantile(signedIn, 0.95))} | ${ms(Math.max(...signedIn))} |`,
    );
    console.log(
      `| services drawn (token exchange + 2 API calls) | ${ms(p50)} | ${ms(quantile(ready, 0.95))} | ${ms(Math.max(...ready))} |`,
    );
    console.log(
      `\nRatio services ÷ baseline (p50): ${(p50 / base50).toFixed(2)}. Target <= ${TARGET_MS} ms at p95: ${quantile(ready, 0.95) <= TARGET_MS ? 'met' : 'MISSED'}.`,
    );
  } finally {
    await browser.close();
    await stack.close();
  }
}

runIfMain(import.meta.url, main);
