import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RecordedRequest, checkAgainstSpec } from '../src/index.js';
import { ids, startFake } from './support/fake.js';

const request = (overrides: Partial<RecordedRequest>): RecordedRequest => ({
  seq: 1,
  at: '2025-01-10T09:00:00.000Z',
  method: 'GET',
  path: '/admin/api/services.json',
  endpoint: null,
  format: 'json',
  queryKeys: [],
  bodyKeys: [],
  bodyType: 'none',
  auth: 'basic',
  authorized: true,
  status: 200,
  fault: null,
  ...overrides,
});

describe('checkAgainstSpec', () => {
  it('flags a made-up path', () => {
    const problems = checkAgainstSpec(request({ path: '/admin/api/made-up/things.json' }));
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /no such path in the spec/);
  });

  it('flags a method the path does not have', () => {
    assert.match(
      checkAgainstSpec(request({ method: 'DELETE', path: '/admin/api/accounts/find.json' })).join(),
      /method not in the spec/,
    );
  });

  it('flags a missing required body parameter', () => {
    const problems = checkAgainstSpec(
      request({
        method: 'POST',
        path: '/admin/api/accounts/1/applications.json',
        bodyKeys: ['name'],
        bodyType: 'form',
      }),
    );
    assert.deepEqual(problems, [
      'POST /admin/api/accounts/1/applications.json: missing required body parameter plan_id',
    ]);
  });

  it('flags a missing access token, and counts Basic credentials as sending it', () => {
    assert.match(checkAgainstSpec(request({ auth: 'none' })).join(), /missing required parameter access_token/);
    assert.match(checkAgainstSpec(request({ auth: 'other-scheme' })).join(), /access_token/);
    assert.deepEqual(checkAgainstSpec(request({ auth: 'basic' })), []);
    assert.deepEqual(checkAgainstSpec(request({ auth: 'query', queryKeys: ['access_token', 'page', 'per_page'] })), []);
  });

  it('flags unknown parameters and parameters in the wrong place', () => {
    assert.match(checkAgainstSpec(request({ queryKeys: ['size'] })).join(), /unknown query parameter size/);
    assert.match(
      checkAgainstSpec(
        request({ path: '/admin/api/accounts/find.json', bodyKeys: ['username'], bodyType: 'json' }),
      ).join(),
      /unexpected body parameter username/,
    );
    assert.match(
      checkAgainstSpec(
        request({
          method: 'POST',
          path: '/admin/api/accounts/1/applications.json',
          queryKeys: ['plan_id'],
          bodyKeys: ['name'],
        }),
      ).join(),
      /plan_id was sent in the query string/,
    );
  });

  it('accepts paths without a suffix and with .xml, and flags other suffixes', () => {
    assert.deepEqual(checkAgainstSpec(request({ path: '/admin/api/services' })), []);
    assert.deepEqual(checkAgainstSpec(request({ path: '/admin/api/services.xml' })), []);
    assert.match(checkAgainstSpec(request({ path: '/admin/api/services.php' })).join(), /format suffix/);
  });

  it('passes every request of an adapter-like session recorded by the fake', async () => {
    const harness = await startFake();
    const { fake } = harness;
    const account = ids(fake).account('alice');
    await harness.call('/admin/api/accounts/find.json?username=alice');
    await harness.call('/admin/api/accounts/find.json?email=alice%40example.test');
    await harness.call('/admin/api/services.json?page=1&per_page=500');
    for (const service of fake.state.listServices()) {
      await harness.call(`/admin/api/services/${service.id}.json`);
      await harness.call(`/admin/api/services/${service.id}/proxy.json`);
      await harness.call(`/admin/api/services/${service.id}/application_plans.json`);
    }
    await harness.call(`/admin/api/accounts/${account}/applications.json`);
    const created = await harness.json<{ application: { id: number } }>(
      `/admin/api/accounts/${account}/applications.json`,
      {
        method: 'POST',
        body: { plan_id: ids(fake).plan('image-classifier', 'standard'), name: 'MLaaS', description: 'by MLaaS' },
      },
    );
    const app = `/admin/api/accounts/${account}/applications/${created.body.application.id}`;
    await harness.call(`${app}/keys.json`);
    await harness.call(`${app}/keys.json`, { method: 'POST', body: { key: 'another-key-1' } });
    await harness.call(`${app}/keys/another-key-1.json`, { method: 'DELETE' });
    await harness.call(`${app}.json`, { method: 'PUT', body: { description: 'updated' } });
    await harness.call(`${app}/suspend.json`, { method: 'PUT' });
    await harness.call(`${app}/resume.json`, { method: 'PUT' });
    await harness.call(`/admin/api/applications/find.json?application_id=${created.body.application.id}`);
    await harness.call(`${app}.json`, { method: 'DELETE' });
    await harness.call('/admin/api/signup.json', {
      method: 'POST',
      auth: 'form',
      body: { org_name: 'New', username: 'newcomer', email: 'new@example.test', password: 'a-password' },
    });
    const log = fake.requests();
    assert.ok(log.length > 15);
    for (const entry of log) assert.deepEqual(checkAgainstSpec(entry), [], `${entry.method} ${entry.path}`);
  });
});
