/**
 * @module test/support/threescale-harness
 * A helper on the 3scale adapter against the fake 3scale, with a test issuer — and the checks every 3scale
 * test ends with: each request the adapter sent is a valid operation of 3scale's official description.
 */
import assert from 'node:assert/strict';
import { checkAgainstSpec, createFake3scale, type Fake3scale, type Seed } from '@mlaas/fake-3scale';
import { startHarness, type Harness } from './helper-harness.js';
import type { TestIssuer } from './test-issuer.js';

/** Whether 3scale accepts `key` on the service: a live application of it holds the key (user key or app key). */
export function keyWorks(fake: Fake3scale, serviceId: string, key: string): boolean {
  return fake.state
    .listApplications()
    .some(
      (app) =>
        String(app.serviceId) === serviceId &&
        app.state === 'live' &&
        (app.userKey === key || app.keys.some((k) => k.value === key)),
    );
}

export interface ThreescaleHarness extends Harness {
  fake: Fake3scale;
  token(username: string, email?: string | null): Promise<string>;
  /** Asserts every request the adapter made conforms to the 3scale spec. */
  assertSpecConformance(): void;
}

export async function startThreescaleHarness(
  options: {
    seed?: Seed;
    env?: Record<string, string>;
    fake?: Fake3scale;
    issuer?: TestIssuer;
    now?: () => Date;
  } = {},
): Promise<ThreescaleHarness> {
  const fake = options.fake ?? createFake3scale({ ...(options.seed ? { seed: options.seed } : {}) });
  if (options.fake === undefined) await fake.listen();
  const harness = await startHarness(
    {
      APIM_BACKEND: 'threescale',
      THREESCALE_ADMIN_API_URL: fake.url,
      THREESCALE_ADMIN_API_KEY: fake.accessToken,
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
      // The harness's tokens carry preferred_username (no soeid): it is the primary claim, so account names
      // are the bare usernames the fake's seed holds.
      USER_ID_CLAIMS: 'preferred_username,sub',
      ...options.env,
    },
    { ...(options.issuer ? { issuer: options.issuer } : {}), ...(options.now ? { now: options.now } : {}) },
  );
  return {
    ...harness,
    fake,
    token: (username, email = `${username}@example.test`) =>
      harness.issuer.token({
        claims: { sub: `sub-${username}`, preferred_username: username, email: email ?? undefined },
      }),
    assertSpecConformance() {
      const problems = fake
        .requests()
        .flatMap((request) => checkAgainstSpec(request).map((p) => `${request.method} ${request.path}: ${p}`));
      assert.deepEqual(problems, []);
    },
    async close() {
      await harness.close();
      if (options.fake === undefined) await fake.close();
    },
  };
}
