/**
 * Usage on the embedded stack: the demo gateway counts every accepted call and refuses calls over a plan
 * limit with a 429 that names the limit and its reset (body, Retry-After, RateLimit-*); the counts survive a
 * restart; `GET /api/services/{id}/usage` reports the caller's own counts only, and refuses a bad period, a
 * service without a key and an unknown service.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/helper-harness.js';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

const CATALOG = {
  services: [
    {
      id: 'sentiment-analysis',
      name: 'Sentiment Analysis',
      endpoint: '/gateway/sentiment-analysis',
      authentication: 'api_key',
      credentials: { location: 'header', key_parameter: 'X-API-Key' },
      plans: [
        {
          id: 'basic',
          name: 'Basic',
          default: true,
          limits: [
            { period: 'minute', max: 3 },
            { period: 'day', max: 5 },
          ],
        },
      ],
    },
    {
      id: 'text-embedding',
      name: 'Text Embedding',
      endpoint: '/gateway/text-embedding',
      authentication: 'api_key',
      credentials: { location: 'header', key_parameter: 'X-API-Key' },
      plans: [{ id: 'standard', name: 'Standard', default: true }],
    },
  ],
};

describe('usage on the embedded stack', () => {
  let dir: string;
  let issuer: TestIssuer;
  let h: Harness;
  // The clock of the helper: moved by the tests, never by real time.
  let clock = new Date('2026-12-07T10:15:20Z');
  const now = () => clock;
  let alice: string;
  let bob: string;
  let key: string;

  const start = () =>
    startHarness({ EMBEDDED_CATALOG: join(dir, 'catalog.json') }, { issuer, dataDir: join(dir, 'data'), now });
  const call = () =>
    h.helper.app.inject({ method: 'GET', url: '/gateway/sentiment-analysis/v1', headers: { 'x-api-key': key } });
  const usage = (token: string, service = 'sentiment-analysis', query = '') =>
    h.helper.app.inject({
      method: 'GET',
      url: `/api/services/${service}/usage${query}`,
      headers: { authorization: `Bearer ${token}` },
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlaas-usage-'));
    writeFileSync(join(dir, 'catalog.json'), JSON.stringify(CATALOG));
    issuer = await startTestIssuer();
    h = await start();
    alice = await issuer.token({
      claims: { sub: 'sub-alice', preferred_username: 'alice', email: 'alice@example.test' },
    });
    bob = await issuer.token({ claims: { sub: 'sub-bob', preferred_username: 'bob', email: 'bob@example.test' } });
    const init = await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers: { authorization: `Bearer ${alice}` },
      payload: { service_id: 'sentiment-analysis' },
    });
    key = init.json().data.api_key;
  });
  after(async () => {
    await h.close();
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits calls up to the minute limit, with RateLimit headers for the tightest limit', async () => {
    for (let i = 1; i <= 3; i++) {
      const response = await call();
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['ratelimit-limit'], '3');
      assert.equal(response.headers['ratelimit-remaining'], String(3 - i));
      assert.equal(response.headers['ratelimit-reset'], '40');
    }
  });

  it('refuses the next call with a 429 naming the limit and when it resets', async () => {
    const response = await call();
    assert.equal(response.statusCode, 429);
    assert.equal(response.headers['retry-after'], '40');
    assert.equal(response.headers['ratelimit-remaining'], '0');
    assert.equal(response.headers['ratelimit-policy'], '3;w=60');
    const body = response.json();
    assert.deepEqual(body.limit, { metric: 'hits', period: 'minute', max: 3 });
    assert.equal(body.resets_at, '2026-12-07T10:16:00.000Z');
    assert.match(body.message, /minute limit of 3 calls/);
  });

  it('admits calls again once the minute resets, until the day limit, which then names the day', async () => {
    clock = new Date('2026-12-07T10:16:05Z');
    assert.equal((await call()).statusCode, 200);
    assert.equal((await call()).statusCode, 200);
    const refused = await call();
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().limit.period, 'day');
    assert.equal(refused.json().resets_at, '2026-12-08T00:00:00.000Z');
    assert.equal(refused.headers['retry-after'], String(13 * 3600 + 43 * 60 + 55));
  });

  it("reports the caller's hits per hour and each limit with used, max and reset", async () => {
    const response = await usage(alice, 'sentiment-analysis', '?period=day');
    assert.equal(response.statusCode, 200);
    const data = response.json().data;
    assert.equal(data.usage_available, true);
    assert.equal(data.granularity, 'hour');
    assert.equal(data.intervals.length, 24);
    assert.equal(data.total, 5);
    assert.deepEqual(data.intervals.at(-1), { start: '2026-12-07T10:00:00.000Z', hits: 5 });
    assert.deepEqual(data.limits, [
      { metric: 'hits', period: 'minute', max: 3, used: 2, resets_at: '2026-12-07T10:17:00.000Z' },
      { metric: 'hits', period: 'day', max: 5, used: 5, resets_at: '2026-12-08T00:00:00.000Z' },
    ]);
  });

  it('counts per day for a week, the default period', async () => {
    const data = (await usage(alice)).json().data;
    assert.equal(data.period, 'week');
    assert.equal(data.intervals.length, 7);
    assert.deepEqual(data.intervals.at(-1), { start: '2026-12-07T00:00:00.000Z', hits: 5 });
    assert.equal(data.since, '2026-12-01T00:00:00.000Z');
  });

  it('keeps the counts across a restart', async () => {
    await h.close();
    h = await start();
    const data = (await usage(alice, 'sentiment-analysis', '?period=month')).json().data;
    assert.equal(data.intervals.length, 30);
    assert.equal(data.total, 5);
    assert.equal((await call()).statusCode, 429);
  });

  it("never shows another person's usage: bob without a key gets KEY_NOT_FOUND", async () => {
    const response = await usage(bob);
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'KEY_NOT_FOUND');
    await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers: { authorization: `Bearer ${bob}` },
      payload: { service_id: 'sentiment-analysis' },
    });
    const own = (await usage(bob)).json().data;
    assert.equal(own.total, 0);
    assert.notEqual(own.application_id, (await usage(alice)).json().data.application_id);
  });

  it('refuses an unknown period and an unknown service', async () => {
    const bad = await usage(alice, 'sentiment-analysis', '?period=year');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'VALIDATION_ERROR');
    const unknown = await usage(alice, 'no-such-service');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'SERVICE_NOT_FOUND');
  });

  it('lists no limits for a plan without any, and every call passes', async () => {
    const init = await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers: { authorization: `Bearer ${alice}` },
      payload: { service_id: 'text-embedding' },
    });
    const other = init.json().data.api_key as string;
    const response = await h.helper.app.inject({
      method: 'GET',
      url: '/gateway/text-embedding',
      headers: { 'x-api-key': other },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['ratelimit-limit'], undefined);
    const data = (await usage(alice, 'text-embedding')).json().data;
    assert.deepEqual(data.limits, []);
    assert.equal(data.total, 1);
  });
});
