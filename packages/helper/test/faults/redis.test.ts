/**
 * Redis stopped and started again while the helper is under load: lists keep being served, key requests are
 * refused with 503 UPSTREAM_UNAVAILABLE rather than risking a duplicate, readiness says so — and once Redis is
 * back the helper recovers by itself: keys are issued again, one application per user and service, the same
 * key every time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFake3scale, defaultSeed } from '@mlaas/fake-3scale';
import { startHelperProcess } from '../support/helper-process.js';
import { eventually, request, sleep, startLoad, type HttpOutcome } from '../support/load.js';
import { redisSkipReason, startRedis } from '../support/redis-server.js';
import { startTestIssuer } from '../support/test-issuer.js';

const SERVICES = ['LLM Chat Completions', 'Image Classification', 'Speech to Text'];
const USERS = 12;

describe('Redis outage under load', { skip: redisSkipReason() }, () => {
  it('serves lists, refuses inits with 503 while Redis is down, and recovers without a restart', async (t) => {
    const seed = defaultSeed();
    // Every first key request creates an application (no signup subscriptions), so the lock matters.
    for (const service of seed.services ?? []) service.service_plan = 'published';
    // Signup subscribes merely published service plans too, unless the service plans screen is shown.
    seed.settings = { service_plans_ui_visible: true };
    const fake = createFake3scale({ seed });
    await fake.listen();
    const [issuer, redis] = await Promise.all([startTestIssuer(), startRedis()]);
    const helper = await startHelperProcess({
      OIDC_ISSUER: issuer.url,
      KEYCLOAK_CLIENT_ID: issuer.clientId,
      APIM_BACKEND: 'threescale',
      THREESCALE_ADMIN_API_URL: fake.url,
      THREESCALE_ADMIN_API_KEY: fake.accessToken,
      REDIS_URL: redis.url,
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '100000',
    });
    try {
      // Users 0…USERS-1 make the load; users USERS… ask for their first keys only while Redis is down.
      const tokens = await Promise.all(
        Array.from({ length: 2 * USERS }, (_, i) =>
          issuer.token({
            claims: { sub: `sub-r${i}`, preferred_username: `redis-user${i}`, email: `r${i}@example.test` },
          }),
        ),
      );
      const phase = { redisDown: false };
      let stopped = false;
      type Step = { outcome: HttpOutcome; isInit: boolean; redisDown: boolean; user: number; service: string };
      const load = startLoad<Step>({
        workers: USERS,
        stop: () => stopped,
        step: async (w, i) => {
          const redisDown = phase.redisDown;
          const isInit = i % 3 === 0;
          const user = isInit && redisDown ? USERS + w : w;
          const headers = { authorization: `Bearer ${tokens[user] as string}`, 'content-type': 'application/json' };
          const service = SERVICES[(w + i) % SERVICES.length] as string;
          const outcome = isInit
            ? await request(`${helper.url}/api/services/init`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ service_name: service }),
              })
            : await request(`${helper.url}/api/services`, { headers });
          return { outcome, isInit, redisDown, user, service };
        },
      });
      await sleep(700);
      await redis.stop();
      phase.redisDown = true;
      await sleep(900);
      const readyWhileDown = await request(`${helper.url}/api/ready`);
      phase.redisDown = false;
      await redis.start();
      const recovered = await eventually(
        async () => {
          const ready = await request(`${helper.url}/api/ready`);
          return ready.kind === 'response' && ready.status === 200;
        },
        10_000,
        100,
      );
      await sleep(500);
      stopped = true;
      const steps = (await load.done).map(({ outcome, startedAt, endedAt }) => ({ ...outcome, startedAt, endedAt }));

      assert.equal(readyWhileDown.kind === 'response' && readyWhileDown.status, 503, 'not ready while Redis is down');
      assert.ok(recovered, 'ready again without a restart');
      const refusedWhileDown = steps.filter(
        (s) => s.redisDown && s.isInit && s.outcome.kind === 'response' && s.outcome.status === 503,
      );
      const listsWhileDown = steps.filter((s) => s.redisDown && !s.isInit);
      t.diagnostic(
        `${steps.length} requests; while Redis was down: ${listsWhileDown.length} lists, ${refusedWhileDown.length} inits refused`,
      );
      assert.ok(listsWhileDown.length > 0 && refusedWhileDown.length > 0, 'the outage was exercised');
      for (const { outcome, isInit } of steps) {
        assert.equal(outcome.kind, 'response', `every request is answered: ${JSON.stringify(outcome)}`);
        if (outcome.kind !== 'response') continue;
        if (outcome.status === 200) continue;
        // Lists never fail, nor does a key that already exists; only new keys wait for Redis.
        assert.ok(isInit, `a list failed: ${outcome.body}`);
        assert.equal(outcome.status, 503, outcome.body);
        assert.equal((outcome.json as { error: { code: string } }).error.code, 'UPSTREAM_UNAVAILABLE');
        assert.ok(Number(outcome.headers.get('retry-after')) >= 1);
      }

      // After recovery: every (user, service) has exactly one application, and every answer gave its key.
      const keys = new Map<string, Set<string>>();
      for (const { outcome, isInit, user, service } of steps) {
        if (!isInit || outcome.kind !== 'response' || outcome.status !== 200) continue;
        const id = `${user} ${service}`;
        keys.set(id, (keys.get(id) ?? new Set()).add((outcome.json as { data: { api_key: string } }).data.api_key));
      }
      for (let user = 0; user < 2 * USERS; user += 1) {
        for (const service of SERVICES) {
          const final = await request(`${helper.url}/api/services/init`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[user] as string}`, 'content-type': 'application/json' },
            body: JSON.stringify({ service_name: service }),
          });
          assert.equal(final.kind === 'response' && final.status, 200, 'keys are issued again');
          const data = (final as { json: { data: { api_key: string; account_id: string; service: { id: string } } } })
            .json.data;
          const seen = keys.get(`${user} ${service}`) ?? new Set([data.api_key]);
          assert.deepEqual([...seen], [data.api_key], `user ${user}, ${service}: one key, every time`);
          const apps = fake.state
            .applicationsOf(Number(data.account_id))
            .filter((a) => String(a.serviceId) === data.service.id);
          assert.equal(apps.length, 1, `user ${user}, ${service}: one application`);
        }
      }
    } finally {
      await helper.stop('SIGTERM');
      await Promise.all([fake.close(), issuer.close(), redis.stop()]);
    }
  });
});
