/**
 * The issuer's keys unavailable, then rotated, under load — as the README documents it: tokens signed with
 * cached keys keep working while the issuer is unreachable; a token with a key id the helper has not seen
 * is refused (401, never a 5xx) until the issuer answers again; then the helper fetches the new key set by
 * itself — no restart — after which new tokens work and tokens of the dropped key are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiClient, type ApiResponse } from '../support/api-client.js';
import { startHarness } from '../support/helper-harness.js';
import { eventually, sleep, startLoad } from '../support/load.js';

const WORKERS = 8;

describe('issuer keys unavailable, then rotated, under load', () => {
  it('keeps cached keys through the outage and picks up the rotated keys without a restart', async (t) => {
    const h = await startHarness({
      // Every request verifies its token (no cache of verified tokens), so the key set is what decides.
      TOKEN_CACHE_SIZE: '0',
      JWKS_CACHE_MAX_AGE_SECONDS: '1',
      JWKS_COOLDOWN_SECONDS: '1',
      OIDC_TIMEOUT_MS: '300',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    });
    try {
      const api = await createApiClient(h);
      const claims = (i: number) => ({
        claims: { sub: `sub-jwks${i}`, preferred_username: `jwks${i}` },
        expiresIn: 600,
      });
      const oldTokens = await Promise.all(Array.from({ length: WORKERS }, (_, i) => h.issuer.token(claims(i))));
      let newTokens: string[] = [];
      const phase = { name: 'up' as 'up' | 'down' | 'down, rotated' | 'back' };
      let stopped = false;
      type Step = { response: ApiResponse; phase: string; token: 'old' | 'new' };
      const load = startLoad<Step>({
        workers: WORKERS,
        stop: () => stopped,
        step: async (w, i) => {
          const current = phase.name;
          const useNew = newTokens.length > 0 && i % 2 === 1;
          const token = useNew ? (newTokens[w] as string) : (oldTokens[w] as string);
          const response = await api.call('GET', '/api/services', { token });
          // A request that spans a change of phase is judged by neither.
          const settled = phase.name === current ? current : 'changing';
          await sleep(5);
          return { response, phase: settled, token: useNew ? 'new' : 'old' };
        },
      });
      await sleep(400);
      h.issuer.setDown(true);
      phase.name = 'down';
      await sleep(1_200);
      // The issuer replaces its key while it is unreachable: only the new key is published from now on.
      await h.issuer.rotate({ dropOld: true });
      newTokens = await Promise.all(Array.from({ length: WORKERS }, (_, i) => h.issuer.token(claims(i))));
      phase.name = 'down, rotated';
      await sleep(800);
      h.issuer.setDown(false);
      phase.name = 'back';
      const recovered = await eventually(
        async () => (await api.call('GET', '/api/services', { token: newTokens[0] as string })).status === 200,
        5_000,
        50,
      );
      const oldRefused = await eventually(
        async () => (await api.call('GET', '/api/services', { token: oldTokens[0] as string })).status === 401,
        5_000,
        50,
      );
      await sleep(300);
      stopped = true;
      const steps = (await load.done).map(({ outcome }) => outcome);

      assert.ok(recovered, 'tokens of the new key work once the issuer is back, without a restart');
      assert.ok(oldRefused, 'tokens of the dropped key are refused once the new key set is loaded');
      const count = (phaseName: string, token: 'old' | 'new', status: number) =>
        steps.filter((s) => s.phase === phaseName && s.token === token && s.response.status === status).length;
      t.diagnostic(
        `${steps.length} requests; old key while down: ${count('down', 'old', 200) + count('down, rotated', 'old', 200)} ok; ` +
          `new key while down: ${count('down, rotated', 'new', 401)} refused; after: ${count('back', 'new', 200)} new ok`,
      );
      for (const step of steps) {
        const { status, json } = step.response;
        assert.ok(
          status === 200 || status === 401,
          `${step.phase}, ${step.token} key: ${status} ${JSON.stringify(json)}`,
        );
        if (status === 401) assert.equal(json.error.code, 'INVALID_TOKEN');
        // While the issuer is away, the cached key keeps working for every token signed with it.
        if (step.phase === 'up' || step.phase === 'down' || step.phase === 'down, rotated') {
          if (step.token === 'old') assert.equal(status, 200, `a cached key stopped working (${step.phase})`);
        }
        // A key the helper has never seen cannot be checked while the issuer is away.
        if (step.phase === 'down, rotated' && step.token === 'new') assert.equal(status, 401);
      }
      assert.ok(
        count('down', 'old', 200) > 0 && count('down, rotated', 'new', 401) > 0 && count('back', 'new', 200) > 0,
        'every phase was exercised',
      );
    } finally {
      h.issuer.setDown(false);
      await h.close();
    }
  });
});
