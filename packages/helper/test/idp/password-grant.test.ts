/**
 * @module test/idp/password-grant
 * The password grant: Keycloak-like tokens, one answer for unknown users and wrong passwords, throttling,
 * and the grant being off unless enabled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLIENT_ID, decodeJwt, startStack, type Stack } from './support/embedded-stack.js';

describe('password grant', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER: '3' });
  });
  after(async () => stack.close());

  it('issues an RS256 JWT access token with Keycloak-like claims', async () => {
    const tokens = await stack.passwordLogin('alice', 'alice');
    const [header] = (tokens.access_token as string).split('.');
    const { alg, kid } = JSON.parse(Buffer.from(header as string, 'base64url').toString()) as {
      alg: string;
      kid: string;
    };
    assert.equal(alg, 'RS256');
    assert.equal(typeof kid, 'string');
    const claims = decodeJwt(tokens.access_token as string);
    assert.equal(claims.iss, stack.issuer);
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(claims.azp, CLIENT_ID);
    assert.equal(claims.preferred_username, 'alice');
    assert.equal(claims.email, 'alice@example.org');
    assert.equal(claims.soeid, 'AL12345');
    assert.equal(typeof claims.sub, 'string');
    assert.equal((claims.exp as number) - (claims.iat as number), 300);
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes('offline_access'));
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 300);
    assert.equal(typeof tokens.refresh_token, 'string');
  });

  it('gives tokens the helper accepts through discovery and JWKS', async () => {
    const tokens = await stack.passwordLogin('bob', 'bob');
    const services = await stack.listServices(tokens.access_token as string);
    assert.equal(services.status, 200);
    assert.deepEqual((services.body.data as { user: unknown }).user, { soeid: 'BO67890', email: 'bob@example.org' });
    const init = await fetch(`${stack.url}/api/services/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: 'sentiment-analysis' }),
    });
    assert.equal(init.status, 200);
  });

  it("serves the original tool's confidential client mlaas-client, with the demo secret, and refreshes its tokens", async () => {
    const signIn = await stack.token({
      grant_type: 'password',
      client_id: 'mlaas-client',
      client_secret: 'mlaas-demo-secret',
      username: 'alice',
      password: 'alice',
      scope: 'openid profile email',
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.equal(decodeJwt(signIn.body.access_token as string).azp, 'mlaas-client');
    const services = await stack.listServices(signIn.body.access_token as string);
    assert.equal(services.status, 200);
    const refreshed = await stack.token({
      grant_type: 'refresh_token',
      client_id: 'mlaas-client',
      client_secret: 'mlaas-demo-secret',
      refresh_token: signIn.body.refresh_token as string,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(typeof refreshed.body.access_token, 'string');
  });

  it('refuses mlaas-client with a wrong secret or none', async () => {
    for (const secret of [{ client_secret: 'not-the-secret' }, {}] as Record<string, string>[]) {
      const response = await stack.token({
        grant_type: 'password',
        client_id: 'mlaas-client',
        ...secret,
        username: 'bob',
        password: 'bob',
      });
      assert.equal(response.status, 401, JSON.stringify(response.body));
      assert.equal(response.body.error, 'invalid_client');
      assert.equal(response.body.access_token, undefined);
    }
  });

  it('answers a wrong password and an unknown user with the same 401 invalid_grant', async () => {
    const wrong = await stack.token({
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'bob',
      password: 'nope',
    });
    const unknown = await stack.token({
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'mallory',
      password: 'nope',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
    assert.deepEqual(unknown.body, wrong.body);
  });

  it('throttles a user after repeated failures, even with the right password, and says when to retry', async () => {
    for (let i = 0; i < 3; i += 1) {
      const response = await stack.token({
        grant_type: 'password',
        client_id: CLIENT_ID,
        username: 'alice',
        password: `guess-${i}`,
      });
      assert.equal(response.status, 401);
    }
    const throttled = await stack.token({
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'alice',
      password: 'alice',
    });
    assert.equal(throttled.status, 400);
    assert.equal(throttled.body.error, 'invalid_grant');
    assert.match(String(throttled.body.error_description), /Too many failed sign-in attempts/);
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
  });

  it('refuses an unknown client', async () => {
    const response = await stack.token({
      grant_type: 'password',
      client_id: 'nobody',
      username: 'bob',
      password: 'bob',
    });
    assert.equal(response.status, 401);
    assert.equal(response.body.error, 'invalid_client');
  });

  it('refuses a request without a password', async () => {
    const response = await stack.token({ grant_type: 'password', client_id: CLIENT_ID, username: 'bob' });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'invalid_request');
  });

  it('refuses an unknown scope', async () => {
    const response = await stack.token({
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'bob',
      password: 'bob',
      scope: 'admin',
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'invalid_scope');
  });

  it('never logs a password or a token', async () => {
    await stack.passwordLogin('bob', 'bob');
    const text = stack.logs.join('');
    assert.doesNotMatch(text, /"bob"|password=|eyJ/);
  });
});

describe('password grant when not enabled', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ EMBEDDED_PASSWORD_GRANT: 'false' });
  });
  after(async () => stack.close());

  it('is not offered and is refused', async () => {
    assert.ok(!(stack.discovery.grant_types_supported as string[]).includes('password'));
    const response = await stack.token({
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'bob',
      password: 'bob',
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'unsupported_grant_type');
  });
});
