/**
 * @module test/helper-tokens
 * The helper verifying real Keycloak access tokens: the `aud`/`azp` rules (with the realm's audience
 * mapper, and for a client without one), `soeid` as the user id, tokens of another realm refused, and a
 * signing-key rotation done through the Admin REST API picked up after the JWKS cooldown.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Keycloak } from '../src/index.js';
import { startHelper, type RunningHelper } from './support/clients.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import {
  CLIENT_ID,
  KeycloakAdmin,
  decodeJwt,
  passwordToken,
  shippedRealm,
  tokenRequest,
} from './support/keycloak-admin.js';

/** A public client as Keycloak makes it by default: no audience mapper, so `aud` lacks the client. */
const PLAIN_CLIENT = 'mlaas-cli-no-audience';
const OTHER_REALM = 'mlaas-elsewhere';
const ROTATION_REALM = 'mlaas-rotation';

describe('the helper trusts Keycloak tokens by its rules', { skip: SKIP }, () => {
  let keycloak: Keycloak;
  let admin: KeycloakAdmin;
  const helpers: RunningHelper[] = [];
  const helperWith = async (env: Record<string, string> = {}) => {
    const helper = await startHelper(keycloak, env);
    helpers.push(helper);
    return helper;
  };

  before(async () => {
    keycloak = await useKeycloak();
    admin = new KeycloakAdmin(keycloak);
    const leftover = await clientUuid(admin, PLAIN_CLIENT).catch(() => undefined);
    if (leftover !== undefined) await admin.request('DELETE', `/mlaas/clients/${leftover}`);
    await admin.ok('POST', '/mlaas/clients', {
      clientId: PLAIN_CLIENT,
      publicClient: true,
      directAccessGrantsEnabled: true,
      standardFlowEnabled: false,
    });
  });
  after(async () => {
    for (const helper of helpers) await helper.close();
    const plain = await clientUuid(admin, PLAIN_CLIENT).catch(() => undefined);
    if (plain !== undefined) await admin.request('DELETE', `/mlaas/clients/${plain}`);
    await admin?.deleteRealm(OTHER_REALM);
    await admin?.deleteRealm(ROTATION_REALM);
  });

  it("accepts a token whose aud carries the audience (the realm's mapper) and maps soeid and email", async () => {
    const helper = await helperWith();
    const token = await passwordToken(keycloak, { username: 'bob' });
    const answer = await helper.listServices(token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.data?.user, { soeid: 'BO67890', email: 'bob@example.org' });
  });

  it('without soeid in USER_ID_CLAIMS, the next claim (preferred_username) is the user id', async () => {
    const helper = await helperWith({ USER_ID_CLAIMS: 'preferred_username,sub' });
    const answer = await helper.listServices(await passwordToken(keycloak, { username: 'bob' }));
    assert.equal(answer.status, 200);
    assert.equal((answer.body.data?.user as { soeid: string }).soeid, 'bob');
  });

  it('refuses a token whose aud lacks the audience, unless OIDC_ACCEPT_AZP lets azp stand in', async () => {
    const token = await passwordToken(keycloak, { username: 'alice' });
    const strict = await helperWith({ KEYCLOAK_AUDIENCE: 'mlaas-api' });
    const refused = await strict.listServices(token);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error?.code, 'INVALID_TOKEN');
    assert.match(refused.body.error?.message ?? '', /audience/);
    const lenient = await helperWith({ KEYCLOAK_AUDIENCE: 'mlaas-api', OIDC_ACCEPT_AZP: 'true' });
    assert.equal((await lenient.listServices(token)).status, 200);
  });

  it('a client without the audience mapper: refused by default, accepted with OIDC_ACCEPT_AZP', async () => {
    const token = await passwordToken(keycloak, { username: 'alice', clientId: PLAIN_CLIENT });
    const { claims } = decodeJwt(token);
    assert.equal(claims.azp, PLAIN_CLIENT);
    assert.ok(![claims.aud].flat().includes(PLAIN_CLIENT), `aud is ${JSON.stringify(claims.aud)}`);
    const strict = await helperWith({ KEYCLOAK_CLIENT_ID: PLAIN_CLIENT });
    assert.equal((await strict.listServices(token)).status, 401);
    const lenient = await helperWith({ KEYCLOAK_CLIENT_ID: PLAIN_CLIENT, OIDC_ACCEPT_AZP: 'true' });
    const answer = await lenient.listServices(token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    // No soeid mapper on that client: the user id falls back to preferred_username, qualified by its claim so
    // it can never name the account of a user whose soeid is "alice".
    assert.equal((answer.body.data?.user as { soeid: string }).soeid, 'preferred_username.alice');
  });

  it('finding 5: ID tokens: a real Keycloak ID token (typ "ID", aud = the client) is refused as an access token', async () => {
    const answer = await tokenRequest(keycloak, keycloak.realm, {
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'alice',
      password: 'alice',
      scope: 'openid',
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const idToken = answer.body.id_token as string;
    const { claims } = decodeJwt(idToken);
    assert.equal(claims.typ, 'ID');
    assert.ok([claims.aud].flat().includes(CLIENT_ID), `aud is ${JSON.stringify(claims.aud)}`);
    // Even with azp standing in for the audience, the ID token does not open the API; the access token does.
    const helper = await helperWith({ OIDC_ACCEPT_AZP: 'true' });
    const refused = await helper.listServices(idToken);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error?.code, 'INVALID_TOKEN');
    assert.match(refused.body.error?.message ?? '', /not an access token/);
    assert.equal((await helper.listServices(answer.body.access_token as string)).status, 200);
  });

  it('finding 8: revocation: after the Keycloak session ends, init is refused while the access token is unexpired', async () => {
    const answer = await tokenRequest(keycloak, keycloak.realm, {
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'bob',
      password: 'bob',
      scope: 'openid',
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const helper = await helperWith();
    const access = answer.body.access_token as string;
    const logout = await fetch(`${keycloak.issuer(keycloak.realm)}/protocol/openid-connect/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, refresh_token: answer.body.refresh_token as string }),
    });
    assert.ok(logout.status === 204 || logout.status === 200, `logout answered ${logout.status}`);
    const init = await helper.init(access, 'sentiment-analysis');
    assert.equal(init.status, 401, JSON.stringify(init.body));
    assert.match(init.body.error?.message ?? '', /session .* has ended/);
  });

  it('refuses a token from another realm of the same Keycloak (same client, users and audience)', async () => {
    await admin.createRealm(shippedRealm(OTHER_REALM));
    const token = await passwordToken(keycloak, { username: 'alice', realm: OTHER_REALM });
    assert.equal(decodeJwt(token).claims.iss, keycloak.issuer(OTHER_REALM));
    const helper = await helperWith();
    const answer = await helper.listServices(token);
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error?.code, 'INVALID_TOKEN');
  });

  it('picks up a new signing key after a rotation through the Admin REST API; old tokens stay valid', async () => {
    await admin.createRealm(shippedRealm(ROTATION_REALM));
    const helper = await helperWith({
      KEYCLOAK_REALM: ROTATION_REALM,
      JWKS_COOLDOWN_SECONDS: '1',
      TOKEN_CACHE_SIZE: '0',
    });
    const oldToken = await passwordToken(keycloak, { username: 'alice', realm: ROTATION_REALM });
    assert.equal((await helper.listServices(oldToken)).status, 200, 'the helper loads the keys');
    const oldKid = await admin.activeSigningKid(ROTATION_REALM);
    assert.equal(decodeJwt(oldToken).header.kid, oldKid);

    await admin.rotateSigningKey(ROTATION_REALM, 500);
    const newKid = await admin.activeSigningKid(ROTATION_REALM);
    assert.notEqual(newKid, oldKid);
    const newToken = await passwordToken(keycloak, { username: 'alice', realm: ROTATION_REALM });
    assert.equal(decodeJwt(newToken).header.kid, newKid);

    // An unknown kid makes the helper fetch the keys again, at most once per cooldown (1 s here).
    await sleep(1_100);
    const answer = await helper.listServices(newToken);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((await helper.listServices(oldToken)).status, 200, 'the old key is still published (passive)');
  });
});

async function clientUuid(admin: KeycloakAdmin, clientId: string): Promise<string> {
  const { body } = await admin.ok('GET', `/mlaas/clients?clientId=${encodeURIComponent(clientId)}`);
  const id = (body as { id: string }[])[0]?.id;
  if (id === undefined) throw new Error(`no client ${clientId}`);
  return id;
}
