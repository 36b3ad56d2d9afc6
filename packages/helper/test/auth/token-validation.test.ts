/**
 * Token validation as a client meets it: every way a bearer token can be wrong gets 401 INVALID_TOKEN,
 * keys are cached and refetched only when needed, and a short issuer outage signs nobody out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT, base64url } from 'jose';
import { startHarness, type Harness } from '../support/helper-harness.js';
import { publicJwkOf, startTestIssuer } from '../support/test-issuer.js';

async function list(h: Harness, token: string) {
  const response = await h.helper.app.inject({
    method: 'GET',
    url: '/api/services',
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: response.statusCode,
    body: response.json() as {
      status: string;
      data?: { user: { soeid: string } };
      error?: { code: string; message: string };
    },
    headers: response.headers,
  };
}

function assertInvalid(result: Awaited<ReturnType<typeof list>>, messagePart?: RegExp) {
  assert.equal(result.status, 401);
  assert.equal(result.body.error?.code, 'INVALID_TOKEN');
  assert.match(String(result.headers['www-authenticate']), /error="invalid_token"/);
  if (messagePart) assert.match(result.body.error?.message ?? '', messagePart);
}

describe('token validation', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('accepts a valid RS256 token and names the user from the first configured claim', async () => {
    const result = await list(h, await h.issuer.token({ claims: { soeid: 'AB12345', preferred_username: 'alice' } }));
    assert.equal(result.status, 200);
    assert.equal(result.body.data?.user.soeid, 'AB12345');
  });

  it('refuses an expired token', async () => {
    assertInvalid(await list(h, await h.issuer.token({ expiresIn: -120 })), /expired/);
  });

  it('refuses a token that is not valid yet', async () => {
    assertInvalid(await list(h, await h.issuer.token({ notBefore: 600 })), /not valid yet/);
  });

  it('refuses a token from another issuer', async () => {
    assertInvalid(await list(h, await h.issuer.token({ issuer: 'https://evil.example/realms/test' })), /issuer/);
  });

  it('refuses a token for another audience', async () => {
    assertInvalid(await list(h, await h.issuer.token({ audience: 'account' })), /audience/);
  });

  it('refuses a token without an audience', async () => {
    assertInvalid(await list(h, await h.issuer.token({ audience: null })), /audience/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(
      JSON.stringify({
        iss: h.issuer.url,
        aud: 'mlaas-cli',
        sub: 'x',
        preferred_username: 'mallory',
        exp: Math.floor(Date.now() / 1000) + 300,
      }),
    );
    assertInvalid(await list(h, `${header}.${payload}.`));
  });

  it('refuses HS256 signed with the issuer public key as the secret', async () => {
    const jwk = await publicJwkOf(h.issuer);
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const forged = await new SignJWT({ preferred_username: 'mallory', sub: 'm' })
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid as string })
      .setIssuer(h.issuer.url)
      .setAudience('mlaas-cli')
      .setExpirationTime('5m')
      .sign(secret);
    assertInvalid(await list(h, forged), /algorithm/);
  });

  it('refuses a token whose payload was tampered with', async () => {
    const [header, payload, signature] = (await h.issuer.token()).split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    claims.preferred_username = 'admin';
    assertInvalid(await list(h, `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`), /signature/);
  });

  it('refuses truncated and garbage tokens', async () => {
    const token = await h.issuer.token();
    for (const bad of [
      token.slice(0, token.length - 10),
      token.split('.').slice(0, 2).join('.'),
      'garbage',
      'a.b.c',
      '....',
      '\u00e9t\u00e9.x.y',
    ]) {
      assertInvalid(await list(h, bad));
    }
  });

  it('refuses an oversized token before parsing it', async () => {
    assertInvalid(await list(h, `${'a'.repeat(6000)}.${'b'.repeat(6000)}.c`), /malformed/);
  });

  it('refuses a token signed by a key the issuer never published', async () => {
    assertInvalid(await list(h, await h.issuer.token({ unpublishedKey: true })), /signing key/);
  });

  it('refuses a token without a usable user id claim', async () => {
    assertInvalid(
      await list(h, await h.issuer.token({ claims: { sub: '', preferred_username: '\u0007bell' } })),
      /user id/,
    );
  });

  it('asks for a bearer token when none or another scheme is sent', async () => {
    for (const authorization of [undefined, '', 'Basic YWxpY2U6YWxpY2U=', 'Bearer', 'Bearer a b']) {
      const response = await h.helper.app.inject({
        method: 'GET',
        url: '/api/services',
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(response.statusCode, 401, String(authorization));
      assert.equal(response.json().error.code, 'MISSING_AUTH');
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="mlaas"');
    }
  });

  it('counts refused tokens by reason in the metrics', async () => {
    await list(h, await h.issuer.token({ expiresIn: -120 }));
    const metrics = await h.helper.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /mlaas_token_failures_total\{reason="expired"\} [1-9]/);
    assert.match(metrics.body, /mlaas_token_failures_total\{reason="audience"\} [1-9]/);
  });
});

describe('audience from azp', () => {
  it('accepts azp = client id when OIDC_ACCEPT_AZP is on, and only then', async () => {
    const issuer = await startTestIssuer();
    const strict = await startHarness({}, { issuer });
    const lenient = await startHarness({ OIDC_ACCEPT_AZP: 'true' }, { issuer });
    try {
      const keycloakDefault = await issuer.token({ audience: 'account', claims: { azp: 'mlaas-cli' } });
      assertInvalid(await list(strict, keycloakDefault), /audience/);
      assert.equal((await list(lenient, keycloakDefault)).status, 200);
      const otherClient = await issuer.token({ audience: 'account', claims: { azp: 'another-client' } });
      assertInvalid(await list(lenient, otherClient), /audience/);
    } finally {
      await strict.close();
      await lenient.close();
      await issuer.close();
    }
  });
});

describe('issuer keys', () => {
  it('fetches keys once for many requests, and caches verified tokens', async () => {
    const h = await startHarness();
    try {
      const tokens = await Promise.all(
        [1, 2, 3].map((n) => h.issuer.token({ claims: { preferred_username: `user${n}` } })),
      );
      for (let i = 0; i < 5; i++) for (const token of tokens) assert.equal((await list(h, token)).status, 200);
      assert.equal(h.issuer.jwksFetches(), 1);
      const metrics = (await h.helper.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /mlaas_cache_events_total\{cache="token",event="hit"\} 12/);
      assert.match(metrics, /mlaas_cache_events_total\{cache="token",event="miss"\} 3/);
    } finally {
      await h.close();
    }
  });

  it('refetches keys for an unknown kid after a rotation, at most once per cooldown', async () => {
    const h = await startHarness({ JWKS_COOLDOWN_SECONDS: '0' });
    const slow = await startHarness({ JWKS_COOLDOWN_SECONDS: '3600' }, { issuer: h.issuer });
    try {
      assert.equal((await list(h, await h.issuer.token())).status, 200);
      assert.equal((await list(slow, await h.issuer.token())).status, 200);
      const before = h.issuer.jwksFetches();
      await h.issuer.rotate({ dropOld: true });
      const rotated = await h.issuer.token({ claims: { preferred_username: 'after-rotation' } });
      // cooldown 0: the unknown kid triggers one refetch and the new key is used.
      assert.equal((await list(h, rotated)).status, 200);
      assert.equal(h.issuer.jwksFetches(), before + 1);
      // a long cooldown: keys were fetched just now, so the unknown kid is refused without asking again.
      for (let i = 0; i < 5; i++) {
        assertInvalid(
          await list(slow, await h.issuer.token({ claims: { preferred_username: `burst${i}` } })),
          /signing key/,
        );
      }
      assert.equal(h.issuer.jwksFetches(), before + 1);
    } finally {
      await slow.close();
      await h.close();
    }
  });

  it('keeps accepting tokens from cached keys while the issuer is down, even when the cache is stale', async () => {
    const h = await startHarness({ JWKS_CACHE_MAX_AGE_SECONDS: '1', JWKS_COOLDOWN_SECONDS: '0' });
    try {
      assert.equal((await list(h, await h.issuer.token())).status, 200);
      h.issuer.setDown(true);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const fresh = await h.issuer.token({ claims: { preferred_username: 'during-outage' } });
      const result = await list(h, fresh);
      assert.equal(result.status, 200);
      assert.equal(result.body.data?.user.soeid, 'preferred_username.during-outage');
      const ready = await h.helper.app.inject({ method: 'GET', url: '/api/ready' });
      assert.equal(ready.statusCode, 200, 'keys are in hand, so the helper stays ready');
    } finally {
      h.issuer.setDown(false);
      await h.close();
    }
  });

  it('answers 503 (not 401) when no keys were ever loaded and the issuer is down', async () => {
    const issuer = await startTestIssuer();
    const token = await issuer.token();
    issuer.setDown(true);
    const h = await startHarness({}, { issuer });
    try {
      const result = await list(h, token);
      assert.equal(result.status, 503);
      assert.equal(result.body.error?.code, 'UPSTREAM_UNAVAILABLE');
      const ready = await h.helper.app.inject({ method: 'GET', url: '/api/ready' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().error.code, 'NOT_READY');
      assert.match(ready.json().error.message, /token issuer/);
    } finally {
      await h.close();
      await issuer.close();
    }
  });
});
