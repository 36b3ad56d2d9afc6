/**
 * Regression tests for the token and issuer findings of the security review: ID tokens do not open the API,
 * the Host header never reaches discovery and keys come from the issuer's origin, a revoked session stops
 * key requests at once, and the smaller ones (device page limit, form-action, CSP of the sign-out page,
 * token lifetime).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createIssuerKeys } from '../../src/auth/issuer-keys.js';
import { isHelperError } from '../../src/errors/helper-error.js';
import { startHarness, type Harness } from '../support/helper-harness.js';
import { CLIENT_ID, startStack, type Stack } from '../idp/support/embedded-stack.js';

async function call(harness: Harness, method: 'GET' | 'POST', url: string, token: string, body?: unknown) {
  const response = await harness.helper.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, body: response.json() as { error?: { code: string; message: string } } };
}

/** A raw HTTP GET with a chosen Host header (fetch does not let a caller set it). */
function getWithHost(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function initWith(stack: Stack, accessToken: string) {
  const response = await fetch(`${stack.url}/api/services/init`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: 'sentiment-analysis' }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

describe('finding 5: ID tokens are refused as access tokens', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => harness.close());

  it('finding 5: ID tokens (Keycloak typ "ID") are refused as access tokens', async () => {
    const idToken = await harness.issuer.token({ claims: { typ: 'ID', nonce: 'n-1' } });
    const result = await call(harness, 'GET', '/api/services', idToken);
    assert.equal(result.status, 401);
    assert.equal(result.body.error?.code, 'INVALID_TOKEN');
    assert.match(result.body.error?.message ?? '', /not an access token/);
  });

  it('finding 5: ID tokens: a token carrying ID-token-only claims, or another header typ, is refused', async () => {
    for (const options of [
      { claims: { at_hash: 'abc' } },
      { header: { typ: 'logout+jwt' } },
      { claims: { typ: 'Refresh' } },
    ]) {
      const result = await call(harness, 'GET', '/api/services', await harness.issuer.token(options));
      assert.equal(result.status, 401, JSON.stringify(options));
    }
  });

  it('finding 5: access tokens marked at+jwt, JWT, or unmarked (RFC 9068 and older issuers) are accepted', async () => {
    for (const header of [{ typ: 'at+jwt' }, { typ: 'JWT' }, { typ: undefined }]) {
      const token = await harness.issuer.token({ header, claims: { typ: 'Bearer' } });
      assert.equal((await call(harness, 'GET', '/api/services', token)).status, 200, JSON.stringify(header));
    }
    // Keycloak copies the sign-in's nonce into its access tokens, which it marks "Bearer".
    const keycloakStyle = await harness.issuer.token({ claims: { typ: 'Bearer', nonce: 'n-2' } });
    assert.equal((await call(harness, 'GET', '/api/services', keycloakStyle)).status, 200);
  });

  it('finding 5: ID tokens of the embedded issuer are refused, its access tokens accepted', async () => {
    const stack = await startStack();
    try {
      const tokens = await stack.passwordLogin('alice', 'alice', 'openid profile email');
      assert.equal((await stack.listServices(tokens.id_token as string)).status, 401);
      assert.equal((await stack.listServices(tokens.access_token as string)).status, 200);
    } finally {
      await stack.close();
    }
  });
});

describe('finding 11: token lifetime is bounded', () => {
  it('finding 11: tokens whose lifetime (exp - iat) exceeds OIDC_MAX_TOKEN_LIFETIME_SECONDS are refused', async () => {
    const harness = await startHarness({ OIDC_MAX_TOKEN_LIFETIME_SECONDS: '600' });
    try {
      const long = await call(harness, 'GET', '/api/services', await harness.issuer.token({ expiresIn: 3_600 }));
      assert.equal(long.status, 401);
      assert.match(long.body.error?.message ?? '', /lives longer than this service accepts/);
      const normal = await call(harness, 'GET', '/api/services', await harness.issuer.token({ expiresIn: 300 }));
      assert.equal(normal.status, 200);
    } finally {
      await harness.close();
    }
  });
});

describe('finding 6: the Host header never flows into discovery', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  it('finding 6: Host and X-Forwarded-Host do not change discovery URLs or the device verification_uri', async () => {
    const origin = new URL(stack.issuer).origin;
    const discovery = await getWithHost(`${stack.issuer}/.well-known/openid-configuration`, {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    });
    assert.equal(discovery.status, 200);
    assert.doesNotMatch(discovery.body, /evil\.example/);
    const document = JSON.parse(discovery.body) as Record<string, string>;
    for (const name of ['jwks_uri', 'token_endpoint', 'device_authorization_endpoint', 'userinfo_endpoint']) {
      assert.equal(new URL(document[name] as string).origin, origin, name);
    }
    const device = await fetch(stack.discovery.device_authorization_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': 'evil.example' },
      body: new URLSearchParams({ client_id: CLIENT_ID, scope: 'openid' }),
    });
    const body = (await device.json()) as { verification_uri: string };
    assert.equal(new URL(body.verification_uri).origin, origin);
  });

  it('finding 6: the helper refuses a jwks_uri off the issuer origin unless allowed', async () => {
    const issuer = 'https://sso.example.org/realms/mlaas';
    const fakeFetch = (async (url: string) =>
      new Response(
        String(url).endsWith('openid-configuration')
          ? JSON.stringify({ issuer, jwks_uri: 'https://keys.example.net/certs' })
          : JSON.stringify({ keys: [] }),
      )) as typeof fetch;
    const strict = createIssuerKeys({ issuer, cacheMaxAgeMs: 1, cooldownMs: 0, timeoutMs: 1_000, fetch: fakeFetch });
    await assert.rejects(
      strict.checkReady(),
      (error: unknown) => isHelperError(error, 'CONFIG_ERROR') && /OIDC_JWKS_ALLOWED_ORIGINS/.test(String(error)),
    );
    const allowed = createIssuerKeys({
      issuer,
      cacheMaxAgeMs: 1,
      cooldownMs: 0,
      timeoutMs: 1_000,
      fetch: fakeFetch,
      allowedJwksOrigins: ['https://keys.example.net'],
    });
    await allowed.checkReady();
  });
});

describe('finding 8: revocation reaches the helper before a key is created or revealed', () => {
  it('finding 8: after sign-out the access token no longer creates or reveals a key (embedded issuer)', async () => {
    const stack = await startStack();
    try {
      const tokens = await stack.passwordLogin('alice', 'alice');
      assert.equal((await initWith(stack, tokens.access_token as string)).status, 200);
      // Revoking the refresh token ends the grant (as signing out and a replayed refresh token do).
      const revoke = await fetch(stack.discovery.revocation_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: CLIENT_ID, token: tokens.refresh_token as string }),
      });
      assert.equal(revoke.status, 200);
      const after = await initWith(stack, tokens.access_token as string);
      assert.equal(after.status, 401);
      assert.equal(after.body.error?.code, 'INVALID_TOKEN');
      assert.match(after.body.error?.message ?? '', /session .* has ended/);
      // The list (without keys) still answers on the token alone.
      assert.equal((await stack.listServices(tokens.access_token as string)).status, 200);
    } finally {
      await stack.close();
    }
  });

  it('finding 8: a replayed refresh token ends the session for key requests at once', async () => {
    const stack = await startStack();
    try {
      const tokens = await stack.passwordLogin('bob', 'bob');
      const refresh = {
        grant_type: 'refresh_token',
        client_id: CLIENT_ID,
        refresh_token: tokens.refresh_token as string,
      };
      const rotated = await stack.token(refresh);
      assert.equal(rotated.status, 200);
      const replayed = await stack.token(refresh);
      assert.equal(replayed.status, 400);
      assert.equal((await initWith(stack, rotated.body.access_token as string)).status, 401);
    } finally {
      await stack.close();
    }
  });

  it('finding 8: with another issuer, init asks its userinfo endpoint once and stops when the session ended', async () => {
    const harness = await startHarness();
    try {
      const token = await harness.issuer.token();
      const body = { service_name: 'Sentiment Analysis' };
      const before = harness.issuer.userinfoCalls();
      const first = await call(harness, 'POST', '/api/services/init', token, body);
      assert.notEqual(first.status, 401);
      assert.equal(harness.issuer.userinfoCalls(), before + 1);
      await call(harness, 'GET', '/api/services', token);
      assert.equal(harness.issuer.userinfoCalls(), before + 1, 'the list without keys does not ask');
      harness.issuer.endSession(token);
      const ended = await call(harness, 'POST', '/api/services/init', token, body);
      assert.equal(ended.status, 401);
      assert.match(ended.body.error?.message ?? '', /session .* has ended/);
    } finally {
      await harness.close();
    }
  });

  it('finding 8: OIDC_SESSION_CHECK=false turns the check off', async () => {
    const harness = await startHarness({ OIDC_SESSION_CHECK: 'false' });
    try {
      const token = await harness.issuer.token();
      harness.issuer.endSession(token);
      const result = await call(harness, 'POST', '/api/services/init', token, { service_name: 'Sentiment Analysis' });
      assert.notEqual(result.status, 401);
      assert.equal(harness.issuer.userinfoCalls(), 0);
    } finally {
      await harness.close();
    }
  });
});

describe('finding 11: device page limit and the pages\u2019 policies', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ EMBEDDED_IDP_DEVICE_PAGE_PER_MINUTE: '3' });
  });
  after(async () => stack.close());

  it('finding 11: the device verification page is rate limited per address', async () => {
    const device = await fetch(stack.discovery.device_authorization_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, scope: 'openid' }),
    });
    const { verification_uri: page } = (await device.json()) as { verification_uri: string };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(page);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.deepEqual(statuses.slice(3), [429, 429]);
  });

  it("finding 11: the pages' CSP has form-action, and the logout auto-submit page has a CSP", async () => {
    const device = await fetch(stack.discovery.device_authorization_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, scope: 'openid' }),
    });
    await device.arrayBuffer();
    // Without a browser session the issuer answers sign-out with its own auto-submitting form.
    const logout = await fetch(stack.discovery.end_session_endpoint);
    const html = await logout.text();
    assert.match(html, /document\.forms\[0\]\.submit\(\)/);
    const csp = logout.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /form-action 'self'/);
    const authorize = await fetch(
      `${stack.discovery.authorization_endpoint}?${new URLSearchParams({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:40000/callback',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'follow' },
    );
    await authorize.arrayBuffer();
    assert.match(authorize.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/127\.0\.0\.1:\*/);
  });
});
