/**
 * @module test/idp/discovery
 * The discovery document and key set: Keycloak's paths, and only what the issuer really supports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from './support/embedded-stack.js';

describe('discovery', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  it('names the issuer and Keycloak-compatible endpoints under /realms/mlaas', () => {
    const d = stack.discovery;
    assert.equal(stack.issuer, `${stack.url}/realms/mlaas`);
    assert.equal(d.issuer, stack.issuer);
    const base = `${stack.issuer}/protocol/openid-connect`;
    assert.equal(d.token_endpoint, `${base}/token`);
    assert.equal(d.authorization_endpoint, `${base}/auth`);
    assert.equal(d.device_authorization_endpoint, `${base}/auth/device`);
    assert.equal(d.jwks_uri, `${base}/certs`);
    assert.equal(d.end_session_endpoint, `${base}/logout`);
    assert.equal(d.userinfo_endpoint, `${base}/userinfo`);
    assert.equal(d.revocation_endpoint, `${base}/revoke`);
  });

  it('is where the issuer is documented: the API document lists only the API, never the issuer or its pages', async () => {
    const response = await fetch(`${stack.url}/api/openapi.json`);
    assert.equal(response.status, 200);
    const document = (await response.json()) as { paths: Record<string, unknown>; info: { description: string } };
    const paths = Object.keys(document.paths).sort();
    assert.ok(paths.includes('/api/services/init'), paths.join(' '));
    assert.deepEqual(
      paths.filter((path) => !path.startsWith('/api/') && path !== '/metrics'),
      [],
    );
    assert.match(document.info.description, /\.well-known\/openid-configuration/);
  });

  it('advertises the grants, PKCE S256 only, public clients and RS256', () => {
    const d = stack.discovery;
    assert.deepEqual([...(d.grant_types_supported as string[])].sort(), [
      'authorization_code',
      'password',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
    ]);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(d.response_types_supported, ['code']);
    // `none` for the CLI; a client secret in the form for the original tool's confidential client.
    assert.deepEqual(d.token_endpoint_auth_methods_supported, ['none', 'client_secret_post']);
    assert.ok((d.id_token_signing_alg_values_supported as string[]).includes('RS256'));
    assert.ok((d.scopes_supported as string[]).includes('openid'));
  });

  it('publishes public RSA signing keys only', async () => {
    const response = await fetch(stack.discovery.jwks_uri);
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.equal(key.kty, 'RSA');
      assert.equal(key.d, undefined);
      assert.equal(key.p, undefined);
      assert.equal(typeof key.kid, 'string');
    }
  });

  it('keeps the helper routes as they were', async () => {
    const health = await fetch(`${stack.url}/api/health`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${stack.url}/api/ready`);
    assert.equal(ready.status, 200);
    const missing = await fetch(`${stack.url}/api/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });
});
