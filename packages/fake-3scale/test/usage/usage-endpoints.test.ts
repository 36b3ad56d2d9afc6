/**
 * Metrics, plan limits and the Analytics API's application usage, as porta serves them: shapes, the `stats`
 * scope, parameter checks and their errors; and the fake's own authrep, which records usage and refuses it
 * past a plan limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ids, startFake } from '../support/fake.js';

const STATS_ONLY = 'stats-only-token-0123456789';
const MANAGEMENT_ONLY = 'management-only-token-0123456789';
const harness = await startFake({
  now: () => new Date('2026-12-07T10:15:00Z'),
  seed: {
    ...(await import('../../src/index.js')).defaultSeed(),
    access_tokens: [
      { value: STATS_ONLY, scopes: ['stats'] },
      { value: MANAGEMENT_ONLY, scopes: ['account_management'] },
    ],
  },
});
const { fake } = harness;
const serviceId = ids(fake).service('llm-chat');
const planId = ids(fake).plan('llm-chat', 'basic');
const created = await harness.json<{ application: { id: number } }>(
  `/admin/api/accounts/${ids(fake).account('alice')}/applications.json`,
  { method: 'POST', body: { plan_id: planId, name: 'usage test' } },
);
const appId = created.body.application.id;
const usagePath = (query: string) => `/stats/applications/${appId}/usage.json?${query}`;

describe('GET /admin/api/services/{id}/metrics', () => {
  it('lists the hits metric with its fields', async () => {
    const { status, body } = await harness.json<{ metrics: { metric: Record<string, unknown> }[] }>(
      `/admin/api/services/${serviceId}/metrics.json`,
    );
    assert.equal(status, 200);
    assert.equal(body.metrics.length, 1);
    const metric = body.metrics[0]?.metric ?? {};
    assert.equal(metric.system_name, 'hits');
    assert.equal(metric.friendly_name, 'Hits');
    assert.equal(metric.unit, 'hit');
    assert.equal(typeof metric.id, 'number');
  });

  it('is a 404 for an unknown service', async () => {
    assert.equal((await harness.call('/admin/api/services/1/metrics.json')).status, 404);
  });
});

describe('GET /admin/api/application_plans/{id}/limits', () => {
  it("lists the plan's seeded limits on hits", async () => {
    const { status, body } = await harness.json<{ limits: { limit: Record<string, unknown> }[] }>(
      `/admin/api/application_plans/${planId}/limits.json`,
    );
    assert.equal(status, 200);
    const metrics = (
      await harness.json<{ metrics: { metric: { id: number } }[] }>(`/admin/api/services/${serviceId}/metrics.json`)
    ).body;
    assert.deepEqual(
      body.limits.map(({ limit }) => [limit.period, limit.value, limit.metric_id, limit.plan_id]),
      [
        ['day', 1000, metrics.metrics[0]?.metric.id, planId],
        ['month', 20000, metrics.metrics[0]?.metric.id, planId],
      ],
    );
  });

  it('pages by at most 50', async () => {
    const { body } = await harness.json<{ limits: unknown[]; metadata?: { per_page: number } }>(
      `/admin/api/application_plans/${planId}/limits.json?per_page=1`,
    );
    assert.equal(body.limits.length, 1);
    assert.equal(body.metadata?.per_page, 1);
  });

  it('is a 404 for an unknown plan', async () => {
    assert.equal((await harness.call('/admin/api/application_plans/1/limits.json')).status, 404);
  });
});

describe('GET /stats/applications/{id}/usage', () => {
  it('counts the usage authrep recorded, per interval of the range', async () => {
    assert.deepEqual(fake.authrep({ application_id: appId, usage: { hits: 4 } }).status, 200);
    fake.authrep({ application_id: appId, usage: { hits: 2 }, timestamp: '2026-12-05T08:00:00Z' });
    const { status, body } = await harness.json<Record<string, unknown>>(
      usagePath('metric_name=hits&since=2026-12-01&until=2026-12-07%2023:59:59&granularity=day&timezone=UTC'),
    );
    assert.equal(status, 200);
    assert.deepEqual(body.values, [0, 0, 0, 0, 2, 0, 4]);
    assert.equal(body.total, 6);
    assert.deepEqual(body.metric, {
      id: (body.metric as { id: number }).id,
      name: 'Hits',
      system_name: 'hits',
      unit: 'hit',
    });
    assert.deepEqual(body.period, {
      name: null,
      since: '2026-12-01T00:00:00.000Z',
      until: '2026-12-07T23:59:59.000Z',
      timezone: 'Etc/UTC',
      granularity: 'day',
    });
    assert.equal((body.application as { id: number }).id, appId);
  });

  it('takes a period with its default granularity (a day by the hour)', async () => {
    const { body } = await harness.json<{ values: number[]; period: { granularity: string } }>(
      usagePath('metric_name=hits&period=day&since=2026-12-07'),
    );
    assert.equal(body.period.granularity, 'hour');
    assert.equal(body.values.length, 24);
    assert.equal(body.values[10], 4);
  });

  const refusals: [string, string, number, string][] = [
    ['a missing metric_name', 'period=day', 400, 'Required parameter missing: metric_name'],
    ['a missing since without a period', 'metric_name=hits&granularity=day', 400, 'Required parameter missing: since'],
    [
      'an unknown period',
      'metric_name=hits&period=fortnight',
      400,
      '{"error":"Period must be one of [\\"eternity\\", \\"year\\", \\"month\\", \\"week\\", \\"day\\"] not \\"fortnight\\""}',
    ],
    [
      'an unknown granularity',
      'metric_name=hits&since=2026-12-01&until=2026-12-02&granularity=minute',
      400,
      '{"error":"Granularity must be one of [:eternity, :month, :day, 21600, :hour], not minute"}',
    ],
    ['an unknown metric', 'metric_name=tokens&period=day', 400, '{"error":"metric tokens not found"}'],
    [
      'a bad date',
      'metric_name=hits&since=yesterday&until=2026-12-02&granularity=day',
      400,
      '{"error":"Date parameters should have valid date/time format."}',
    ],
    [
      'a range too long for hours',
      'metric_name=hits&since=2026-01-01&until=2026-12-01&granularity=hour',
      400,
      '{"error":"Time range for the granularity must be less than 90 days"}',
    ],
  ];
  for (const [name, query, status, text] of refusals) {
    it(`refuses ${name}`, async () => {
      const response = await harness.call(usagePath(query));
      assert.equal(response.status, status);
      assert.equal(await response.text(), text);
    });
  }

  it("is a 404 with porta's message for an unknown application", async () => {
    const response = await harness.call('/stats/applications/1/usage.json?metric_name=hits&period=day');
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'Application not found' });
  });

  it('needs the stats scope: a token with only account_management is refused, one with stats is not', async () => {
    const refused = await harness.call(usagePath('metric_name=hits&period=day'), { token: MANAGEMENT_ONLY });
    assert.equal(refused.status, 403);
    const allowed = await harness.call(usagePath('metric_name=hits&period=day'), { token: STATS_ONLY });
    assert.equal(allowed.status, 200);
    const noAdmin = await harness.call(`/admin/api/services/${serviceId}/metrics.json`, { token: STATS_ONLY });
    assert.equal(noAdmin.status, 403);
  });

  it('is counted, and faulted, under its endpoint key', async () => {
    const before = fake.stats()['stats.application_usage'] ?? 0;
    fake.setFault('stats.application_usage', { kind: 'status', status: 503, times: 1 });
    assert.equal((await harness.call(usagePath('metric_name=hits&period=day'))).status, 503);
    assert.equal(fake.stats()['stats.application_usage'], before + 1);
  });
});

describe('authrep', () => {
  it('refuses usage past a plan limit with a 409 and records nothing', async () => {
    const other = ids(fake).plan('llm-chat', 'premium');
    const { body } = await harness.json<{ application: { id: number } }>(
      `/admin/api/accounts/${ids(fake).account('bob')}/applications.json`,
      { method: 'POST', body: { plan_id: ids(fake).plan('llm-chat', 'basic'), name: 'limit test' } },
    );
    assert.ok(other > 0);
    const id = body.application.id;
    assert.equal(fake.authrep({ application_id: id, usage: { hits: 1000 } }).status, 200);
    const refused = fake.authrep({ application_id: id, usage: { hits: 1 } });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.reason, 'usage limits are exceeded');
    const day = await harness.json<{ total: number }>(
      `/stats/applications/${id}/usage.json?metric_name=hits&period=day&since=2026-12-07`,
    );
    assert.equal(day.body.total, 1000);
  });

  it('is served under the control API', async () => {
    const response = await fetch(`${harness.url}/__fake/authrep`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ application_id: appId, usage: { hits: 1 } }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { authorized: true, application_id: appId });
    const unknown = await fetch(`${harness.url}/__fake/authrep`, { method: 'POST', body: '{"application_id":1}' });
    assert.equal(unknown.status, 404);
  });
});
