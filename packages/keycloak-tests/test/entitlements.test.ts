/**
 * @module test/entitlements
 * Entitlements and offboarding on the real Keycloak: a person without the role does not see the service, and
 * sees it once an administrator grants the role; disabling the person in Keycloak and running reconcile (the
 * directory read through the shipped `mlaas-offboarding` service account) stops the key — at the embedded
 * gateway, or by suspending the application in (the fake) 3scale — and enabling them resumes it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHelper, type Helper } from '../../helper/src/app/create-helper.js';
import { loadConfig } from '../../helper/src/config/load-config.js';
import { createLogger } from '../../helper/src/log/logger.js';
import { createFake3scale, type Fake3scale } from '@mlaas/fake-3scale';
import type { Keycloak } from '../src/index.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import { CLIENT_ID, KeycloakAdmin, passwordToken, shippedRealm } from './support/keycloak-admin.js';

const REALM = 'mlaas-entitle';
const SERVICE = 'sentiment-analysis';
const POLICY = `
services:
  ${SERVICE}:
    allow: [role:ml-user]
`;

/**
 * A helper in this process against the realm, with an entitlements policy and the shipped offboarding client
 * (`mlaas-offboarding`) reading the directory; `backend` chooses its API manager. `close` also removes its data.
 */
async function startPolicyHelper(
  keycloak: Keycloak,
  realm: string,
  policy: string,
  backend: Record<string, string>,
): Promise<{ helper: Helper; url: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-kc-entitle-'));
  writeFileSync(join(dataDir, 'entitlements.yaml'), policy);
  const config = loadConfig({
    KEYCLOAK_URL: keycloak.url,
    KEYCLOAK_REALM: realm,
    KEYCLOAK_CLIENT_ID: CLIENT_ID,
    OIDC_ALLOW_HTTP: 'true',
    MLAAS_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_SECONDS: '0',
    ENTITLEMENTS_FILE: join(dataDir, 'entitlements.yaml'),
    KEYCLOAK_ADMIN_CLIENT_ID: 'mlaas-offboarding',
    KEYCLOAK_ADMIN_CLIENT_SECRET: 'mlaas-offboarding-demo-secret',
    ...backend,
  });
  const helper = await createHelper(config, { logger: createLogger({ level: 'warn' }), defaultMetrics: false });
  const url = await helper.listen();
  return {
    helper,
    url,
    async close() {
      await helper.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('entitlements and offboarding with Keycloak (embedded store)', { skip: SKIP }, () => {
  let keycloak: Keycloak;
  let admin: KeycloakAdmin;
  let helper: Helper;
  let url: string;
  let running: { close(): Promise<void> } | undefined;
  before(async () => {
    keycloak = await useKeycloak();
    admin = new KeycloakAdmin(keycloak);
    await admin.createRealm(shippedRealm(REALM));
    const started = await startPolicyHelper(keycloak, REALM, POLICY, { APIM_BACKEND: 'embedded' });
    ({ helper, url } = started);
    running = started;
  });
  after(async () => {
    await running?.close();
    await admin?.deleteRealm(REALM);
  });

  const token = () => passwordToken(keycloak, { username: 'bob', realm: REALM });
  const listedIds = async () => {
    const response = await fetch(`${url}/api/services`, { headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { data: { services: { id: string }[] } }).data.services.map((s) => s.id);
  };
  const gateway = async (key: string) =>
    (await fetch(`${url}/gateway/${SERVICE}`, { method: 'POST', headers: { 'x-api-key': key } })).status;
  const setEnabled = async (userId: string, enabled: boolean) => {
    const { body } = await admin.ok('GET', `/${REALM}/users/${userId}`);
    await admin.ok('PUT', `/${REALM}/users/${userId}`, { ...(body as object), enabled });
  };

  it('a user without the role does not see the service; granting the role makes it appear', async () => {
    assert.ok(!(await listedIds()).includes(SERVICE));
    const userId = await admin.userId(REALM, 'bob');
    const { body: role } = await admin.ok('GET', `/${REALM}/roles/ml-user`);
    await admin.ok('POST', `/${REALM}/users/${userId}/role-mappings/realm`, [role]);
    assert.ok((await listedIds()).includes(SERVICE));
  });

  it('disabling the user in Keycloak and running reconcile stops the key at the gateway; enabling resumes it', async () => {
    const response = await fetch(`${url}/api/services/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: SERVICE }),
    });
    assert.equal(response.status, 200);
    const key = ((await response.json()) as { data: { api_key: string } }).data.api_key;
    assert.equal(await gateway(key), 200);

    const userId = await admin.userId(REALM, 'bob');
    const untouched = await helper.reconcile();
    assert.equal(untouched.offboarding?.directoryError, null, 'the service account can read the directory');
    assert.equal(untouched.offboarding?.suspended, 0);

    await setEnabled(userId, false);
    const suspended = await helper.reconcile();
    assert.equal(suspended.offboarding?.suspended, 1);
    assert.equal(suspended.offboarding?.planned[0]?.reason, 'disabled');
    assert.equal(await gateway(key), 403);

    await setEnabled(userId, true);
    const resumed = await helper.reconcile();
    assert.equal(resumed.offboarding?.resumed, 1);
    assert.equal(await gateway(key), 200);
  });
});

describe('offboarding with Keycloak on the 3scale adapter (fake 3scale)', { skip: SKIP }, () => {
  const realm = 'mlaas-entitle-3scale';
  let keycloak: Keycloak;
  let admin: KeycloakAdmin;
  let fake: Fake3scale;
  let helper: Helper;
  let url: string;
  let running: { close(): Promise<void> } | undefined;
  let serviceId: string;
  before(async () => {
    keycloak = await useKeycloak();
    admin = new KeycloakAdmin(keycloak);
    await admin.createRealm(shippedRealm(realm));
    fake = createFake3scale();
    await fake.listen();
    const service = fake.state.listServices()[0];
    assert.ok(service !== undefined, 'the fake has services');
    serviceId = String(service.id);
    const started = await startPolicyHelper(
      keycloak,
      realm,
      `services:\n  "${serviceId}":\n    allow: [role:ml-user]\n`,
      {
        APIM_BACKEND: 'threescale',
        THREESCALE_ADMIN_API_URL: fake.url,
        THREESCALE_ADMIN_API_KEY: fake.accessToken,
      },
    );
    ({ helper, url } = started);
    running = started;
  });
  after(async () => {
    await running?.close();
    await fake?.close();
    await admin?.deleteRealm(realm);
  });

  it('disabling the user in Keycloak and running reconcile suspends the application in 3scale; enabling resumes it', async () => {
    const userId = await admin.userId(realm, 'bob');
    const { body: role } = await admin.ok('GET', `/${realm}/roles/ml-user`);
    await admin.ok('POST', `/${realm}/users/${userId}/role-mappings/realm`, [role]);
    const token = await passwordToken(keycloak, { username: 'bob', realm });
    const response = await fetch(`${url}/api/services/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: serviceId }),
    });
    assert.equal(response.status, 200);
    const accountId = Number(((await response.json()) as { data: { account_id: string } }).data.account_id);
    const state = () =>
      fake.state.applicationsOf(accountId).find((app) => String(app.serviceId) === serviceId)?.state ?? 'none';
    assert.equal(state(), 'live');

    const setEnabled = async (enabled: boolean) => {
      const { body } = await admin.ok('GET', `/${realm}/users/${userId}`);
      await admin.ok('PUT', `/${realm}/users/${userId}`, { ...(body as object), enabled });
    };
    await setEnabled(false);
    const suspended = await helper.reconcile();
    assert.equal(suspended.offboarding?.directoryError, null);
    // Every key of a disabled person stops (3scale's signup subscribed bob to each default plan too).
    const held = fake.state.applicationsOf(accountId).length;
    assert.ok(held >= 1);
    assert.equal(suspended.offboarding?.suspended, held);
    assert.deepEqual(new Set(fake.state.applicationsOf(accountId).map((app) => app.state)), new Set(['suspended']));
    assert.equal(state(), 'suspended', 'the gateway refuses the key: 3scale holds the application suspended');

    await setEnabled(true);
    const resumed = await helper.reconcile();
    assert.equal(resumed.offboarding?.resumed, held);
    assert.equal(state(), 'live');
  });
});
