/**
 * @module test/idp/authorization-code
 * Authorization code with PKCE through the sign-in page, over HTTP, and what the issuer refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CLIENT_ID,
  decodeJwt,
  pkcePair,
  startAuthorization,
  startStack,
  submitLogin,
  type Stack,
} from './support/embedded-stack.js';

describe('authorization code + PKCE', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  function authParams(challenge: string, redirectUri = 'http://127.0.0.1:53124/callback'): Record<string, string> {
    return {
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      state: 'state-123',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
  }

  async function obtainCode(redirectUri?: string): Promise<{ code: string; verifier: string; redirectUri: string }> {
    const { verifier, challenge } = pkcePair();
    const uri = redirectUri ?? 'http://127.0.0.1:53124/callback';
    const { browser, redirect } = await startAuthorization(stack, authParams(challenge, uri));
    assert.equal(redirect, null);
    assert.equal(browser.lastStatus, 200);
    assert.match(browser.lastHtml, /<label for="username">Username<\/label>/);
    const callback = await submitLogin(browser, 'alice', 'alice');
    assert.ok(callback !== null, `expected a redirect to the client, got page: ${browser.lastHtml.slice(0, 300)}`);
    const url = new URL(callback);
    assert.equal(`${url.origin}${url.pathname}`, uri);
    assert.equal(url.searchParams.get('state'), 'state-123');
    assert.equal(url.searchParams.get('iss'), stack.issuer);
    return { code: url.searchParams.get('code') ?? '', verifier, redirectUri: uri };
  }

  it('signs in through the page and exchanges the code with the verifier for tokens the helper accepts', async () => {
    const { code, verifier, redirectUri } = await obtainCode();
    const response = await stack.token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(typeof response.body.refresh_token, 'string');
    assert.equal(typeof response.body.id_token, 'string');
    const claims = decodeJwt(response.body.access_token as string);
    assert.equal(claims.preferred_username, 'alice');
    assert.equal(claims.azp, CLIENT_ID);
    const services = await stack.listServices(response.body.access_token as string);
    assert.equal(services.status, 200);
    assert.deepEqual((services.body.data as { user: unknown }).user, { soeid: 'AL12345', email: 'alice@example.org' });
  });

  it('accepts a loopback redirect on any port, for localhost too', async () => {
    const { code, verifier, redirectUri } = await obtainCode('http://localhost:61999/callback');
    const response = await stack.token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    });
    assert.equal(response.status, 200);
  });

  it('refuses the code without the PKCE verifier', async () => {
    const { code, redirectUri } = await obtainCode();
    const response = await stack.token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      redirect_uri: redirectUri,
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'invalid_grant');
  });

  it('refuses the code with a wrong PKCE verifier', async () => {
    const { code, redirectUri } = await obtainCode();
    const response = await stack.token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      code_verifier: pkcePair().verifier,
      redirect_uri: redirectUri,
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'invalid_grant');
    assert.match(String(response.body.error_description), /PKCE/);
  });

  it('refuses an authorization request without a code challenge', async () => {
    const params = authParams('x');
    delete params.code_challenge;
    delete params.code_challenge_method;
    const { redirect } = await startAuthorization(stack, params);
    assert.ok(redirect !== null);
    const url = new URL(redirect);
    assert.equal(url.searchParams.get('error'), 'invalid_request');
    assert.match(url.searchParams.get('error_description') ?? '', /PKCE/);
  });

  it('refuses the plain PKCE method', async () => {
    const { redirect } = await startAuthorization(stack, {
      ...authParams('a'.repeat(43)),
      code_challenge_method: 'plain',
    });
    assert.ok(redirect !== null);
    assert.equal(new URL(redirect).searchParams.get('error'), 'invalid_request');
  });

  it('refuses a redirect URI that is not on a loopback address, without redirecting to it', async () => {
    const { browser, redirect } = await startAuthorization(
      stack,
      authParams(pkcePair().challenge, 'http://evil.example/callback'),
    );
    assert.equal(redirect, null);
    assert.equal(browser.lastStatus, 400);
    assert.match(browser.lastHtml, /redirect_uri/);
  });

  it('refuses an unknown client at the authorization endpoint', async () => {
    const { browser, redirect } = await startAuthorization(stack, {
      ...authParams(pkcePair().challenge),
      client_id: 'nobody',
    });
    assert.equal(redirect, null);
    assert.equal(browser.lastStatus, 400);
    assert.match(browser.lastHtml, /invalid_client/);
  });

  it('shows an error on the sign-in page for a wrong password and stays on it', async () => {
    const { browser } = await startAuthorization(stack, authParams(pkcePair().challenge));
    const redirect = await submitLogin(browser, 'alice', 'wrong');
    assert.equal(redirect, null);
    assert.equal(browser.lastStatus, 401);
    assert.match(browser.lastHtml, /role="alert"[^>]*>Invalid user credentials\./);
  });

  it('rejects a sign-in form without the CSRF token of its interaction', async () => {
    const { browser } = await startAuthorization(stack, authParams(pkcePair().challenge));
    const redirect = await browser.go(browser.formAction(/\/login$/), {
      method: 'POST',
      form: { csrf: 'forged', username: 'alice', password: 'alice' },
    });
    assert.equal(redirect, null);
    assert.equal(browser.lastStatus, 403);
  });

  it('ends with access_denied at the client when the user cancels', async () => {
    const { browser } = await startAuthorization(stack, authParams(pkcePair().challenge));
    const redirect = await browser.go(browser.formAction(/\/abort$/), {
      method: 'POST',
      form: { csrf: browser.hidden('csrf') },
    });
    assert.ok(redirect !== null);
    assert.equal(new URL(redirect).searchParams.get('error'), 'access_denied');
  });
});
