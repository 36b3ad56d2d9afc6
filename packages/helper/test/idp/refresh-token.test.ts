/**
 * @module test/idp/refresh-token
 * Refresh tokens rotate on every use; replaying a used one revokes the whole grant (RFC 9700 §4.14.2).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLIENT_ID, startStack, type Stack } from './support/embedded-stack.js';

describe('refresh tokens', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  const refresh = (refreshToken: string) =>
    stack.token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refreshToken });

  it('rotate: each refresh returns a new refresh token and a new access token the helper accepts', async () => {
    const first = await stack.passwordLogin('alice', 'alice');
    const second = await refresh(first.refresh_token as string);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.notEqual(second.body.access_token, first.access_token);
    const services = await stack.listServices(second.body.access_token as string);
    assert.equal(services.status, 200);
  });

  it('a replayed refresh token is refused and revokes the grant, so its successor stops working too', async () => {
    const first = await stack.passwordLogin('alice', 'alice');
    const second = await refresh(first.refresh_token as string);
    assert.equal(second.status, 200);
    const replay = await refresh(first.refresh_token as string);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.match(String(replay.body.error_description), /already used/);
    const successor = await refresh(second.body.refresh_token as string);
    assert.equal(successor.status, 400);
    assert.equal(successor.body.error, 'invalid_grant');
  });

  it('is refused after revocation', async () => {
    const tokens = await stack.passwordLogin('bob', 'bob');
    const revoke = await fetch(stack.discovery.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: CLIENT_ID,
        token: tokens.refresh_token as string,
        token_type_hint: 'refresh_token',
      }),
    });
    assert.equal(revoke.status, 200);
    const response = await refresh(tokens.refresh_token as string);
    assert.equal(response.body.error, 'invalid_grant');
  });

  it('refuses a made-up refresh token', async () => {
    const response = await refresh('not-a-token');
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'invalid_grant');
  });
});
