/**
 * @module test/e2e/browser-flows
 * `mlaas login --device` and `mlaas login --browser` completed in a real headless Chromium (Debian package
 * `chromium`, driven by playwright-core): the CLI prints the code or URL on stderr, the "user" acts on the
 * issuer's pages, and the CLI ends signed in. Skipped with a notice when Chromium is missing on a
 * developer machine; in CI (CI set) a missing Chromium fails the run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from '../../../helper/test/support/chromium.js';
import { makeHome, runCli, startStack, type Stack } from '../support/stack.js';

/** Resolves with the first match of a pattern in the text that arrives. */
function waitFor(pattern: RegExp): { feed: (text: string) => void; match: Promise<RegExpExecArray> } {
  let seen = '';
  let resolve: (m: RegExpExecArray) => void = () => undefined;
  const match = new Promise<RegExpExecArray>((r) => (resolve = r));
  return {
    feed(text) {
      seen += text;
      const m = pattern.exec(seen);
      if (m) resolve(m);
    },
    match,
  };
}

describe('sign-in in a browser', { skip: chromiumSkip('browser-flows') }, () => {
  let stack: Stack;
  let browser: Browser;
  const homes: { remove(): void }[] = [];
  const envFor = () => {
    const home = makeHome();
    homes.push(home);
    return { ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
  };
  before(async () => {
    stack = await startStack();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const home of homes) home.remove();
    await stack?.close();
  });

  it('device flow: the CLI shows a code, the user confirms it in the browser, the CLI is signed in', async () => {
    const env = envFor();
    const link = waitFor(/\(or open (\S+) directly\)/);
    const code = waitFor(/enter the code: (\S+)/);
    const running = runCli(['login', '--device'], {
      env,
      onStderr: (text) => {
        link.feed(text);
        code.feed(text);
      },
    });
    const [, url] = await link.match;
    const [, userCode] = await code.match;
    const page = await browser.newPage();
    try {
      await page.goto(url as string);
      await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
      assert.equal(await page.locator('.code-display').textContent(), userCode);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('Password').fill('bob');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    } finally {
      await page.close();
    }
    const result = await running;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /To sign in, open this page on any device:/);
    assert.match(result.stderr, /Signed in as bob/);
    const whoami = await runCli(['whoami'], { env });
    assert.match(whoami.stdout, /^bob /);
  });

  it('browser flow: authorization code + PKCE through a loopback callback', async () => {
    const env = envFor();
    const authUrl = waitFor(/^ {2}(http:\/\/\S+\/protocol\/openid-connect\/auth\?\S+)$/m);
    const running = runCli(['login', '--browser'], { env, onStderr: (text) => authUrl.feed(text) });
    const [, url] = await authUrl.match;
    const params = new URL(url as string).searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.ok((params.get('state') ?? '').length >= 16);

    // A callback that does not carry the request's state is refused, and the CLI keeps waiting.
    const forged = await fetch(`${params.get('redirect_uri')}?code=forged&state=wrong`);
    assert.equal(forged.status, 400);

    const page = await browser.newPage();
    try {
      await page.goto(url as string);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Signed in' }).waitFor();
    } finally {
      await page.close();
    }
    const result = await running;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Open this URL in a browser on this machine to sign in:/);
    assert.match(result.stderr, /Signed in as alice/);
    const list = await runCli(['services', 'list', '--json'], { env });
    assert.equal(list.code, 0, list.stderr);
  });

  it('browser flow: gives up with a clear message when nobody signs in', async () => {
    const result = await runCli(['login', '--browser'], { env: { ...envFor(), MLAAS_LOGIN_TIMEOUT: '1' } });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /^error: no sign-in arrived from the browser within 1 second \(LOGIN_TIMEOUT\)$/m);
    assert.match(result.stderr, /^hint: .*mlaas login --device/m);
  });
});
