/**
 * Usage on 3scale: the Analytics API's counts and the plan's limits reach the caller; a cold report costs one
 * call each of metrics, limits and the series plus one count per limit, a warm one nothing; an Analytics API
 * that fails still leaves the limits shown, with usage marked unavailable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFake3scale, defaultSeed } from '@mlaas/fake-3scale';
import { startThreescaleHarness, type ThreescaleHarness } from '../../support/threescale-harness.js';

const USAGE_ENDPOINTS = ['metrics.list', 'limits.list', 'stats.application_usage'] as const;

function usageCalls(h: ThreescaleHarness): Record<string, number> {
  const stats = h.fake.stats();
  return Object.fromEntries(USAGE_ENDPOINTS.map((key) => [key, stats[key] ?? 0]));
}

async function withKey(
  run: (h: ThreescaleHarness, ctx: { token: string; serviceId: string; appId: number }) => Promise<void>,
) {
  const h = await startThreescaleHarness({ env: { THREESCALE_TIMEOUT_MS: '400' } });
  try {
    const token = await h.token('alice');
    const serviceId = String(h.fake.state.listServices().find((s) => s.systemName === 'llm-chat')?.id);
    const init = await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers: { authorization: `Bearer ${token}` },
      payload: { service_id: serviceId },
    });
    assert.equal(init.statusCode, 200);
    const appId = Number(
      h.fake.state
        .listApplications()
        .find((a) => String(a.serviceId) === serviceId && a.userKey === init.json().data.api_key)?.id,
    );
    await run(h, { token, serviceId, appId });
  } finally {
    await h.close();
  }
}

const usage = (h: ThreescaleHarness, token: string, serviceId: string, query = '') =>
  h.helper.app.inject({
    method: 'GET',
    url: `/api/services/${serviceId}/usage${query}`,
    headers: { authorization: `Bearer ${token}` },
  });

describe('usage on 3scale', () => {
  it('reports the Analytics API counts and the plan limits; cold calls counted, warm none', async () => {
    await withKey(async (h, { token, serviceId, appId }) => {
      assert.equal(h.fake.authrep({ application_id: appId, usage: { hits: 7 } }).status, 200);
      const response = await usage(h, token, serviceId, '?period=week');
      assert.equal(response.statusCode, 200);
      const data = response.json().data;
      assert.equal(data.usage_available, true);
      assert.equal(data.intervals.length, 7);
      assert.equal(data.total, 7);
      assert.equal(data.intervals.at(-1).hits, 7);
      assert.deepEqual(
        data.limits.map((l: { period: string; max: number; used: number }) => [l.period, l.max, l.used]),
        [
          ['day', 1000, 7],
          ['month', 20000, 7],
        ],
      );
      assert.match(data.limits[0].resets_at, /T00:00:00\.000Z$/);
      // metrics and limits once, the series once, then one count per limit.
      assert.deepEqual(usageCalls(h), { 'metrics.list': 1, 'limits.list': 1, 'stats.application_usage': 3 });

      const again = await usage(h, token, serviceId, '?period=week');
      assert.equal(again.json().data.total, 7);
      assert.deepEqual(usageCalls(h), { 'metrics.list': 1, 'limits.list': 1, 'stats.application_usage': 3 });
      h.assertSpecConformance();
    });
  });

  it('shows the limits and marks usage unavailable when the Analytics API fails', async () => {
    await withKey(async (h, { token, serviceId }) => {
      h.fake.setFault('stats.application_usage', { kind: 'status', status: 500 });
      const response = await usage(h, token, serviceId, '?period=day');
      assert.equal(response.statusCode, 200);
      const data = response.json().data;
      assert.equal(data.usage_available, false);
      assert.equal(data.total, null);
      assert.deepEqual(data.intervals, []);
      assert.deepEqual(
        data.limits.map((l: { period: string; max: number; used: number | null }) => [l.period, l.max, l.used]),
        [
          ['day', 1000, null],
          ['month', 20000, null],
        ],
      );
      // A degraded report is not kept: once 3scale answers again, so does the report.
      h.fake.setFault('stats.application_usage', null);
      assert.equal((await usage(h, token, serviceId, '?period=day')).json().data.usage_available, true);
    });
  });

  it('answers within the timeout when the Analytics API hangs', async () => {
    await withKey(async (h, { token, serviceId }) => {
      h.fake.setFault('stats.application_usage', { kind: 'hang' });
      const response = await usage(h, token, serviceId);
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().data.usage_available, false);
      assert.equal(response.json().data.limits.length, 2);
    });
  });

  it("reads only the caller's application: bob has no key there, and alice's hits are not his", async () => {
    await withKey(async (h, { serviceId, appId }) => {
      h.fake.authrep({ application_id: appId, usage: { hits: 2 } });
      const bob = await h.token('bob');
      const refused = await usage(h, bob, serviceId);
      assert.equal(refused.statusCode, 404);
      assert.equal(refused.json().error.code, 'KEY_NOT_FOUND');
      assert.equal(
        h.fake.requests().some((r) => r.endpoint === 'stats.application_usage'),
        false,
      );
    });
  });

  it('refuses an unknown period before calling 3scale', async () => {
    await withKey(async (h, { token, serviceId }) => {
      const response = await usage(h, token, serviceId, '?period=fortnight');
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'VALIDATION_ERROR');
      assert.deepEqual(usageCalls(h), { 'metrics.list': 0, 'limits.list': 0, 'stats.application_usage': 0 });
    });
  });

  it('names the missing stats scope once in the log and still shows the limits', async () => {
    const token = 'account-management-only-0123456789abcdef';
    const fake = createFake3scale({
      seed: { ...defaultSeed(), access_tokens: [{ value: token, scopes: ['account_management'] }] },
    });
    await fake.listen();
    const h = await startThreescaleHarness({ fake, env: { THREESCALE_ADMIN_API_KEY: token } });
    try {
      const alice = await h.token('alice');
      const serviceId = String(fake.state.listServices().find((s) => s.systemName === 'llm-chat')?.id);
      const headers = { authorization: `Bearer ${alice}` };
      await h.helper.app.inject({
        method: 'POST',
        url: '/api/services/init',
        headers,
        payload: { service_id: serviceId },
      });
      for (let i = 0; i < 2; i++) {
        const response = await usage(h, alice, serviceId);
        assert.equal(response.statusCode, 200);
        assert.equal(response.json().data.usage_available, false);
        assert.equal(response.json().data.limits.length, 2);
      }
      assert.equal(h.logs.filter((line) => line.includes('Analytics (stats) scope')).length, 1);
    } finally {
      await h.close();
      await fake.close();
    }
  });

  it('never reads usage for the services list', async () => {
    await withKey(async (h, { token }) => {
      const list = await h.helper.app.inject({
        method: 'GET',
        url: '/api/services',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(usageCalls(h), { 'metrics.list': 0, 'limits.list': 0, 'stats.application_usage': 0 });
    });
  });
});
