/**
 * @module test/cli-refresh
 * Silent renewal against Keycloak, in a copy of the shipped realm whose access tokens live 5 seconds:
 * the CLI renews an expired token without a word, stores Keycloak's rotated refresh token (the realm
 * revokes used ones), and when an administrator ends the session it exits 4 without a terminal.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Keycloak } from '../src/index.js';
import { cliUser, startHelper, type CliUser, type RunningHelper } from './support/clients.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import { CLIENT_ID, KeycloakAdmin, decodeJwt, shippedRealm, tokenRequest } from './support/keycloak-admin.js';

const REALM = 'mlaas-short-tokens';
const ACCESS_TOKEN_SECONDS = 5;

describe('token renewal against Keycloak', { skip: SKIP }, () => {
  let keycloak: Keycloak;
  let admin: KeycloakAdmin;
  let helper: RunningHelper;
  const users: CliUser[] = [];
  const signedIn = async (username: string) => {
    const user = cliUser(keycloak, { realm: REALM, helperUrl: helper.url });
    users.push(user);
    await user.login(username);
    return user;
  };

  before(async () => {
    keycloak = await useKeycloak();
    admin = new KeycloakAdmin(keycloak);
    await admin.createRealm(shippedRealm(REALM, { accessTokenLifespan: ACCESS_TOKEN_SECONDS }));
    // No clock tolerance and no verified-token cache: an expired token is refused the moment it expires.
    helper = await startHelper(keycloak, {
      KEYCLOAK_REALM: REALM,
      OIDC_CLOCK_TOLERANCE_SECONDS: '0',
      TOKEN_CACHE_SIZE: '0',
    });
  });
  after(async () => {
    for (const user of users) user.remove();
    await helper?.close();
    await admin?.deleteRealm(REALM);
  });

  it('an expired access token is renewed silently; the rotated refresh token is stored, the old one is dead', async () => {
    const user = await signedIn('alice');
    const before = user.tokens();
    const { exp } = decodeJwt(before.accessToken).claims as { exp: number };
    assert.ok(exp - Math.floor(Date.now() / 1000) <= ACCESS_TOKEN_SECONDS);
    await sleep(Math.max(0, exp * 1000 - Date.now()) + 1_500);

    const refused = await helper.listServices(before.accessToken);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error?.code, 'INVALID_TOKEN');

    const list = await user.run(['services', 'list', '--json', '--no-input']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stderr, '');
    assert.equal((JSON.parse(list.stdout) as { user: { soeid: string } }).user.soeid, 'AL12345');
    const after = user.tokens();
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.ok(after.expiresAt > Date.now() / 1000);
    assert.equal((await helper.listServices(after.accessToken)).status, 200);

    const replay = await tokenRequest(keycloak, REALM, {
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: before.refreshToken,
    });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
  });

  it('a session ended by an administrator: without a terminal the CLI exits 4 and says how to sign in', async () => {
    const user = await signedIn('bob');
    await admin.ok('POST', `/${REALM}/users/${await admin.userId(REALM, 'bob')}/logout`);
    const result = await user.run(['services', 'list'], { env: { MLAAS_USERNAME: undefined } });
    assert.equal(result.code, 4);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^error: your session has expired or was ended \(AUTH_REQUIRED\)$/m);
    assert.match(result.stderr, /^hint: .*MLAAS_USERNAME and MLAAS_PASSWORD/m);
  });
});
