/**
 * Several helper replicas sharing one Redis and one 3scale: concurrent inits spread over both processes
 * create exactly one application, everyone gets the same key, and rate limits count across replicas.
 * When Redis goes away, reads keep working while inits answer 503 — and all recovers when it is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFake3scale, type Fake3scale } from '@mlaas/fake-3scale';
import { startHelperProcess, type HelperProcess } from '../support/helper-process.js';
import { redisSkipReason, startRedis, type TestRedis } from '../support/redis-server.js';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

const skip = redisSkipReason();

describe('two replicas with Redis', { skip }, () => {
  let redis: TestRedis;
  let fake: Fake3scale;
  let issuer: TestIssuer;
  let replicas: HelperProcess[];

  const env = (extra: Record<string, string> = {}) => ({
    OIDC_ISSUER: issuer.url,
    KEYCLOAK_CLIENT_ID: 'mlaas-cli',
    APIM_BACKEND: 'threescale',
    THREESCALE_ADMIN_API_URL: fake.url,
    THREESCALE_ADMIN_API_KEY: fake.accessToken,
    REDIS_URL: redis.url,
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_INIT_PER_MINUTE: '0',
    RATE_LIMIT_USER_PER_MINUTE: '150',
    ...extra,
  });

  before(async () => {
    [redis, issuer] = await Promise.all([startRedis(), startTestIssuer()]);
    fake = createFake3scale();
    await fake.listen();
    replicas = await Promise.all([startHelperProcess(env()), startHelperProcess(env())]);
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([fake.close(), issuer.close(), redis.stop()]);
  });

  const post = (url: string, token: string, body: object) =>
    fetch(`${url}/api/services/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as { data: { api_key: string; account_id: string; service: { id: string } } },
    }));

  it('100 concurrent inits over both replicas create one application and return one key', async () => {
    // alice exists in 3scale with no applications, so the lock alone stands between her and duplicates.
    const token = await issuer.token({
      claims: { sub: 'sub-alice-r', preferred_username: 'alice', email: 'alice@example.test' },
    });
    // Warm both replicas (keys, catalog) so their inits start together, and make creates slow enough to overlap.
    await Promise.all(
      replicas.map((r) =>
        fetch(`${r.url}/api/services`, { headers: { authorization: `Bearer ${token}` } }).then((x) => x.arrayBuffer()),
      ),
    );
    fake.setLatency('applications.create', 300);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post((replicas[i % 2] as HelperProcess).url, token, { service_name: 'LLM Chat Completions' }),
      ),
    );
    assert.deepEqual(
      new Set(results.map((r) => r.status)),
      new Set([200]),
      JSON.stringify(results.find((r) => r.status !== 200)?.json),
    );
    assert.equal(new Set(results.map((r) => r.json.data.api_key)).size, 1);
    const first = results[0]?.json.data;
    const apps = fake.state
      .applicationsOf(Number(first?.account_id))
      .filter((a) => String(a.serviceId) === first?.service.id);
    assert.equal(apps.length, 1);
    assert.equal(fake.stats()['applications.create'], 1);
  });

  it('counts one user’s rate limit across both replicas', async () => {
    const token = await issuer.token({
      claims: { sub: 'sub-limited', preferred_username: 'limited', email: 'limited@example.test' },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 170; i++) {
      const r = await fetch(`${(replicas[i % 2] as HelperProcess).url}/api/services`, {
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    assert.equal(
      statuses.filter((s) => s === 200).length,
      150,
      'the limit of 150 per minute is shared, not 150 per replica',
    );
    assert.equal(statuses.filter((s) => s === 429).length, 20);
  });

  it('keeps serving lists without Redis, refuses inits with 503, reports not ready, and recovers', async () => {
    const token = await issuer.token({
      claims: { sub: 'sub-bob-r', preferred_username: 'bob', email: 'bob@example.test' },
    });
    const replica = replicas[0] as HelperProcess;
    await redis.stop();
    const listed = await fetch(`${replica.url}/api/services`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(listed.status, 200);
    const refused = await post(replica.url, token, { service_name: 'Speech to Text' });
    assert.equal(refused.status, 503);
    assert.equal((refused.json as unknown as { error: { code: string } }).error.code, 'UPSTREAM_UNAVAILABLE');
    const ready = await fetch(`${replica.url}/api/ready`);
    assert.equal(ready.status, 503);
    assert.match(((await ready.json()) as { error: { message: string } }).error.message, /Redis/);

    await redis.start();
    let recovered = 0;
    for (let attempt = 0; attempt < 50 && recovered !== 200; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      recovered = (await fetch(`${replica.url}/api/ready`)).status;
    }
    assert.equal(recovered, 200, 'ready again without a restart');
    const granted = await post(replica.url, token, { service_name: 'Speech to Text' });
    assert.equal(granted.status, 200);
  });
});
