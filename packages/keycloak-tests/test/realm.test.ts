/**
 * @module test/realm
 * deploy/keycloak/realm-mlaas.json as Keycloak imports it: the public client's grants, PKCE S256 enforced,
 * loopback redirects on any port, the audience and `soeid` in access tokens, the user profile declaring
 * `soeid` (editable by administrators only), and demo users that can sign in with a password.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Keycloak } from '../src/index.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import {
  CLIENT_ID,
  DEVICE_GRANT,
  KeycloakAdmin,
  decodeJwt,
  passwordToken,
  tokenRequest,
} from './support/keycloak-admin.js';

/** An S256 challenge (RFC 7636 appendix B). */
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('the shipped realm in Keycloak', { skip: SKIP }, () => {
  let keycloak: Keycloak;
  let admin: KeycloakAdmin;
  before(async () => {
    keycloak = await useKeycloak();
    admin = new KeycloakAdmin(keycloak);
  });

  /** Keycloak's answer to an authorization request: 200 (login page) or 400 (error page) with its text. */
  async function authorize(
    params: Record<string, string>,
  ): Promise<{ status: number; text: string; location: string | null }> {
    const query = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      state: 'state-1',
      ...params,
    });
    const response = await fetch(`${keycloak.issuer()}/protocol/openid-connect/auth?${query}`, { redirect: 'manual' });
    return { status: response.status, text: await response.text(), location: response.headers.get('location') };
  }

  it('publishes discovery with the fixed hostname as issuer, a device endpoint and S256', async () => {
    const response = await fetch(`${keycloak.issuer()}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;
    assert.equal(discovery.issuer, `${keycloak.url}/realms/mlaas`);
    assert.equal(discovery.device_authorization_endpoint, `${keycloak.issuer()}/protocol/openid-connect/auth/device`);
    assert.ok((discovery.code_challenge_methods_supported as string[]).includes('S256'));
    assert.ok((discovery.grant_types_supported as string[]).includes(DEVICE_GRANT));
  });

  it('issues access tokens for the helper: its audience, azp, soeid, email, realm roles', async () => {
    const { header, claims } = decodeJwt(await passwordToken(keycloak, { username: 'alice' }));
    assert.equal(header.alg, 'RS256');
    assert.equal(claims.iss, keycloak.issuer());
    assert.equal(claims.azp, CLIENT_ID);
    assert.ok([claims.aud].flat().includes(CLIENT_ID), `aud is ${JSON.stringify(claims.aud)}`);
    assert.equal(claims.soeid, 'AL12345');
    assert.equal(claims.email, 'alice@example.org');
    assert.equal(claims.preferred_username, 'alice');
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes('default-roles-mlaas'));
  });

  it("refuses a wrong password with Keycloak's invalid_grant", async () => {
    const answer = await tokenRequest(keycloak, keycloak.realm, {
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'bob',
      password: 'wrong',
    });
    // Keycloak 26.7 answers 400 (earlier releases answered 401).
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'invalid_grant');
    assert.equal(answer.body.error_description, 'Invalid user credentials');
  });

  it('declares soeid in the user profile, viewable by the user, editable by administrators only', async () => {
    const { body } = await admin.ok('GET', '/mlaas/users/profile');
    const soeid = (
      body as { attributes: { name: string; permissions: { view: string[]; edit: string[] } }[] }
    ).attributes.find((a) => a.name === 'soeid');
    assert.ok(soeid, 'soeid is declared');
    assert.deepEqual(soeid.permissions.edit, ['admin']);
    assert.deepEqual([...soeid.permissions.view].sort(), ['admin', 'user']);
    const { body: users } = await admin.ok('GET', '/mlaas/users?exact=true&username=bob');
    assert.deepEqual((users as { attributes: Record<string, string[]> }[])[0]?.attributes.soeid, ['BO67890']);
  });

  it('accepts a loopback redirect on any port (registered without a port) and nothing else', async () => {
    for (const redirect of [
      'http://127.0.0.1:49152/callback',
      'http://127.0.0.1:61001/callback',
      'http://localhost:50123/callback',
    ]) {
      const answer = await authorize({
        redirect_uri: redirect,
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
      });
      assert.equal(answer.status, 200, `${redirect}: ${answer.text.slice(0, 200)}`);
      assert.match(answer.text, /id="kc-login"/);
    }
    for (const redirect of [
      'http://127.0.0.1:49152/elsewhere',
      'http://example.org/callback',
      'https://127.0.0.1:49152/callback',
    ]) {
      const answer = await authorize({
        redirect_uri: redirect,
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
      });
      assert.equal(answer.status, 400, redirect);
      assert.match(answer.text, /Invalid parameter: redirect_uri/);
    }
  });

  it('demands PKCE with S256 on the authorization request', async () => {
    const redirect = 'http://127.0.0.1:49152/callback';
    for (const params of [{}, { code_challenge: CHALLENGE, code_challenge_method: 'plain' }] as Record<
      string,
      string
    >[]) {
      const answer = await authorize({ redirect_uri: redirect, ...params });
      // Keycloak sends the error back to the (valid) redirect URI instead of showing the login page.
      assert.equal(answer.status, 302, JSON.stringify(params));
      const back = new URL(answer.location ?? '');
      assert.equal(`${back.origin}${back.pathname}`, redirect);
      assert.equal(back.searchParams.get('error'), 'invalid_request');
      assert.match(back.searchParams.get('error_description') ?? '', /code challenge method|code_challenge_method/);
    }
  });

  it('offers the device grant, and demands PKCE on it too (so the CLI sends a challenge)', async () => {
    const device = (body: Record<string, string>) =>
      fetch(`${keycloak.issuer()}/protocol/openid-connect/auth/device`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: CLIENT_ID, ...body }),
      });
    const without = await device({});
    assert.equal(without.status, 400);
    assert.match(((await without.json()) as { error_description: string }).error_description, /code_challenge/);
    const withPkce = await device({ code_challenge: CHALLENGE, code_challenge_method: 'S256' });
    assert.equal(withPkce.status, 200);
    const answer = (await withPkce.json()) as {
      user_code: string;
      verification_uri_complete: string;
      interval: number;
    };
    assert.match(answer.verification_uri_complete, new RegExp(`^${keycloak.issuer()}/device\\?user_code=`));
  });
});
