import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENDPOINT_KEYS } from '../../src/index.js';
import { ids, startFake } from '../support/fake.js';

describe('call counts', () => {
  it('start at zero for every endpoint', async () => {
    const { fake } = await startFake();
    const stats = fake.stats();
    assert.deepEqual(Object.keys(stats), [...ENDPOINT_KEYS, 'unmatched']);
    assert.ok(Object.values(stats).every((n) => n === 0));
  });

  it('count every request per endpoint, concurrent ones included', async () => {
    const harness = await startFake();
    await Promise.all(Array.from({ length: 100 }, () => harness.call('/admin/api/services.json?per_page=500')));
    const serviceId = ids(harness.fake).service('llm-chat');
    await harness.call(`/admin/api/services/${serviceId}/proxy.json`);
    await harness.call(`/admin/api/services/${serviceId}/application_plans.json`);
    await harness.call('/admin/api/not-a-route.json');
    const stats = harness.fake.stats();
    assert.equal(stats['services.list'], 100);
    assert.equal(stats['proxy.read'], 1);
    assert.equal(stats['plans.list'], 1);
    assert.equal(stats.unmatched, 1);
    assert.equal(stats['accounts.find'], 0);
  });

  it('count refused and faulted calls too', async () => {
    const harness = await startFake();
    await harness.call('/admin/api/accounts/find.json?username=alice', { auth: 'none' });
    harness.fake.setFault('accounts.find', { kind: 'status' });
    await harness.call('/admin/api/accounts/find.json?username=alice');
    assert.equal(harness.fake.stats()['accounts.find'], 2);
  });

  it('are served as JSON at GET /__fake/stats and cleared by POST /__fake/reset', async () => {
    const harness = await startFake();
    await harness.call('/admin/api/services.json');
    const stats = (await (await fetch(`${harness.url}/__fake/stats`)).json()) as Record<string, number>;
    assert.equal(stats['services.list'], 1);
    await fetch(`${harness.url}/__fake/reset`, { method: 'POST' });
    assert.equal(harness.fake.stats()['services.list'], 0);
  });
});
