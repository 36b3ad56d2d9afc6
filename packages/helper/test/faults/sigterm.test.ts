/**
 * SIGTERM under load: every request the helper had accepted completes normally; a request that reaches it
 * after the signal on a kept-alive connection gets a clean 503 envelope that closes the connection; new
 * connections are refused; nothing is cut off mid-response; and the process exits 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFake3scale } from '@mlaas/fake-3scale';
import { startHelperProcess } from '../support/helper-process.js';
import { request, sleep, startLoad, type HttpOutcome } from '../support/load.js';
import { startTestIssuer } from '../support/test-issuer.js';

/** Upstream latency, so each request is in the helper for a while (several 3scale calls each). */
const UPSTREAM_LATENCY_MS = 120;
/** A request sent this long before the signal has certainly reached the helper over loopback. */
const SURELY_ARRIVED_MS = 100;
const SERVICES = ['LLM Chat Completions', 'Image Classification', 'Speech to Text'];

describe('SIGTERM under load', () => {
  it('finishes every accepted request, answers late ones with a clean 503, refuses new connections, exits 0', async (t) => {
    const fake = createFake3scale();
    await fake.listen();
    const issuer = await startTestIssuer();
    const helper = await startHelperProcess({
      OIDC_ISSUER: issuer.url,
      KEYCLOAK_CLIENT_ID: issuer.clientId,
      APIM_BACKEND: 'threescale',
      THREESCALE_ADMIN_API_URL: fake.url,
      THREESCALE_ADMIN_API_KEY: fake.accessToken,
      ACCOUNT_CACHE_TTL_SECONDS: '0',
      SHUTDOWN_TIMEOUT_MS: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
    });
    try {
      const tokens = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          issuer.token({
            claims: { sub: `sub-term${i}`, preferred_username: `term${i}`, email: `term${i}@example.test` },
          }),
        ),
      );
      // Warm the issuer keys and the catalog, then make every request take a while upstream.
      await Promise.all(
        tokens.map((token) => request(`${helper.url}/api/services`, { headers: { authorization: `Bearer ${token}` } })),
      );
      fake.setLatency('*', UPSTREAM_LATENCY_MS);

      let exitedAt: number | null = null;
      let signalledAt = Number.POSITIVE_INFINITY;
      const load = startLoad<HttpOutcome>({
        workers: tokens.length,
        stop: () => exitedAt !== null,
        maxStepsPerWorker: 200,
        step: (w, i) => {
          const headers = { authorization: `Bearer ${tokens[w] as string}`, 'content-type': 'application/json' };
          return i % 4 === 3
            ? request(`${helper.url}/api/services/init`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ service_name: SERVICES[w % SERVICES.length] }),
              })
            : request(`${helper.url}/api/services`, { headers });
        },
      });
      await sleep(1_000);
      signalledAt = load.elapsed();
      const exited = helper.stop('SIGTERM').then((code) => {
        exitedAt = load.elapsed();
        return code;
      });
      const outcomes = await load.done;
      assert.equal(await exited, 0, 'the helper exits 0');

      const inFlight = outcomes.filter((o) => o.startedAt < signalledAt - SURELY_ARRIVED_MS && o.endedAt > signalledAt);
      const kinds = new Map<string, number>();
      for (const { outcome } of outcomes) {
        const kind = outcome.kind === 'response' ? String(outcome.status) : outcome.kind;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      t.diagnostic(
        `${outcomes.length} requests (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(', ')}); ${inFlight.length} in flight at SIGTERM`,
      );
      assert.ok(inFlight.length > 0, 'requests were in flight when the signal came');
      for (const { outcome } of inFlight) {
        assert.equal(
          outcome.kind === 'response' && outcome.status,
          200,
          `an accepted request completes: ${JSON.stringify(outcome)}`,
        );
      }
      for (const { outcome, startedAt } of outcomes) {
        if (outcome.kind === 'broken-response') assert.fail(`an answer was cut off mid-body: ${outcome.reason}`);
        if (outcome.kind === 'no-response') {
          assert.ok(
            startedAt >= signalledAt - SURELY_ARRIVED_MS,
            `a request accepted before the signal was dropped: ${outcome.reason}`,
          );
          continue;
        }
        if (outcome.status === 200) continue;
        // Late arrivals on a kept-alive connection: the API's own envelope, and the connection is closed.
        assert.equal(outcome.status, 503, outcome.body);
        assert.equal((outcome.json as { error: { code: string } }).error.code, 'NOT_READY');
        assert.equal(outcome.headers.get('connection'), 'close');
        assert.equal(outcome.headers.get('x-content-type-options'), 'nosniff');
        assert.ok(Number(outcome.headers.get('retry-after')) >= 1);
      }
      const after = await request(`${helper.url}/api/health`);
      assert.equal(after.kind, 'no-response', 'new connections are refused');
      assert.match(helper.output(), /shutting down/);
    } finally {
      await helper.stop('SIGKILL');
      await fake.close();
      await issuer.close();
    }
  });
});
