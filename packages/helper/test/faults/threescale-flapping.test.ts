/**
 * 3scale flapping — down, slow, 5xx, malformed, reset, rate-limited, up again — while users list services and
 * ask for keys: every answer is a success or the documented upstream error (502/503/504 envelope), never a
 * 500; and when 3scale is back the helper recovers by itself: every user has one account, one application
 * per service, and the same key on every request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFake3scale, defaultSeed, type FaultSpec, type LatencySpec } from '@mlaas/fake-3scale';
import { createApiClient, type ApiResponse } from '../support/api-client.js';
import { sleep, startLoad } from '../support/load.js';
import { startThreescaleHarness } from '../support/threescale-harness.js';

const SERVICES = ['LLM Chat Completions', 'Image Classification', 'Text Embeddings', 'Speech to Text'];
const USERS = 12;
/** Each state of 3scale lasts this long. */
const STATE_MS = 250;
const UPSTREAM_CODES: Record<number, string[]> = {
  502: ['UPSTREAM_ERROR'],
  503: ['UPSTREAM_UNAVAILABLE'],
  504: ['UPSTREAM_TIMEOUT'],
};

/** The states 3scale goes through: a fault on every endpoint, extra latency, or healthy. */
const STATES: { name: string; fault?: FaultSpec; latency?: LatencySpec }[] = [
  { name: 'up' },
  { name: 'down', fault: { kind: 'down' } },
  { name: 'up' },
  { name: 'slow', latency: 600 },
  { name: '500', fault: { kind: 'status', status: 500 } },
  { name: 'up' },
  { name: '503', fault: { kind: 'status', status: 503 } },
  { name: 'malformed', fault: { kind: 'malformed' } },
  { name: 'up' },
  { name: 'reset', fault: { kind: 'reset' } },
  { name: 'rate limited', fault: { kind: 'rate_limited', retryAfter: 1 } },
  { name: 'up' },
];

describe('3scale flapping under load', () => {
  it('answers only successes or upstream errors, and recovers with one application and one key per user and service', async (t) => {
    const seed = defaultSeed();
    // Without signup's automatic subscriptions, first key requests create applications while 3scale flaps.
    for (const service of seed.services ?? []) service.service_plan = 'published';
    // Signup subscribes merely published service plans too, unless the service plans screen is shown.
    seed.settings = { service_plans_ui_visible: true };
    const fake = createFake3scale({ seed });
    await fake.listen();
    const h = await startThreescaleHarness({
      fake,
      env: {
        THREESCALE_TIMEOUT_MS: '300',
        THREESCALE_RETRIES: '1',
        THREESCALE_CACHE_TTL_SECONDS: '1',
        ACCOUNT_CACHE_TTL_SECONDS: '0',
        LOG_LEVEL: 'warn',
      },
    });
    try {
      const api = await createApiClient(h);
      const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => h.token(`flap${i}`)));
      let stopped = false;
      let current = 'up';
      const load = startLoad<{ response: ApiResponse; state: string }>({
        workers: USERS,
        stop: () => stopped,
        step: async (w, i) => {
          const state = current;
          const token = tokens[w] as string;
          const response =
            i % 2 === 0
              ? await api.call('POST', '/api/services/init', {
                  token,
                  body: { service_name: SERVICES[(w + i) % SERVICES.length] },
                })
              : await api.call('GET', '/api/services', { token });
          return { response, state };
        },
      });
      for (const state of STATES) {
        current = state.name;
        fake.setFault('*', state.fault ?? null);
        fake.setLatency('*', state.latency ?? null);
        await sleep(STATE_MS);
      }
      current = 'up';
      stopped = true;
      const steps = await load.done;

      const byStatus = new Map<number, number>();
      for (const { outcome } of steps)
        byStatus.set(outcome.response.status, (byStatus.get(outcome.response.status) ?? 0) + 1);
      t.diagnostic(`${steps.length} requests by status: ${[...byStatus].map(([s, n]) => `${s}: ${n}`).join(', ')}`);
      for (const { outcome } of steps) {
        const { status, json } = outcome.response;
        if (status === 200) continue;
        assert.ok(
          UPSTREAM_CODES[status]?.includes(json.error.code),
          `${status} ${json.error.code} (3scale ${outcome.state}): ${json.error.message}`,
        );
      }
      assert.ok(
        (byStatus.get(200) ?? 0) > 0 && steps.length > (byStatus.get(200) ?? 0),
        'both successes and upstream errors happened',
      );

      // 3scale is healthy again: everything works, with no restart.
      for (let user = 0; user < USERS; user += 1) {
        const token = tokens[user] as string;
        assert.equal((await api.call('GET', '/api/services', { token })).status, 200);
        let accountId = '';
        for (const service of SERVICES) {
          const first = await api.call('POST', '/api/services/init', { token, body: { service_name: service } });
          const again = await api.call('POST', '/api/services/init', { token, body: { service_name: service } });
          assert.equal(first.status, 200, `flap${user}, ${service}: ${first.text}`);
          assert.equal(again.json.data.api_key, first.json.data.api_key, 'the same key every time');
          for (const { outcome } of steps) {
            const data = outcome.response.status === 200 ? outcome.response.json.data : null;
            if (
              data?.api_key !== undefined &&
              data.account_id === first.json.data.account_id &&
              data.service.id === first.json.data.service.id
            ) {
              assert.equal(data.api_key, first.json.data.api_key, 'every answer during the flapping gave the same key');
            }
          }
          accountId = first.json.data.account_id;
          const apps = fake.state
            .applicationsOf(Number(accountId))
            .filter((a) => String(a.serviceId) === first.json.data.service.id);
          assert.equal(apps.length, 1, `flap${user}, ${service}: one application`);
        }
        const accounts = fake.state
          .listAccounts()
          .filter((a) => fake.state.usersOf(a.id).some((u) => u.username === `flap${user}`));
        assert.equal(accounts.length, 1, `flap${user}: one account`);
      }
    } finally {
      await h.close();
      await fake.close();
    }
  });
});
