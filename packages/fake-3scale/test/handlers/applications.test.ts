import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EDGE_CASES_SEED_PATH, loadSeedFile } from '../../src/index.js';
import { type Harness, ids, startFake } from '../support/fake.js';

type App = Record<string, unknown>;
const harness = await startFake();
const edge = await startFake({ seed: loadSeedFile(EDGE_CASES_SEED_PATH) });

async function create(
  h: Harness,
  username: string,
  systemName: string,
  plan: string,
  extra: Record<string, string> = {},
) {
  const account = ids(h.fake).account(username);
  const response = await h.call(`/admin/api/accounts/${account}/applications.json`, {
    method: 'POST',
    body: {
      plan_id: ids(h.fake).plan(systemName, plan),
      name: 'MLaaS: test',
      description: 'Created by MLaaS',
      ...extra,
    },
  });
  const text = await response.text();
  return { response, status: response.status, body: (text ? JSON.parse(text) : undefined) as { application: App } };
}

/** Common head of a JSON application. */
const HEAD = [
  'id',
  'state',
  'enabled',
  'created_at',
  'updated_at',
  'service_id',
  'service_name',
  'plan_id',
  'plan_name',
  'account_id',
  'org_name',
  'first_traffic_at',
  'first_daily_traffic_at',
];
const TAIL = ['links', 'name', 'description'];

describe('POST /admin/api/accounts/{id}/applications', () => {
  it('creates a backend-version-1 application: 201, user_key and provider_verification_key', async () => {
    const { response, status, body } = await create(harness, 'alice', 'llm-chat', 'basic');
    assert.equal(status, 201);
    const app = body.application;
    assert.deepEqual(Object.keys(app), [...HEAD, 'user_key', 'provider_verification_key', ...TAIL]);
    assert.match(app.user_key as string, /^[0-9a-f]{32}$/);
    assert.equal(app.state, 'live');
    assert.equal(app.enabled, true);
    assert.equal(app.first_traffic_at, null);
    assert.equal(app.account_id, ids(harness.fake).account('alice'));
    assert.equal(app.service_id, ids(harness.fake).service('llm-chat'));
    assert.equal(app.plan_name, 'Basic');
    assert.equal(
      response.headers.get('location'),
      `${harness.url}/admin/api/accounts/${app.account_id}/applications/${app.id}`,
    );
    assert.deepEqual(
      (app.links as { rel: string }[]).map((l) => l.rel),
      ['self', 'service', 'account', 'plan', 'keys', 'referrer_filters'],
    );
  });

  it('creates a backend-version-2 application with an application_id and one key, keys not inline', async () => {
    const { body } = await create(harness, 'alice', 'image-classifier', 'standard');
    const app = body.application;
    assert.deepEqual(Object.keys(app), [...HEAD, 'application_id', ...TAIL]);
    assert.match(app.application_id as string, /^[0-9a-f]{8}$/);
    const keys = await harness.json<{ keys: { key: { value: string } }[] }>(
      `/admin/api/accounts/${app.account_id}/applications/${app.id}/keys.json`,
    );
    assert.equal(keys.body.keys.length, 1);
    assert.match(keys.body.keys[0]?.key.value ?? '', /^[0-9a-f]{32}$/);
  });

  it('creates an OIDC application with client_id, client_secret and the flow settings', async () => {
    const { body } = await create(harness, 'alice', 'text-embeddings', 'default');
    const app = body.application;
    assert.deepEqual(Object.keys(app), [
      ...HEAD,
      'application_id',
      'redirect_url',
      'client_id',
      'client_secret',
      'oidc_configuration',
      ...TAIL,
    ]);
    assert.equal(app.client_id, app.application_id);
    assert.match(app.client_secret as string, /^[0-9a-f]{32}$/);
    assert.equal((app.oidc_configuration as Record<string, unknown>).standard_flow_enabled, true);
  });

  it('creates no key for a version-2 product whose app key is optional', async () => {
    const { body } = await create(edge, 'alice', 'optional-app-key', 'basic');
    assert.equal(
      edge.fake.state.getApplication(body.application.account_id as number, body.application.id as number).keys.length,
      0,
    );
  });

  it('starts an application on an approval-required plan as pending', async () => {
    const { body } = await create(harness, 'bob', 'llm-chat', 'premium');
    assert.equal(body.application.state, 'pending');
    assert.equal(body.application.enabled, false);
  });

  it('accepts a hidden plan', async () => {
    const { status } = await create(harness, 'bob', 'llm-chat', 'internal');
    assert.equal(status, 201);
  });

  it('has no duplicate guard: the same plan twice makes two applications', async () => {
    const first = await create(harness, 'bob', 'speech-to-text', 'basic');
    const second = await create(harness, 'bob', 'speech-to-text', 'basic');
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.notEqual(first.body.application.id, second.body.application.id);
    const onService = harness.fake.state
      .applicationsOf(ids(harness.fake).account('bob'))
      .filter((a) => a.serviceId === ids(harness.fake).service('speech-to-text'));
    assert.equal(onService.length, 2);
  });

  it('takes a JSON body and only the fields sent', async () => {
    const account = ids(harness.fake).account('bob');
    const { status, body } = await harness.json<{ application: App }>(
      `/admin/api/accounts/${account}/applications.json`,
      {
        method: 'POST',
        body: { plan_id: ids(harness.fake).plan('image-classifier', 'standard') },
        json: true,
      },
    );
    assert.equal(status, 201);
    assert.equal('name' in body.application, false);
  });

  it('answers 404 without a plan_id, or for an unknown plan or account', async () => {
    const account = ids(harness.fake).account('bob');
    const plan = ids(harness.fake).plan('llm-chat', 'basic');
    assert.equal(
      (await harness.call(`/admin/api/accounts/${account}/applications.json`, { method: 'POST', body: { name: 'x' } }))
        .status,
      404,
    );
    assert.equal(
      (await harness.call(`/admin/api/accounts/${account}/applications.json`, { method: 'POST', body: { plan_id: 5 } }))
        .status,
      404,
    );
    assert.equal(
      (await harness.call(`/admin/api/accounts/12/applications.json`, { method: 'POST', body: { plan_id: plan } }))
        .status,
      404,
    );
  });

  it('answers 422 "You cannot subscribe to that service." when the product has no service plan', async () => {
    const { status, body } = await create(edge, 'carol', 'no-service-plan', 'basic');
    assert.equal(status, 422);
    assert.deepEqual(body, { error: 'You cannot subscribe to that service.' });
  });

  it('finding 14: answers 422 for a user_key already used in the same product', async () => {
    const first = await create(harness, 'alice', 'llm-chat', 'basic', { user_key: 'chosen-key-1' });
    assert.equal(first.body.application.user_key, 'chosen-key-1');
    const again = await create(harness, 'bob', 'llm-chat', 'basic', { user_key: 'chosen-key-1' });
    assert.equal(again.status, 422);
    assert.deepEqual(again.body, { errors: { user_key: ['has already been taken'] } });
  });

  it('finding 14: accepts the same user_key in another product (unique per product, not per tenant)', async () => {
    const first = await create(harness, 'alice', 'llm-chat', 'basic', { user_key: 'shared-key-1' });
    assert.equal(first.status, 201);
    const other = await create(harness, 'bob', 'speech-to-text', 'basic', { user_key: 'shared-key-1' });
    assert.equal(other.status, 201);
    assert.equal(other.body.application.user_key, 'shared-key-1');
  });

  it('answers 422 for a malformed user_key', async () => {
    const { status, body } = await create(harness, 'alice', 'llm-chat', 'basic', { user_key: 'no spaces/allowed' });
    assert.equal(status, 422);
    assert.deepEqual(body, { errors: { user_key: ['is invalid'] } });
  });
});

describe('GET /admin/api/accounts/{id}/applications', () => {
  it('lists every application of the account, {"applications":[{"application":{…}}]}', async () => {
    const account = ids(edge.fake).account('alice');
    const { status, body } = await edge.json<{ applications: { application: App }[] }>(
      `/admin/api/accounts/${account}/applications.json`,
    );
    assert.equal(status, 200);
    assert.deepEqual(
      body.applications.map((a) => a.application.state),
      edge.fake.state.applicationsOf(account).map((a) => a.state),
    );
    assert.ok(body.applications.length >= 2);
  });

  it('filters by the undocumented state parameter', async () => {
    const account = ids(edge.fake).account('alice');
    const { body } = await edge.json<{ applications: { application: App }[] }>(
      `/admin/api/accounts/${account}/applications.json?state=suspended`,
    );
    assert.deepEqual(
      body.applications.map((a) => a.application.name),
      ['Suspended app'],
    );
  });

  it('answers 404 for an unknown account', async () => {
    assert.equal((await edge.call('/admin/api/accounts/3/applications.json')).status, 404);
  });

  it('uses user_account_id and a nested plan in XML', async () => {
    const account = ids(edge.fake).account('carol');
    const xml = await (await edge.call(`/admin/api/accounts/${account}/applications.xml`)).text();
    assert.match(
      xml,
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?><applications><application><id>\\d+</id>.*<user_account_id>${account}</user_account_id>`,
      ),
    );
    assert.match(
      xml,
      /<user_key>[0-9a-f]{32}<\/user_key><provider_verification_key>[0-9a-f]{32}<\/provider_verification_key><plan custom="false" default="false">/,
    );
  });
});

describe('one application', async () => {
  const { body } = await create(harness, 'alice', 'llm-chat', 'basic');
  const app = body.application;
  const path = `/admin/api/accounts/${app.account_id}/applications/${app.id}`;

  it('reads it', async () => {
    const read = await harness.json<{ application: App }>(`${path}.json`);
    assert.equal(read.status, 200);
    assert.equal(read.body.application.id, app.id);
  });

  it('answers 404 when it belongs to another account', async () => {
    const other = ids(harness.fake).account('bob');
    assert.equal((await harness.call(`/admin/api/accounts/${other}/applications/${app.id}.json`)).status, 404);
  });

  it('updates its name and user_key with PUT', async () => {
    const { status, body: updated } = await harness.json<{ application: App }>(`${path}.json`, {
      method: 'PUT',
      body: { name: 'Renamed', user_key: 'rotated-key-0001' },
    });
    assert.equal(status, 200);
    assert.equal(updated.application.name, 'Renamed');
    assert.equal(updated.application.user_key, 'rotated-key-0001');
  });

  it('suspends, refuses a second suspend with 422, and resumes', async () => {
    assert.equal(
      (await harness.json<{ application: App }>(`${path}/suspend.json`, { method: 'PUT' })).body.application.state,
      'suspended',
    );
    const again = await harness.json(`${path}/suspend.json`, { method: 'PUT' });
    assert.equal(again.status, 422);
    assert.deepEqual(again.body, { errors: { state: ['cannot transition via "suspend"'] } });
    assert.equal(
      (await harness.json<{ application: App }>(`${path}/resume.json`, { method: 'PUT' })).body.application.state,
      'live',
    );
  });

  it('accepts a pending application', async () => {
    const pending = (await create(harness, 'alice', 'llm-chat', 'premium')).body.application;
    const accepted = await harness.json<{ application: App }>(
      `/admin/api/accounts/${pending.account_id}/applications/${pending.id}/accept.json`,
      { method: 'PUT' },
    );
    assert.equal(accepted.body.application.state, 'live');
  });

  it('finds it with applications/find by user_key and by id', async () => {
    const byKey = await harness.json<{ application: App }>(
      '/admin/api/applications/find.json?user_key=rotated-key-0001',
    );
    assert.equal(byKey.body.application.id, app.id);
    const byId = await harness.json<{ application: App }>(`/admin/api/applications/find.json?application_id=${app.id}`);
    assert.equal(byId.body.application.id, app.id);
    assert.equal((await harness.call('/admin/api/applications/find.json?user_key=unknown')).status, 404);
  });

  it('deletes it with an empty 200, then it is gone', async () => {
    const response = await harness.call(`${path}.json`, { method: 'DELETE' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
    assert.equal((await harness.call(`${path}.json`)).status, 404);
  });
});
