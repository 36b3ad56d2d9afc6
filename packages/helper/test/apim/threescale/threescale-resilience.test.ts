/**
 * The 3scale adapter when 3scale misbehaves: each fault maps to the documented code, reads are retried and
 * writes never are, a create that 3scale stored before timing out yields exactly one application, and the
 * catalog cache turns 100 concurrent cold requests into one upstream call and papers over outages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startThreescaleHarness, type ThreescaleHarness } from '../../support/threescale-harness.js';

async function list(h: ThreescaleHarness, token: string) {
  const response = await h.helper.app.inject({
    method: 'GET',
    url: '/api/services',
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, json: response.json(), headers: response.headers };
}

async function init(h: ThreescaleHarness, token: string, body: object) {
  const response = await h.helper.app.inject({
    method: 'POST',
    url: '/api/services/init',
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });
  return { status: response.statusCode, json: response.json() };
}

/** Waits for `condition`, failing with `what` after 10 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) assert.fail(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withHarness(env: Record<string, string>, run: (h: ThreescaleHarness) => Promise<void>) {
  const h = await startThreescaleHarness({ env: { THREESCALE_TIMEOUT_MS: '400', ...env } });
  try {
    await run(h);
  } finally {
    await h.close();
  }
}

describe('3scale faults', () => {
  const cases: [string, object, number, string][] = [
    ['a refused connection', { kind: 'down' }, 503, 'UPSTREAM_UNAVAILABLE'],
    ['a reset mid-answer', { kind: 'reset' }, 503, 'UPSTREAM_UNAVAILABLE'],
    ['HTTP 503', { kind: 'status', status: 503 }, 503, 'UPSTREAM_UNAVAILABLE'],
    ['HTTP 500', { kind: 'status', status: 500 }, 502, 'UPSTREAM_ERROR'],
    ['a malformed body', { kind: 'malformed' }, 502, 'UPSTREAM_ERROR'],
    ['no answer', { kind: 'hang' }, 504, 'UPSTREAM_TIMEOUT'],
    ['429 with a long Retry-After', { kind: 'rate_limited', retryAfter: 120 }, 503, 'UPSTREAM_UNAVAILABLE'],
  ];
  for (const [name, fault, status, code] of cases) {
    it(`maps ${name} to ${status} ${code}`, async () => {
      await withHarness({}, async (h) => {
        h.fake.setFault('services.list', fault as never);
        const result = await list(h, await h.token('alice'));
        assert.equal(result.status, status, JSON.stringify(result.json));
        assert.equal(result.json.error.code, code);
        assert.doesNotMatch(JSON.stringify(result.json), new RegExp(h.fake.accessToken));
      });
    });
  }

  it('retries a read after a transient failure and succeeds', async () => {
    await withHarness({}, async (h) => {
      h.fake.setFault('services.list', { kind: 'status', status: 503, times: 1 });
      const result = await list(h, await h.token('alice'));
      assert.equal(result.status, 200);
      assert.equal(h.fake.stats()['services.list'], 2);
    });
  });

  it('honours a short Retry-After on 429 and succeeds', async () => {
    await withHarness({}, async (h) => {
      h.fake.setFault('services.list', { kind: 'rate_limited', retryAfter: 1, times: 1 });
      const result = await list(h, await h.token('alice'));
      assert.equal(result.status, 200);
      assert.equal(h.fake.stats()['services.list'], 2);
    });
  });

  it('gives up after the configured retries', async () => {
    await withHarness({ THREESCALE_RETRIES: '2' }, async (h) => {
      h.fake.setFault('services.list', { kind: 'status', status: 503 });
      assert.equal((await list(h, await h.token('alice'))).status, 503);
      assert.equal(h.fake.stats()['services.list'], 3);
    });
  });

  it('never retries a create', async () => {
    await withHarness({}, async (h) => {
      h.fake.setFault('applications.create', { kind: 'status', status: 503 });
      const result = await init(h, await h.token('alice'), { service_name: 'LLM Chat Completions' });
      assert.equal(result.status, 503);
      assert.equal(h.fake.stats()['applications.create'], 1);
    });
  });

  it('finds the application 3scale stored before a create timed out: exactly one exists', async () => {
    await withHarness({}, async (h) => {
      h.fake.setFault('applications.create', { kind: 'store_then_timeout', times: 1 });
      const token = await h.token('alice');
      const result = await init(h, token, { service_name: 'LLM Chat Completions' });
      assert.equal(result.status, 200, JSON.stringify(result.json));
      const again = await init(h, token, { service_name: 'LLM Chat Completions' });
      assert.equal(again.json.data.api_key, result.json.data.api_key);
      const apps = h.fake.state
        .applicationsOf(Number(result.json.data.account_id))
        .filter((a) => String(a.serviceId) === result.json.data.service.id);
      assert.equal(apps.length, 1);
      assert.equal(h.fake.stats()['applications.create'], 1);
    });
  });

  it('answers CONFIG_ERROR when 3scale refuses the admin token, and logs it loudly once', async () => {
    await withHarness({ THREESCALE_ADMIN_API_KEY: 'wrong-token' }, async (h) => {
      const token = await h.token('alice');
      const first = await list(h, token);
      const second = await list(h, token);
      assert.equal(first.status, 500);
      assert.equal(first.json.error.code, 'CONFIG_ERROR');
      assert.equal(second.json.error.code, 'CONFIG_ERROR');
      assert.doesNotMatch(JSON.stringify(first.json), /wrong-token/);
      const loud = h.logs.filter((line) => line.includes('3scale refused the admin access token'));
      assert.equal(loud.length, 1);
      assert.equal(h.logs.join('').includes('wrong-token'), false, 'the token is never logged');
      const ready = await h.helper.app.inject({ method: 'GET', url: '/api/ready' });
      assert.equal(ready.statusCode, 503);
    });
  });

  it('never puts the admin token in a URL', async () => {
    await withHarness({}, async (h) => {
      await init(h, await h.token('alice'), { service_name: 'LLM Chat Completions' });
      const requests = h.fake.requests();
      assert.ok(requests.length > 0);
      for (const request of requests) {
        assert.equal(request.auth, 'basic');
        assert.equal(request.queryKeys.includes('access_token'), false);
      }
    });
  });
});

describe('3scale catalog cache', () => {
  it('makes one upstream services call for 100 concurrent cold list requests', async () => {
    await withHarness({}, async (h) => {
      h.fake.setLatency('services.list', 50);
      const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => h.token(`user${i}`)));
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => list(h, tokens[i % 10] as string)));
      assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
      assert.equal(h.fake.stats()['services.list'], 1);
      assert.equal(h.fake.stats()['proxy.read'], 4, 'one proxy read per service');
    });
  });

  it('makes no catalog calls when warm', async () => {
    await withHarness({}, async (h) => {
      const token = await h.token('alice');
      await list(h, token);
      const before = { ...h.fake.stats() };
      for (let i = 0; i < 5; i++) assert.equal((await list(h, token)).status, 200);
      assert.equal(h.fake.stats()['services.list'], before['services.list']);
      assert.equal(h.fake.stats()['proxy.read'], before['proxy.read']);
    });
  });

  it('keeps listing from a stale catalog while 3scale is down', async () => {
    await withHarness(
      { THREESCALE_CACHE_TTL_SECONDS: '0', THREESCALE_CACHE_STALE_SECONDS: '3600', ACCOUNT_CACHE_TTL_SECONDS: '60' },
      async (h) => {
        const token = await h.token('alice');
        assert.equal((await list(h, token)).status, 200);
        h.fake.setFault('services.list', { kind: 'down' });
        h.fake.setFault('proxy.read', { kind: 'down' });
        const during = await list(h, token);
        assert.equal(during.status, 200);
        assert.equal(during.json.data.services.length, 4);
      },
    );
  });

  it('loads the catalog when the helper starts listening, so the first list makes no catalog call', async () => {
    await withHarness({}, async (h) => {
      assert.equal(h.fake.stats()['services.list'] ?? 0, 0, 'nothing is loaded before the helper listens');
      await h.helper.listen();
      await until(() => (h.fake.stats()['proxy.read'] ?? 0) === 4, 'the catalog is loaded without any request');
      const first = await list(h, await h.token('alice'));
      assert.equal(first.status, 200);
      assert.equal(first.json.data.services.length, 4);
      assert.equal(h.fake.stats()['services.list'], 1);
      assert.equal(h.fake.stats()['proxy.read'], 4);
    });
  });

  it('reloads the catalog every TTL in the background, and logs a failed reload without a secret', async () => {
    await withHarness({ THREESCALE_CACHE_TTL_SECONDS: '1' }, async (h) => {
      await h.helper.listen();
      await until(() => (h.fake.stats()['services.list'] ?? 0) >= 1, 'loaded at start');
      h.fake.setFault('services.list', { kind: 'status', status: 500 });
      await until(
        () => h.logs.some((line) => line.includes('could not load the 3scale catalog')),
        'the failed reload is logged',
      );
      assert.equal(
        h.logs.some((line) => line.includes(h.fake.accessToken)),
        false,
      );
      h.fake.setFault('services.list', null);
      const loads = h.fake.stats()['services.list'] ?? 0;
      await until(() => (h.fake.stats()['services.list'] ?? 0) > loads, 'reloaded once 3scale answers again');
      assert.equal((await list(h, await h.token('alice'))).status, 200);
    });
  });

  it('leaves the catalog to the first list with THREESCALE_CATALOG_PRELOAD=false', async () => {
    await withHarness({ THREESCALE_CATALOG_PRELOAD: 'false' }, async (h) => {
      await h.helper.listen();
      await h.helper.app.inject({ method: 'GET', url: '/api/ready' });
      assert.equal(h.fake.stats()['proxy.read'] ?? 0, 0);
      assert.equal((await list(h, await h.token('alice'))).status, 200);
      assert.equal(h.fake.stats()['proxy.read'], 4);
    });
  });

  it('shows a key created elsewhere once the short account cache expires', async () => {
    await withHarness({ ACCOUNT_CACHE_TTL_SECONDS: '0' }, async (h) => {
      const token = await h.token('alice');
      const before = await list(h, token);
      assert.equal(
        before.json.data.services.every((s: { has_api_key: boolean }) => !s.has_api_key),
        true,
      );
      await init(h, token, { service_name: 'Speech to Text' });
      const after = await list(h, token);
      assert.equal(after.json.data.services.filter((s: { has_api_key: boolean }) => s.has_api_key).length, 1);
    });
  });
});
