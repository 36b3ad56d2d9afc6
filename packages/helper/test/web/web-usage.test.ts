/**
 * @module test/web/web-usage
 * The usage view of the web page in a real headless Chromium against the embedded stack: after a key is got
 * on the page and calls are made with it through the demo gateway, the service's card shows the calls (chart
 * and its table for screen readers) for each period of the switch and every limit of the plan with used /
 * max and its reset, with no CSP violation; axe-core finds no violation in light and dark; no sideways
 * scrolling at phone width; a report without numbers says "usage unavailable"; an API error (the key revoked
 * elsewhere: KEY_NOT_FOUND) is shown in the card in words. Skipped with a notice when
 * Chromium is missing on a developer machine; in CI (CI set) a missing Chromium fails the run instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Locator, type Page } from 'playwright-core';
import type { Stack } from '../idp/support/embedded-stack.js';
import { chromiumSkip } from '../support/chromium.js';
import { axeViolations, signIn, useStackAndBrowser, watch } from './support.js';

/** The demo catalog's Sentiment Analysis: key in the X-API-Key header; Basic plan 60/minute, 1000/day, 10000/month. */
const SERVICE = { id: 'sentiment-analysis', name: 'Sentiment Analysis' };
const CALLS = 3;

/** Gets a key for the service on the page, hides it, and returns it. */
async function getKey(page: Page, card: Locator): Promise<string> {
  await card.getByRole('button', { name: `Get key for ${SERVICE.name}` }).click();
  const key = (await page.locator('#full-key').textContent()) ?? '';
  assert.ok(key.length >= 16);
  await page.getByRole('button', { name: /hide the key/ }).click();
  return key;
}

async function callGateway(stack: Stack, key: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${stack.url}/gateway/${SERVICE.id}`, { headers: { 'x-api-key': key } });
    assert.equal(response.status, 200, 'the gateway accepts the key');
    await response.arrayBuffer();
  }
}

/** The rows of the usage table (read by screen readers) as [label, calls]. */
async function tableRows(usage: Locator): Promise<[string, number][]> {
  const rows = await usage.locator('table tbody tr').all();
  return Promise.all(
    rows.map(async (row) => {
      const label = (await row.locator('th').textContent()) ?? '';
      const calls = Number(((await row.locator('td').textContent()) ?? '').replace(/\D/g, ''));
      return [label, calls] as [string, number];
    }),
  );
}

describe('the usage view of the web page', { skip: chromiumSkip('web-usage') }, () => {
  const web = useStackAndBrowser();

  it('shows the calls made with the key per period, and each limit with used / max and its reset', async () => {
    const context = await web.browser.newContext();
    const seen = await watch(context);
    const page = await context.newPage();
    try {
      await signIn(page, web.stack.url, 'alice');
      const card = page.getByRole('article', { name: SERVICE.name });
      const other = page
        .getByRole('article')
        .filter({ hasNot: page.getByText('Has a key') })
        .first();
      const key = await getKey(page, card);
      const usage = card.getByRole('region', { name: 'Usage' });
      await usage.getByText('0 calls over the last 7 days').waitFor();
      assert.equal(await other.getByRole('region', { name: 'Usage' }).count(), 0, 'no usage without a key');

      await callGateway(web.stack, key, CALLS);
      const periods = usage.getByRole('group', { name: `Usage period for ${SERVICE.name}` });
      await periods.getByRole('button', { name: '24 hours' }).click();
      await usage.getByText(`${CALLS} calls over the last 24 hours`).waitFor();
      assert.equal(await periods.getByRole('button', { name: '24 hours' }).getAttribute('aria-pressed'), 'true');
      const hours = await tableRows(usage);
      assert.equal(hours.length, 24, 'one row per hour');
      assert.equal(
        hours.reduce((sum, [, calls]) => sum + calls, 0),
        CALLS,
        'the table has the calls',
      );
      assert.match((await usage.locator('caption').textContent()) ?? '', /3 calls in all/);
      assert.equal(await usage.locator('svg rect.usage-bar').count(), 24, 'a bar per hour');
      const drawn = await usage
        .locator('svg rect.usage-bar')
        .evaluateAll((bars) =>
          bars.filter((bar) => Number(bar.getAttribute('height')) > 0).map((bar) => bar.textContent),
        );
      assert.ok(drawn.length >= 1 && drawn.every((title) => /call/.test(title ?? '')), 'the busy hour is drawn');

      const limits = usage.locator('.limits li');
      assert.equal(await limits.count(), 3, 'the Basic plan has three limits');
      const minute = (await limits.filter({ hasText: 'Calls per minute' }).textContent()) ?? '';
      // The calls were made moments ago: a new minute may have begun since.
      assert.match(minute, /[0-3] \/ 60 used/);
      assert.match(minute, /resets \S/);
      assert.match((await limits.filter({ hasText: 'Calls per day' }).textContent()) ?? '', /3 \/ 1,000 used/);
      assert.match((await limits.filter({ hasText: 'Calls per month' }).textContent()) ?? '', /3 \/ 10,000 used/);

      await periods.getByRole('button', { name: '30 days' }).click();
      await usage.getByText(`${CALLS} calls over the last 30 days`).waitFor();
      const days = await tableRows(usage);
      assert.equal(days.length, 30, 'one row per day');
      assert.deepEqual(days.at(-1)?.[1], CALLS, "today's row has the calls");

      // Refresh asks again: one more call shows.
      await callGateway(web.stack, key, 1);
      await usage.getByRole('button', { name: `Refresh usage of ${SERVICE.name}` }).click();
      await usage.getByText(`${CALLS + 1} calls over the last 30 days`).waitFor();
      assert.deepEqual(seen.violations, [], 'no CSP violation');
    } finally {
      await context.close();
    }
  });

  // The tests below sign in as alice, who has the key got in the first test.
  it('axe-core finds no violation on the usage view, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await web.withPage(
        async (page) => {
          await signIn(page, web.stack.url, 'alice');
          const usage = page.getByRole('article', { name: SERVICE.name }).getByRole('region', { name: 'Usage' });
          await usage.getByText(/calls over the last 7 days/).waitFor();
          assert.deepEqual(await axeViolations(page), [], `${colorScheme}: week`);
          await usage.getByRole('button', { name: '24 hours' }).click();
          await usage.getByText(/calls over the last 24 hours/).waitFor();
          assert.deepEqual(await axeViolations(page), [], `${colorScheme}: day`);
        },
        { colorScheme },
      );
    }
  });

  it('at phone width the usage view does not scroll sideways', async () => {
    await web.withPage(
      async (page) => {
        await signIn(page, web.stack.url, 'alice');
        const usage = page.getByRole('article', { name: SERVICE.name }).getByRole('region', { name: 'Usage' });
        await usage.getByRole('button', { name: '30 days' }).click();
        await usage.getByText(/calls over the last 30 days/).waitFor();
        assert.equal(await page.evaluate('document.documentElement.scrollWidth'), 360, 'no horizontal scrolling');
      },
      { viewport: { width: 360, height: 740 } },
    );
  });

  it('says "usage unavailable" when the API manager could not count (a report with usage_available false)', async () => {
    await web.withPage(async (page) => {
      // The embedded store always counts; the report 3scale gives when its analytics fail is played back here.
      await page.route(`**/api/services/${SERVICE.id}/usage?*`, (route) =>
        route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({
            status: 'success',
            data: {
              service_id: SERVICE.id,
              application_id: 'app-1',
              plan: { id: 'basic', name: 'Basic' },
              period: 'week',
              granularity: 'day',
              since: '2026-12-01T00:00:00.000Z',
              until: '2026-12-08T00:00:00.000Z',
              usage_available: false,
              total: null,
              intervals: [],
              limits: [{ metric: 'hits', period: 'day', max: 1000, used: null, resets_at: '2026-12-08T00:00:00.000Z' }],
            },
          }),
        }),
      );
      await signIn(page, web.stack.url, 'alice');
      const usage = page.getByRole('article', { name: SERVICE.name }).getByRole('region', { name: 'Usage' });
      await usage.getByText(/Usage unavailable right now/).waitFor();
      assert.equal(await usage.locator('svg rect.usage-bar').count(), 0, 'no chart drawn from no numbers');
      assert.match(
        (await usage.locator('.limits li').textContent()) ?? '',
        /Calls per day.*usage unavailable \/ 1,000/,
      );
      assert.deepEqual(await axeViolations(page), []);
    });
  });

  it('an API error is shown in the card in words: the key revoked elsewhere gives KEY_NOT_FOUND', async () => {
    await web.withPage(async (page) => {
      await signIn(page, web.stack.url, 'bob');
      const card = page.getByRole('article', { name: SERVICE.name });
      await getKey(page, card);
      const usage = card.getByRole('region', { name: 'Usage' });
      await usage.getByText(/calls over the last 7 days/).waitFor();
      // Revoked through the API (as the CLI would), while the page still shows the key.
      const { access_token: token } = await web.stack.passwordLogin('bob', 'bob');
      const revoked = await fetch(`${web.stack.url}/api/services/${SERVICE.id}/key`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(revoked.status, 200);
      await usage.getByRole('button', { name: `Refresh usage of ${SERVICE.name}` }).click();
      const alert = usage.locator('.alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      assert.match(text, /There is no key to change here: reload the list, or get a key first\./);
      assert.match(text, /Request id: \S+/);
      assert.deepEqual(await axeViolations(page), [], 'the error passes axe too');
    });
  });
});
