/**
 * @module test/idp/browser-flows
 * The device flow and the authorization-code flow completed in a real headless Chromium (Debian package
 * `chromium`, driven by playwright-core). Skipped with a notice when Chromium is missing on a developer
 * machine; in CI (CI set) a missing Chromium fails the run instead.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser } from 'playwright-core';
import { CLIENT_ID, DEVICE_GRANT, decodeJwt, pkcePair, startStack, type Stack } from './support/embedded-stack.js';
import { chromiumSkip, launchChromium } from '../support/chromium.js';

describe('browser flows in Chromium', { skip: chromiumSkip('browser-flows') }, () => {
  let stack: Stack;
  let browser: Browser;
  before(async () => {
    stack = await startStack({ EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS: '1' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('device flow: the user opens the verification link, confirms, signs in; the device gets tokens', async () => {
    const device = (await (
      await fetch(stack.discovery.device_authorization_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: CLIENT_ID, scope: 'openid profile email' }),
      })
    ).json()) as { device_code: string; user_code: string; verification_uri_complete: string };

    const page = await browser.newPage();
    try {
      await page.goto(device.verification_uri_complete);
      await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
      assert.equal(await page.locator('.code-display').textContent(), device.user_code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('Password').fill('bob');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    } finally {
      await page.close();
    }

    const response = await stack.token({
      grant_type: DEVICE_GRANT,
      client_id: CLIENT_ID,
      device_code: device.device_code,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(decodeJwt(response.body.access_token as string).preferred_username, 'bob');
    assert.equal((await stack.listServices(response.body.access_token as string)).status, 200);
  });

  it('authorization code + PKCE: signing in with the keyboard alone redirects to the loopback callback', async () => {
    let received: URL | null = null;
    const callback: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      // Chromium also asks for /favicon.ico; only the callback counts.
      if (url.pathname === '/callback') received = url;
      res.setHeader('content-type', 'text/html');
      res.end('<!DOCTYPE html><title>Signed in</title><h1>You can close this window</h1>');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    const { verifier, challenge } = pkcePair();
    const page = await browser.newPage();
    try {
      const params = new URLSearchParams({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        state: 'xyz',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      await page.goto(`${stack.discovery.authorization_endpoint}?${params}`);
      await page.getByLabel('Username').waitFor();
      // Keyboard only: the username field has focus; Tab to the password; Enter submits.
      await page.keyboard.type('alice');
      await page.keyboard.press('Tab');
      await page.keyboard.type('wrong-password');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').waitFor();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /Invalid user credentials/);
      // The password field has focus after an error; the username is kept.
      assert.equal(await page.getByLabel('Username').inputValue(), 'alice');
      await page.keyboard.type('alice');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.href.startsWith(redirectUri));
    } finally {
      await page.close();
      callback.closeAllConnections();
      await new Promise<void>((resolve) => callback.close(() => resolve()));
    }
    const result = received as URL | null;
    assert.ok(result !== null);
    assert.equal(result.searchParams.get('state'), 'xyz');
    const response = await stack.token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: result.searchParams.get('code') ?? '',
      code_verifier: verifier,
      redirect_uri: redirectUri,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal((await stack.listServices(response.body.access_token as string)).status, 200);
  });
});
