/**
 * The helper on 3scale (the fake, built from 3scale's contract): account lookup and signup, the catalog with
 * pagination and every authentication mode and credentials location, plan choice, reuse of existing
 * applications — and every request the adapter sends is a valid operation of 3scale's official description.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EDGE_CASES_SEED_PATH, loadSeedFile, seedWithServices } from '@mlaas/fake-3scale';
import { startThreescaleHarness, type ThreescaleHarness } from '../../support/threescale-harness.js';

type ServiceDto = {
  id: string;
  name: string;
  proxy_endpoint: string | null;
  authentication_method: string;
  credentials: { location: string; key_parameter: string | null; app_id_parameter: string | null };
  has_api_key: boolean;
};

async function list(h: ThreescaleHarness, token: string) {
  const response = await h.helper.app.inject({
    method: 'GET',
    url: '/api/services',
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, json: response.json() };
}

async function init(h: ThreescaleHarness, token: string, body: object) {
  const response = await h.helper.app.inject({
    method: 'POST',
    url: '/api/services/init',
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });
  return { status: response.statusCode, json: response.json() };
}

const byName = (services: ServiceDto[], name: string) => {
  const found = services.find((s) => s.name === name);
  assert.ok(found, `service ${name} is listed`);
  return found;
};

describe('3scale adapter, default tenant', () => {
  let h: ThreescaleHarness;
  before(async () => {
    h = await startThreescaleHarness();
  });
  after(async () => {
    h.assertSpecConformance();
    await h.close();
  });

  it('lists every service with its gateway endpoint, authentication mode and credentials location', async () => {
    const result = await list(h, await h.token('alice'));
    assert.equal(result.status, 200);
    const services = result.json.data.services as ServiceDto[];
    assert.equal(services.length, 4);
    const llm = byName(services, 'LLM Chat Completions');
    assert.equal(llm.authentication_method, 'api_key');
    assert.deepEqual(llm.credentials, { location: 'header', key_parameter: 'X-API-Key', app_id_parameter: null });
    assert.match(String(llm.proxy_endpoint), /^https:\/\//);
    const vision = byName(services, 'Image Classification');
    assert.equal(vision.authentication_method, 'app_id_app_key');
    assert.equal(vision.credentials.location, 'query');
    assert.ok(vision.credentials.app_id_parameter);
    assert.equal(byName(services, 'Text Embeddings').authentication_method, 'oidc');
    assert.equal(byName(services, 'Speech to Text').credentials.location, 'basic');
  });

  it('finds an existing account by username', async () => {
    const result = await list(h, await h.token('alice', 'not-the-seeded-email@example.test'));
    assert.notEqual(result.json.data.account_id, null);
  });

  it('falls back to the email when the username is unknown', async () => {
    const result = await list(h, await h.token('bob-renamed', 'bob@example.test'));
    const bob = await list(h, await h.token('bob'));
    assert.equal(result.json.data.account_id, bob.json.data.account_id);
    const finds = h.fake.requests().filter((r) => r.endpoint === 'accounts.find');
    assert.ok(finds.some((r) => r.queryKeys.includes('username') && !r.queryKeys.includes('email')));
    assert.ok(
      finds.some((r) => r.queryKeys.includes('email') && !r.queryKeys.includes('username')),
      'separate requests',
    );
  });

  it('signs a first-time user up and gives a key in the same call', async () => {
    const token = await h.token('newcomer');
    const before = await list(h, token);
    assert.equal(before.json.data.account_id, null);
    const result = await init(h, token, { service_name: 'LLM Chat Completions' });
    assert.equal(result.status, 200, JSON.stringify(result.json));
    assert.match(result.json.data.api_key, /^[0-9a-f]{32}$/);
    assert.equal(result.json.data.app_id, null);
    const account = h.fake.state.listAccounts().find((a) => String(a.id) === result.json.data.account_id);
    assert.ok(account, 'the account exists in 3scale');
    // The signup itself subscribed the account to the default plan: that key is still new to the person.
    const apps = h.fake.state.applicationsOf(Number(result.json.data.account_id));
    const key = apps.find((a) => String(a.serviceId) === result.json.data.service.id);
    assert.equal(key?.name, 'API signup', 'the application signup made');
    assert.equal(result.json.data.is_new, true);
    const again = await init(h, token, { service_name: 'LLM Chat Completions' });
    assert.equal(again.json.data.api_key, result.json.data.api_key);
    assert.equal(again.json.data.is_new, false);
  });

  it('creates an application with only the fields it needs, its key and its lifecycle fields, marked as made by MLaaS', async () => {
    // alice's seeded account has no applications (a signup would have subscribed her to the default plans).
    const token = await h.token('alice');
    const result = await init(h, token, { service_name: 'Speech to Text' });
    assert.equal(result.status, 200);
    assert.equal(result.json.data.is_new, true);
    const creates = h.fake.requests().filter((r) => r.endpoint === 'applications.create');
    for (const request of creates)
      assert.deepEqual([...request.bodyKeys].sort(), [
        'description',
        'mlaas_current_key',
        'mlaas_expires_at',
        'mlaas_subject',
        'mlaas_user_id',
        'name',
        'plan_id',
        'user_key',
      ]);
    const apps = h.fake.state.applicationsOf(Number(result.json.data.account_id));
    const mine = apps.filter((a) => String(a.serviceId) === result.json.data.service.id);
    assert.equal(mine.length, 1);
    assert.ok(mine.some((a) => /mlaas/i.test(String(a.name)) && /MLaaS/.test(String(a.description))));
  });

  it('returns app id and key for an app-id service, and client id and secret for OIDC', async () => {
    const token = await h.token('alice');
    const services = (await list(h, token)).json.data.services as ServiceDto[];
    const vision = await init(h, token, { service_id: byName(services, 'Image Classification').id });
    assert.equal(vision.status, 200, JSON.stringify(vision.json));
    assert.ok(vision.json.data.app_id);
    assert.ok(vision.json.data.api_key);
    const oidc = await init(h, token, { service_id: byName(services, 'Text Embeddings').id });
    assert.equal(oidc.status, 200, JSON.stringify(oidc.json));
    assert.ok(oidc.json.data.app_id, 'client id');
    assert.ok(oidc.json.data.api_key, 'client secret');
  });

  it('sends an app-id key with the create, reads no keys on the way, and answers the key 3scale holds', async () => {
    // bob's seeded account has no applications.
    const token = await h.token('bob');
    const services = (await list(h, token)).json.data.services as ServiceDto[];
    const before = h.fake.stats();
    const firstRequest = h.fake.requests().length;
    const vision = await init(h, token, { service_id: byName(services, 'Image Classification').id });
    assert.equal(vision.status, 200, JSON.stringify(vision.json));
    assert.equal(vision.json.data.is_new, true);
    const after = h.fake.stats();
    const delta = (endpoint: string) => (after[endpoint] ?? 0) - (before[endpoint] ?? 0);
    assert.equal(delta('applications.create'), 1);
    assert.equal(delta('keys.list'), 0, 'the key is known from the create');
    assert.equal(delta('keys.create'), 0);
    assert.equal(delta('applications.list'), 2, 'the fast-path read and the convergence read');
    const create = h.fake
      .requests()
      .slice(firstRequest)
      .find((r) => r.endpoint === 'applications.create');
    assert.ok(create?.bodyKeys.includes('application_key'));
    // Read back through the keys resource: the same key.
    const again = await init(h, token, { service_id: byName(services, 'Image Classification').id });
    assert.equal(again.json.data.is_new, false);
    assert.equal(again.json.data.api_key, vision.json.data.api_key);
    assert.equal(again.json.data.app_id, vision.json.data.app_id);
  });

  it("gives a person recreated with the same user id a fresh key, never the earlier person's", async () => {
    const carol = await h.token('carol');
    // A key MLaaS made (signup's own applications record no subject): revoke whatever signup made, then init.
    const signedUp = await init(h, carol, { service_name: 'Speech to Text' });
    const revoke = await h.helper.app.inject({
      method: 'DELETE',
      url: `/api/services/${signedUp.json.data.service.id}/key`,
      headers: { authorization: `Bearer ${carol}` },
    });
    assert.equal(revoke.statusCode, 200);
    const first = await init(h, carol, { service_name: 'Speech to Text' });
    assert.equal(first.status, 200);
    // Deleted and recreated at the identity provider: same username, another subject.
    const recreated = await h.issuer.token({
      claims: { sub: 'sub-carol-recreated', preferred_username: 'carol', email: 'carol@example.test' },
    });
    const second = await init(h, recreated, { service_name: 'Speech to Text' });
    assert.equal(second.status, 200);
    assert.notEqual(second.json.data.api_key, first.json.data.api_key);
    assert.equal(second.json.data.is_new, true);
    const apps = h.fake.state
      .applicationsOf(Number(second.json.data.account_id))
      .filter((a) => String(a.serviceId) === second.json.data.service.id);
    assert.equal(apps.length, 1, "the earlier person's application is gone");
    const again = await init(h, recreated, { service_name: 'Speech to Text' });
    assert.equal(again.json.data.api_key, second.json.data.api_key, 'the new key is theirs from then on');
  });

  it('answers SERVICE_NOT_FOUND for an id 3scale does not have', async () => {
    const result = await init(h, await h.token('alice'), { service_id: '999999' });
    assert.equal(result.status, 404);
    assert.equal(result.json.error.code, 'SERVICE_NOT_FOUND');
  });

  it('counts each HTTP call to 3scale by operation and outcome (cache hits are not calls)', async () => {
    const metrics = (await h.helper.app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (operation: string) =>
      Number(
        new RegExp(
          `mlaas_upstream_calls_total\\{operation="${operation.replace(/[{}/]/g, '\\$&')}",outcome="ok"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    assert.equal(count('GET /admin/api/services'), h.fake.stats()['services.list']);
    assert.equal(count('GET /admin/api/services/{id}/proxy'), h.fake.stats()['proxy.read']);
    assert.equal(count('POST /admin/api/accounts/{id}/applications'), h.fake.stats()['applications.create']);
    assert.ok(count('GET /admin/api/services') >= 1);
    assert.match(metrics, /mlaas_cache_events_total\{cache="services",event="hit"\} [1-9]/);
    assert.doesNotMatch(metrics, /\/admin\/api\/[^"]*\d{4,}/, 'no ids in labels');
  });

  it('reports ready after a cheap call to 3scale', async () => {
    const response = await h.helper.app.inject({ method: 'GET', url: '/api/ready' });
    assert.equal(response.statusCode, 200);
  });
});

describe('3scale adapter, edge cases', () => {
  let h: ThreescaleHarness;
  let services: ServiceDto[];
  let carol: string;
  before(async () => {
    h = await startThreescaleHarness({ seed: loadSeedFile(EDGE_CASES_SEED_PATH) });
    carol = await h.token('carol');
    services = (await list(h, carol)).json.data.services;
  });
  after(async () => {
    h.assertSpecConformance();
    await h.close();
  });

  const id = (name: string) => byName(services, name).id;

  it('uses the first published, non-custom plan when none is default', async () => {
    const result = await init(h, await h.token('dana'), { service_id: id('No Default Plan') });
    assert.equal(result.status, 200, JSON.stringify(result.json));
    assert.equal(result.json.data.plan.name, 'Starter');
  });

  it('answers NO_PLANS_FOUND when only hidden or custom plans exist, or none', async () => {
    for (const name of ['Only Hidden Or Custom Plans', 'No Plans']) {
      const result = await init(h, carol, { service_id: id(name) });
      assert.equal(result.status, 409, name);
      assert.equal(result.json.error.code, 'NO_PLANS_FOUND');
    }
  });

  it('reuses an existing application instead of creating one (even among duplicates 3scale allowed)', async () => {
    const creates = h.fake.stats()['applications.create'];
    const result = await init(h, carol, { service_id: id('No Default Plan') });
    assert.equal(result.status, 200);
    assert.equal(result.json.data.is_new, false);
    assert.equal(h.fake.stats()['applications.create'], creates);
  });

  it('reuses a pending application, and reports a suspended one instead of replacing it', async () => {
    const alice = await h.token('alice');
    const pending = await init(h, alice, { service_id: id('Approval Required') });
    assert.equal(pending.status, 200);
    assert.equal(pending.json.data.is_new, false);
    const suspended = await init(h, alice, { service_id: id('App Id Basic Auth') });
    assert.equal(suspended.status, 403);
    assert.equal(suspended.json.error.code, 'FORBIDDEN');
    assert.match(suspended.json.error.message, /suspended/);
  });

  it('refuses keys to accounts that are pending, rejected or suspended', async () => {
    for (const user of ['pending-user', 'rejected-user', 'suspended-user']) {
      const result = await init(h, await h.token(user), { service_id: id('No Default Plan') });
      assert.equal(result.status, 403, user);
      assert.equal(result.json.error.code, 'FORBIDDEN');
    }
  });

  it('maps custom parameter names, Basic auth for app ids, and a service without an endpoint', async () => {
    const custom = byName(services, 'App Id Custom Names');
    assert.deepEqual(custom.credentials, {
      location: 'header',
      key_parameter: 'X-App-Key',
      app_id_parameter: 'X-App-Id',
    });
    assert.equal(byName(services, 'App Id Basic Auth').credentials.location, 'basic');
    assert.equal(byName(services, 'Self Managed Without Endpoint').proxy_endpoint, null);
    assert.deepEqual(byName(services, 'No Default Plan').credentials, {
      location: 'query',
      key_parameter: 'api_key',
      app_id_parameter: null,
    });
  });

  it('creates a key for an app-id service whose key is optional', async () => {
    const result = await init(h, await h.token('erin'), { service_id: id('Optional App Key') });
    assert.equal(result.status, 200, JSON.stringify(result.json));
    assert.ok(result.json.data.api_key);
    assert.ok(result.json.data.app_id);
  });
});

describe('3scale adapter, pagination', () => {
  it('reads all 1,200 services over three pages', async () => {
    const h = await startThreescaleHarness({ seed: seedWithServices(1200) });
    try {
      const result = await list(h, await h.token('alice'));
      assert.equal(result.status, 200);
      assert.equal(result.json.data.services.length, 1200);
      assert.equal(new Set(result.json.data.services.map((s: ServiceDto) => s.id)).size, 1200);
      assert.equal(h.fake.stats()['services.list'], 3);
      h.assertSpecConformance();
    } finally {
      await h.close();
    }
  });

  it('stops against a server that ignores paging, without duplicates', async () => {
    const h = await startThreescaleHarness({ seed: seedWithServices(600) });
    try {
      h.fake.setFault('services.list', { kind: 'ignore_paging' });
      const result = await list(h, await h.token('alice'));
      assert.equal(result.status, 200);
      assert.equal(result.json.data.services.length, 600);
      assert.equal(h.fake.stats()['services.list'], 2, 'the second page brought nothing new');
    } finally {
      await h.close();
    }
  });
});
