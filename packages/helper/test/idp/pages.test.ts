/**
 * @module test/idp/pages
 * The issuer's pages: labelled fields, a strict Content-Security-Policy, throttled sign-in, sign-out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CLIENT_ID,
  pkcePair,
  startAuthorization,
  startStack,
  submitLogin,
  type Stack,
} from './support/embedded-stack.js';

describe('issuer pages', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER: '2',
      EMBEDDED_IDP_LOGIN_BASE_DELAY_SECONDS: '600',
    });
  });
  after(async () => stack.close());

  const authParams = () => ({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:40000/callback',
    scope: 'openid',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  });

  it('serve the sign-in page with labelled fields, no scripts and a strict policy; not to another browser', async () => {
    const { browser } = await startAuthorization(stack, authParams());
    const html = browser.lastHtml;
    assert.match(html, /<label for="username">Username<\/label>\s*<input type="text" id="username"/);
    assert.match(html, /<label for="password">Password<\/label>\s*<input type="password" id="password"/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!127)/);
    // Without the interaction cookie (another browser) the page is refused, with the same strict policy.
    const stranger = await fetch(browser.lastUrl);
    assert.equal(stranger.status, 400);
    assert.match(stranger.headers.get('content-security-policy') ?? '', /^default-src 'none'; style-src 'sha256-/);
  });

  it('throttle the sign-in page per user with 429 and a message saying so', async () => {
    const { browser } = await startAuthorization(stack, authParams());
    await submitLogin(browser, 'nobody', 'x');
    assert.equal(browser.lastStatus, 401);
    assert.match(browser.lastHtml, /Invalid user credentials/);
    await submitLogin(browser, 'nobody', 'y');
    await submitLogin(browser, 'nobody', 'z');
    assert.equal(browser.lastStatus, 429);
    assert.match(browser.lastHtml, /Too many failed sign-in attempts/);
  });

  it('ask before signing out, then end the browser session', async () => {
    const { browser } = await startAuthorization(stack, authParams());
    const callback = await submitLogin(browser, 'alice', 'alice');
    assert.ok(callback !== null);
    await browser.go(stack.discovery.end_session_endpoint);
    assert.equal(browser.lastStatus, 200);
    assert.match(browser.lastHtml, /Sign out of MLaaS\?/);
    await browser.go(browser.formAction(), { method: 'POST', form: { xsrf: browser.hidden('xsrf'), logout: 'yes' } });
    assert.match(browser.lastHtml, /You have signed out/);
    // Signed out: a new authorization request asks for the password again.
    await browser.go(`${stack.discovery.authorization_endpoint}?${new URLSearchParams(authParams())}`);
    assert.match(browser.lastHtml, /Sign in to MLaaS/);
  });
});
