/**
 * @module test/outage
 * Keycloak down: the helper keeps accepting tokens signed with the keys it has cached (its background
 * refresh fails and the cached keys are kept), so an identity-server restart does not sign everybody out.
 * Runs last in the suite: it stops the shared Keycloak (a later test would start it again).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Keycloak } from '../src/index.js';
import { startHelper, type RunningHelper } from './support/clients.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import { passwordToken } from './support/keycloak-admin.js';

describe('Keycloak stopped', { skip: SKIP }, () => {
  let keycloak: Keycloak;
  let helper: RunningHelper;
  before(async () => {
    keycloak = await useKeycloak();
    // Keys older than a second are refreshed in the background (no cooldown between attempts); each token
    // is verified afresh.
    helper = await startHelper(keycloak, {
      JWKS_CACHE_MAX_AGE_SECONDS: '1',
      JWKS_COOLDOWN_SECONDS: '0',
      TOKEN_CACHE_SIZE: '0',
      OIDC_TIMEOUT_MS: '1000',
    });
  });
  after(async () => {
    await helper?.close();
  });

  it('the helper keeps accepting tokens with its cached keys while Keycloak is down', async () => {
    const alice = await passwordToken(keycloak, { username: 'alice' });
    const bob = await passwordToken(keycloak, { username: 'bob' });
    assert.equal((await helper.listServices(alice)).status, 200, 'keys loaded while Keycloak is up');

    await keycloak.stop();
    const down = await fetch(`${keycloak.issuer()}/.well-known/openid-configuration`).then(
      () => false,
      () => true,
    );
    assert.ok(down, 'Keycloak no longer answers');

    for (const [token, soeid] of [
      [alice, 'AL12345'],
      [bob, 'BO67890'],
    ] as const) {
      const answer = await helper.listServices(token);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal((answer.body.data?.user as { soeid: string }).soeid, soeid);
    }
    // Past the keys' maximum age, a refresh is attempted, fails, and the cached keys still serve.
    await sleep(1_500);
    assert.equal((await helper.listServices(alice)).status, 200);
    await sleep(1_500);
    assert.equal((await helper.listServices(bob)).status, 200);
    assert.ok(
      helper.logs.some((line) => line.includes('could not refresh the token issuer keys')),
      'the failed refresh is logged',
    );
  });
});
