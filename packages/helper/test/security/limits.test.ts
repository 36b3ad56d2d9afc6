/**
 * Rate limits as a defence: a user hammering init is stopped with 429 before 3scale sees more than the
 * configured number of key requests, fresh tokens do not buy a fresh budget, and no user — nor a client
 * forging X-Forwarded-For — can spend another's budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiClient } from '../support/api-client.js';
import { startHarness } from '../support/helper-harness.js';
import { startThreescaleHarness, type ThreescaleHarness } from '../support/threescale-harness.js';

const SERVICES = ['LLM Chat Completions', 'Image Classification', 'Text Embeddings', 'Speech to Text'];
const INIT_LIMIT = 5;
const USER_LIMIT = 12;

/** Calls 3scale received so far, all endpoints together. */
function upstreamCalls(h: ThreescaleHarness): number {
  return Object.values(h.fake.stats()).reduce((sum, n) => sum + n, 0);
}

/** Calls of the endpoints that write to 3scale. */
function upstreamWrites(h: ThreescaleHarness): number {
  const stats = h.fake.stats();
  return (stats.signup ?? 0) + (stats['applications.create'] ?? 0);
}

describe('rate limits against abuse', () => {
  it('stops a user hammering init with 429 before 3scale sees more than the configured number of key requests', async () => {
    const h = await startThreescaleHarness({
      env: {
        RATE_LIMIT_INIT_PER_MINUTE: String(INIT_LIMIT),
        RATE_LIMIT_USER_PER_MINUTE: '1000',
        RATE_LIMIT_IP_PER_MINUTE: '0',
      },
    });
    try {
      const api = await createApiClient(h);
      const init = (token: string, name: string) =>
        api.call('POST', '/api/services/init', { token, body: { service_name: name } });
      // Warm the catalog, then measure what one first-time key request costs upstream (signup included).
      await api.call('GET', '/api/services', { token: await h.token('warm-up') });
      const before = upstreamCalls(h);
      assert.equal((await init(await h.token('calibration'), SERVICES[0] as string)).status, 200);
      const perInit = upstreamCalls(h) - before;
      assert.ok(perInit > 0);

      const attacker = await h.token('attacker');
      const callsBefore = upstreamCalls(h);
      const writesBefore = upstreamWrites(h);
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) => init(attacker, SERVICES[i % SERVICES.length] as string)),
      );
      const served = answers.filter((a) => a.status !== 429);
      const limited = answers.filter((a) => a.status === 429);
      assert.equal(served.length, INIT_LIMIT, 'exactly the configured number of key requests went through');
      assert.ok(served.every((a) => a.status === 200));
      assert.ok(limited.every((a) => a.json.error.code === 'RATE_LIMITED' && Number(a.headers['retry-after']) >= 1));
      assert.ok(
        upstreamCalls(h) - callsBefore <= INIT_LIMIT * perInit,
        `3scale saw ${upstreamCalls(h) - callsBefore} calls, at most ${INIT_LIMIT * perInit} allowed`,
      );
      assert.ok(upstreamWrites(h) - writesBefore <= INIT_LIMIT, 'at most one write per allowed request');

      // New tokens for the same subject do not reset the budget.
      const callsAfter = upstreamCalls(h);
      for (let i = 0; i < 5; i += 1) {
        const fresh = await h.issuer.token({
          claims: { sub: 'sub-attacker', preferred_username: 'attacker', jti: `fresh-${i}` },
        });
        assert.equal((await init(fresh, SERVICES[0] as string)).status, 429);
      }
      assert.equal(upstreamCalls(h), callsAfter, 'a limited request reaches 3scale not at all');
    } finally {
      await h.close();
    }
  });

  it("one user's flood spends neither another user's request budget nor their key budget", async () => {
    const h = await startThreescaleHarness({
      env: {
        RATE_LIMIT_INIT_PER_MINUTE: String(INIT_LIMIT),
        RATE_LIMIT_USER_PER_MINUTE: String(USER_LIMIT),
        RATE_LIMIT_IP_PER_MINUTE: '0',
      },
    });
    try {
      const api = await createApiClient(h);
      const mallory = await h.token('mallory');
      const victim = await h.token('victim');
      const floods = await Promise.all([
        ...Array.from({ length: 40 }, () => api.call('GET', '/api/services', { token: mallory })),
        ...Array.from({ length: 20 }, (_, i) =>
          api.call('POST', '/api/services/init', {
            token: mallory,
            body: { service_name: SERVICES[i % SERVICES.length] },
          }),
        ),
      ]);
      assert.equal(
        floods.filter((a) => a.status !== 429).length,
        USER_LIMIT,
        "mallory's requests stop at her own limit",
      );
      assert.equal((await api.call('GET', '/api/services', { token: mallory })).status, 429);

      // The victim still has every request and every key request of their own.
      const results = [];
      for (let i = 0; i < INIT_LIMIT; i += 1) {
        results.push(
          await api.call('POST', '/api/services/init', {
            token: victim,
            body: { service_name: SERVICES[i % SERVICES.length] },
          }),
        );
      }
      assert.deepEqual(
        results.map((r) => r.status),
        Array(INIT_LIMIT).fill(200),
      );
      assert.equal(
        (await api.call('POST', '/api/services/init', { token: victim, body: { service_name: SERVICES[0] } })).status,
        429,
        'the victim has their own limit',
      );
      for (let i = 0; i < USER_LIMIT - INIT_LIMIT - 1; i += 1) {
        assert.equal((await api.call('GET', '/api/services', { token: victim })).status, 200);
      }
    } finally {
      await h.close();
    }
  });

  it('a forged X-Forwarded-For spends only the sender’s own address budget when the proxy is not trusted', async () => {
    const h = await startHarness({
      RATE_LIMIT_IP_PER_MINUTE: '3',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
    });
    try {
      const from = (remoteAddress: string, headers: Record<string, string> = {}) =>
        h.helper.app.inject({ method: 'GET', url: '/api/services', remoteAddress, headers });
      for (let i = 0; i < 6; i += 1) await from('10.0.0.1', { 'x-forwarded-for': '10.0.0.2', 'x-real-ip': '10.0.0.2' });
      assert.equal((await from('10.0.0.1')).statusCode, 429, 'the sender is limited');
      const innocent = await from('10.0.0.2');
      assert.equal(
        innocent.statusCode,
        401,
        'the address named in the forged header still has its budget (401: no token)',
      );
    } finally {
      await h.close();
    }
  });
});
