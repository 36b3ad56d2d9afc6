/**
 * The lock is lost while a create is in flight — Redis restarts empty, or a failover promotes a replica that
 * never saw the lock — and a second replica creates the same application. Both callers must still end
 * with one application and the same key: the creates converge on the oldest application.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createFake3scale, type Fake3scale } from '@mlaas/fake-3scale';
import { startHelperProcess, type HelperProcess } from '../support/helper-process.js';
import { redisSkipReason, startRedis, type TestRedis } from '../support/redis-server.js';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.js';

const skip = redisSkipReason();
const SERVICE = 'LLM Chat Completions';
/** The create's latency: long enough for the lock to be lost while it runs. */
const CREATE_MS = 3_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface InitAnswer {
  status: number;
  body: { data?: { api_key: string; is_new: boolean; account_id: string; service: { id: string } } };
}

describe('one application and one key when the lock is lost mid-create', { skip }, () => {
  let redis: TestRedis;
  let fake: Fake3scale;
  let issuer: TestIssuer;
  let replicas: HelperProcess[];
  let token: string;

  before(async () => {
    [redis, issuer] = await Promise.all([startRedis(), startTestIssuer()]);
    fake = createFake3scale();
    await fake.listen();
    const env = {
      OIDC_ISSUER: issuer.url,
      KEYCLOAK_CLIENT_ID: 'mlaas-cli',
      APIM_BACKEND: 'threescale',
      THREESCALE_ADMIN_API_URL: fake.url,
      THREESCALE_ADMIN_API_KEY: fake.accessToken,
      THREESCALE_TIMEOUT_MS: '10000',
      REDIS_URL: redis.url,
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
      RATE_LIMIT_USER_PER_MINUTE: '0',
    };
    replicas = await Promise.all([startHelperProcess(env), startHelperProcess(env)]);
    // alice has an account in 3scale and no application yet.
    token = await issuer.token({
      claims: { sub: 'sub-alice-lost', preferred_username: 'alice', email: 'alice@example.test' },
    });
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([fake.close(), issuer.close(), redis.stop()]);
  });
  beforeEach(async () => {
    fake.reset();
    fake.setLatency('applications.create', CREATE_MS);
    // Warm both replicas (keys, catalog, Redis) so only the create is slow.
    for (const replica of replicas) {
      const r = await fetch(`${replica.url}/api/services`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
  });

  const init = (replica: HelperProcess): Promise<InitAnswer> =>
    fetch(`${replica.url}/api/services/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service_name: SERVICE }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as InitAnswer['body'] }));

  /** Waits until the first create has reached 3scale (and so runs under the lock). */
  async function createInFlight(): Promise<void> {
    for (let attempt = 0; attempt < 100 && (fake.stats()['applications.create'] ?? 0) === 0; attempt++) {
      await pause(20);
    }
    assert.equal(fake.stats()['applications.create'], 1, 'the first create is in flight');
  }

  async function readyAgain(replica: HelperProcess): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await fetch(`${replica.url}/api/ready`)).status === 200) return;
      await pause(100);
    }
    assert.fail('the replica did not get Redis back');
  }

  function assertOneApplicationOneKey(a: InitAnswer, b: InitAnswer): void {
    assert.equal(a.status, 200, `first: ${JSON.stringify(a.body)}`);
    assert.equal(b.status, 200, `second: ${JSON.stringify(b.body)}`);
    assert.equal(a.body.data?.api_key, b.body.data?.api_key, 'both callers hold the same key');
    assert.equal([a.body.data?.is_new, b.body.data?.is_new].filter(Boolean).length, 1);
    const data = a.body.data;
    const apps = fake.state
      .applicationsOf(Number(data?.account_id))
      .filter((app) => String(app.serviceId) === data?.service.id);
    assert.equal(apps.length, 1, 'one application is left');
    // The scenario really raced: the lock let a second create in, and convergence removed one of them.
    assert.equal(fake.stats()['applications.create'], 2);
    assert.equal(fake.stats()['applications.delete'], 1);
  }

  it('Redis stopped and restarted empty mid-create', async () => {
    const first = init(replicas[0] as HelperProcess);
    await createInFlight();
    await redis.stop();
    await redis.start();
    await pause(1_000);
    await readyAgain(replicas[1] as HelperProcess);
    const second = init(replicas[1] as HelperProcess);
    assertOneApplicationOneKey(await first, await second);
  });

  it('the lock vanishes as in a failover to a replica that never saw it', async () => {
    const admin = new Redis(redis.url);
    try {
      const first = init(replicas[0] as HelperProcess);
      await createInFlight();
      // A promoted replica that missed the lock's write: Redis answers throughout, but the lock is gone.
      await admin.flushall();
      await pause(1_000);
      const second = init(replicas[1] as HelperProcess);
      assertOneApplicationOneKey(await first, await second);
    } finally {
      admin.disconnect();
    }
  });
});
