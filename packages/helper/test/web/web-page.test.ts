/**
 * @module test/web/web-page
 * The self-service page in a real headless Chromium (Debian package `chromium`, driven by playwright-core)
 * against the embedded stack: the whole journey (sign in, get a key, copy it, rotate, revoke, history, sign
 * out), its Content-Security-Policy with no violation reported, an axe-core check in light and dark, and
 * getting a key with the keyboard alone. Skipped with a notice when Chromium is missing on a developer
 * machine; in CI (CI set) a missing Chromium fails the run instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chromiumSkip } from '../support/chromium.js';
import { axeViolations, getFirstKey, signIn, useStackAndBrowser, watch } from './support.js';

/** Polls a condition a few times (the report crosses from the page to this process). */
async function waitFor(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 50 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

describe('the web page in Chromium', { skip: chromiumSkip('web-page') }, () => {
  const web = useStackAndBrowser();

  it('serves the page with a strict CSP, no-store HTML and versioned, long-cached assets', async () => {
    const response = await fetch(`${web.stack.url}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, new RegExp(`connect-src 'self' ${new URL(web.stack.issuer).origin}(;|$)`));
    assert.doesNotMatch(csp, /unsafe|\*/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|style=/, 'no inline style');
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/, 'no third-party origin');
    const script = /src="(\/web\/[0-9a-f]{12}\/app\.js)"/.exec(html)?.[1];
    assert.ok(script !== undefined, 'the script is served under a versioned URL');
    const asset = await fetch(`${web.stack.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    const stale = await fetch(`${web.stack.url}/web/000000000000/app.js`);
    assert.equal(stale.status, 404);
    assert.equal(((await stale.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('the journey: sign in, get a key, copy, rotate, revoke, history, sign out — with no CSP violation', async () => {
    const context = await web.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const seen = await watch(context);
    const page = await context.newPage();
    try {
      await signIn(page, web.stack.url);
      assert.equal(new URL(page.url()).search, '', 'the code is removed from the address');
      const card = page.getByRole('article').filter({ has: page.getByRole('button', { name: /^Get key for / }) });
      const name = (await card.first().getByRole('heading').textContent()) ?? '';
      const service = page.getByRole('article', { name });

      await service.getByRole('button', { name: `Get key for ${name}` }).click();
      const revealed = page.getByRole('region', { name: `Your key for ${name}` });
      const key = (await revealed.locator('#full-key').textContent()) ?? '';
      assert.ok(key.length >= 16, 'the full key is shown');
      await revealed.getByRole('button', { name: 'Copy key' }).click();
      await page.getByRole('status').filter({ hasText: 'Key copied.' }).waitFor();
      assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), key);
      // Nothing kept beyond this page's memory.
      assert.deepEqual(await page.evaluate('[localStorage.length, sessionStorage.length]'), [0, 0]);

      await revealed.getByRole('button', { name: /hide the key/ }).click();
      assert.equal(await page.locator('#full-key').count(), 0);
      assert.equal(await service.getByText(key).count(), 0, 'only the preview is shown afterwards');
      await service.getByText('Has a key').waitFor();
      const preview = (await service.locator('.keys code').first().textContent()) ?? '';

      await service.getByRole('button', { name: `Rotate key for ${name}` }).click();
      const rotate = page.getByRole('dialog', { name: `Rotate the key for ${name}?` });
      assert.match((await rotate.locator('#rotate-effect').textContent()) ?? '', /keeps working for 1 day/);
      await rotate.getByLabel('Old key keeps working for').selectOption({ label: '1 hour' });
      assert.match(
        (await rotate.locator('#rotate-effect').textContent()) ?? '',
        new RegExp(`replaces ${preview.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*1 hour`),
      );
      await rotate.getByRole('button', { name: 'Rotate key' }).click();
      const newKey = (await page.locator('#full-key').textContent()) ?? '';
      assert.ok(newKey !== '' && newKey !== key, 'a new key is shown');
      await service.getByText('Replaced, still accepted').waitFor();
      assert.match((await service.locator('.state-grace').textContent()) ?? '', /accepted until \S/);

      await service.getByRole('button', { name: `Revoke key for ${name}` }).click();
      const revoke = page.getByRole('dialog', { name: `Revoke the key for ${name}?` });
      assert.match((await revoke.textContent()) ?? '', /stops working at once/);
      await revoke.getByRole('button', { name: 'Cancel' }).click();
      await service.getByText('Has a key').waitFor();
      await service.getByRole('button', { name: `Revoke key for ${name}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
      await service.getByText('No key', { exact: true }).waitFor();
      assert.equal(await page.locator('#full-key').count(), 0);

      await page.getByText('Key history').click();
      const history = page.getByRole('table', { name: 'Your key events, newest first' });
      await history.waitFor();
      for (const what of ['Key issued', 'Key rotated', 'Key revoked']) {
        assert.ok((await history.getByText(what).count()) >= 1, `${what} in the history`);
      }

      assert.deepEqual(seen.violations, [], 'no CSP violation');
      assert.deepEqual(
        seen.errors.filter((e) => /Content Security Policy|Refused/.test(e)),
        [],
        'no CSP error in the console',
      );
      // The watch itself works: an inline script is refused, and reported.
      await page.evaluate("document.body.append(Object.assign(document.createElement('script'), { text: '1' }))");
      assert.ok(
        await waitFor(() => seen.violations.some((v) => v.startsWith('script-src'))),
        'an inline script would be reported',
      );
      await page.getByRole('button', { name: 'Sign out' }).click();
      // The embedded issuer asks to confirm; Keycloak signs out at once with an id_token_hint.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(new URL(page.url()).origin, new URL(web.stack.url).origin);
      // The session at the issuer ended too: signing in asks for the password again.
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Password').waitFor();
    } finally {
      await context.close();
    }
  });

  it('search and filter narrow the list; at phone width nothing overflows sideways', async () => {
    await web.withPage(
      async (page) => {
        await signIn(page, web.stack.url, 'bob');
        const all = await page.getByRole('article').count();
        assert.ok(all >= 2, 'the demo catalog has several services');
        const first = (await page.getByRole('article').first().getByRole('heading').textContent()) ?? '';
        await page.getByLabel('Search services').fill(first);
        assert.ok((await page.getByRole('article').count()) < all || all === 1);
        await page.getByRole('article', { name: first }).waitFor();
        await page.getByLabel('Search services').fill('no-such-service-anywhere');
        await page.getByText('No service matches.').waitFor();
        await page.getByLabel('Search services').fill('');
        await page.getByLabel('Show').selectOption('with');
        await page.getByText('No service matches.').waitFor();
        await page.getByLabel('Show').selectOption('all');
        for (const summary of await page.getByText('Call it: a runnable snippet').all()) await summary.click();
        await page.getByText('Key history').click();
        assert.equal(await page.evaluate('document.documentElement.scrollWidth'), 360, 'no horizontal scrolling');
      },
      { viewport: { width: 360, height: 740 } },
    );
  });

  it('axe-core finds no violation: signed out, the services, a revealed key, the dialog; light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await web.withPage(
        async (page) => {
          await page.goto(`${web.stack.url}/`);
          await page.getByRole('button', { name: 'Sign in' }).waitFor();
          assert.deepEqual(await axeViolations(page), [], `${colorScheme}: signed out`);
          await signIn(page, web.stack.url, 'bob');
          await getFirstKey(page);
          await page.getByText('Key history').click();
          await page.getByRole('table', { name: 'Your key events, newest first' }).waitFor();
          assert.deepEqual(await axeViolations(page), [], `${colorScheme}: services`);
          await page
            .getByRole('button', { name: /^Rotate key for / })
            .first()
            .click();
          await page.getByRole('dialog').waitFor();
          assert.deepEqual(await axeViolations(page), [], `${colorScheme}: dialog`);
          await page.keyboard.press('Escape');
          await page
            .getByRole('button', { name: /^Revoke key for / })
            .first()
            .click();
          await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
          await page.getByRole('button', { name: /^Revoke key for / }).waitFor({ state: 'detached' });
        },
        { colorScheme },
      );
    }
  });

  it('keyboard only: sign in and get a key with Tab and Enter', async () => {
    await web.withPage(
      async (page) => {
        await page.goto(`${web.stack.url}/`);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        const tabTo = async (pattern: RegExp, limit = 40) => {
          for (let i = 0; i < limit; i++) {
            await page.keyboard.press('Tab');
            const label = await page.evaluate<string>(
              "document.activeElement ? document.activeElement.tagName + ' ' + document.activeElement.textContent : ''",
            );
            if (pattern.test(label)) return label;
          }
          throw new Error(`no focusable element matches ${pattern}`);
        };
        await tabTo(/^BUTTON Sign in$/);
        await page.keyboard.press('Enter');
        await page.getByLabel('Username').waitFor();
        await page.keyboard.type('alice');
        await page.keyboard.press('Tab');
        await page.keyboard.type('alice');
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
        const label = await tabTo(/^BUTTON Get key for /);
        await page.keyboard.press('Enter');
        await page.locator('#full-key').waitFor();
        // Focus moves to the revealed key; the copy button is next.
        assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'revealed');
        await tabTo(/^BUTTON Copy key$/, 3);
        await page.keyboard.press('Enter');
        const key = (await page.locator('#full-key').textContent()) ?? '';
        assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), key);
        assert.match(label, /Get key for /);
      },
      { permissions: ['clipboard-read', 'clipboard-write'] },
    );
  });
});

describe('the web page keeps its session and explains errors', { skip: chromiumSkip('web-page') }, () => {
  // Short access tokens (renewed 30 s before expiry, so at once), two key changes a minute, keys for 30 days.
  const web = useStackAndBrowser({
    EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS: '30',
    RATE_LIMIT_INIT_PER_MINUTE: '2',
    KEY_TTL_DAYS: '30',
  });

  it('renews the access token with the refresh token in memory, and the API takes the new one', async () => {
    await web.withPage(async (page) => {
      const tokens: string[] = [];
      page.on('request', (request) => {
        const auth = request.headers().authorization;
        if (request.url().startsWith(`${web.stack.url}/api/`) && auth !== undefined) tokens.push(auth);
      });
      await signIn(page, web.stack.url);
      const renewal = await page.waitForRequest(
        (request) =>
          request.url() === web.stack.discovery.token_endpoint &&
          new URLSearchParams(request.postData() ?? '').get('grant_type') === 'refresh_token',
        { timeout: 30_000 },
      );
      assert.equal((await renewal.response())?.status(), 200);
      await page
        .getByRole('button', { name: /^Get key for / })
        .first()
        .click();
      await page.locator('#full-key').waitFor();
      assert.ok(tokens.length >= 3);
      await page.getByRole('button', { name: /hide the key/ }).click();
      assert.match((await page.locator('.state-active').first().textContent()) ?? '', /expires .+\(in (29|30) days\)/);
      assert.notEqual(tokens.at(-1), tokens[0], 'the API call after the renewal carries the new token');
      assert.deepEqual(await page.evaluate('[localStorage.length, sessionStorage.length]'), [0, 0]);
    });
  });

  it('an API error is shown in words with what to do (rate limit)', async () => {
    await web.withPage(async (page) => {
      await signIn(page, web.stack.url, 'bob');
      const getKey = page.getByRole('button', { name: /^Get key for / });
      await getKey.first().click();
      await page.locator('#full-key').waitFor();
      await getKey.first().click();
      await page.locator('#full-key').waitFor({ state: 'visible' });
      // The third key change this minute is refused.
      await page.getByRole('button', { name: /hide the key/ }).click();
      await getKey.first().click();
      const alert = page.locator('#alert');
      await alert.waitFor({ state: 'visible' });
      const text = (await alert.textContent()) ?? '';
      assert.match(text, /Too many requests: wait a little and try again\. Try again in \d+ s\./);
      assert.match(text, /Request id: /);
    });
  });
});
