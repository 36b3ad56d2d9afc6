/**
 * The 3scale adapter against a fake as strict as 3scale itself: accounts left `created` by a signup that
 * needs approval, user ids 3scale cannot take as usernames, and an admin token that can read but not write.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSeed } from '@mlaas/fake-3scale';
import { startThreescaleHarness, type ThreescaleHarness } from '../../support/threescale-harness.js';

async function call(h: ThreescaleHarness, token: string, method: 'GET' | 'POST', url: string, body?: object) {
  const response = await h.helper.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(body ? { payload: body } : {}),
  });
  return { status: response.statusCode, json: response.json() };
}

const init = (h: ThreescaleHarness, token: string) =>
  call(h, token, 'POST', '/api/services/init', { service_name: 'LLM Chat Completions' });

describe('3scale adapter on porta rules', () => {
  it('finding 15: a signup left created (account plan requires approval) is awaiting approval, clearly', async () => {
    const h = await startThreescaleHarness({
      seed: { ...defaultSeed(), settings: { account_approval_required: true } },
    });
    try {
      const result = await init(h, await h.token('newcomer'));
      assert.equal(result.status, 403, JSON.stringify(result.json));
      assert.equal(result.json.error.code, 'FORBIDDEN');
      assert.match(result.json.error.message, /awaiting approval; ask an administrator to approve it/);
      const account = h.fake.state.listAccounts().find((a) => h.fake.state.usersOf(a.id)[0]?.username === 'newcomer');
      assert.equal(account?.state, 'created');
      assert.equal(h.fake.state.applicationsOf(account?.id).length > 0, true, 'signup subscribed it');
      h.assertSpecConformance();
    } finally {
      await h.close();
    }
  });

  it('finding 15: an account scheduled for deletion gets no key', async () => {
    const seed = defaultSeed();
    seed.accounts = [
      ...(seed.accounts ?? []),
      {
        org_name: 'Leaving',
        state: 'scheduled_for_deletion',
        users: [{ username: 'leaver', email: 'l@example.test' }],
      },
    ];
    const h = await startThreescaleHarness({ seed });
    try {
      const result = await init(h, await h.token('leaver', 'l@example.test'));
      assert.equal(result.status, 403, JSON.stringify(result.json));
      assert.match(result.json.error.message, /suspended/);
    } finally {
      await h.close();
    }
  });

  it("finding 15: a user id outside 3scale's username rule is refused before any signup", async () => {
    const h = await startThreescaleHarness();
    try {
      for (const userId of ['ab', 'bad!name', 'x'.repeat(41), '-leading-dash']) {
        const result = await init(h, await h.token(userId, `${userId.length}-${userId.charCodeAt(0)}@example.test`));
        assert.equal(result.status, 403, `${userId}: ${JSON.stringify(result.json)}`);
        assert.equal(result.json.error.code, 'FORBIDDEN');
        assert.match(result.json.error.message, /3 to 40 letters, digits or \. - _ @ \+/);
      }
      assert.equal(h.fake.stats().signup ?? 0, 0, 'no signup was attempted');
      const ok = await init(h, await h.token('good.name+tag@corp'));
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
    } finally {
      await h.close();
    }
  });

  it('finding 15: a token that can read but not write passes reads, and its first refused write is logged loudly once', async () => {
    const seed = { ...defaultSeed(), access_tokens: [{ value: 'read-only-admin-token', permission: 'ro' as const }] };
    const h = await startThreescaleHarness({ seed, env: { THREESCALE_ADMIN_API_KEY: 'read-only-admin-token' } });
    try {
      const token = await h.token('reader');
      const listed = await call(h, token, 'GET', '/api/services');
      assert.equal(listed.status, 200, JSON.stringify(listed.json));
      const ready = await h.helper.app.inject({ method: 'GET', url: '/api/ready' });
      assert.equal(ready.statusCode, 200, 'readiness only reads');
      const first = await init(h, token);
      const second = await init(h, token);
      assert.equal(first.status, 500);
      assert.equal(first.json.error.code, 'CONFIG_ERROR');
      assert.equal(second.json.error.code, 'CONFIG_ERROR');
      const loud = h.logs.filter((line) => line.includes('it can read but not write'));
      assert.equal(loud.length, 1);
      assert.match(loud[0] ?? '', /read-write permission and the account_management scope/);
      assert.equal(h.logs.join('').includes('read-only-admin-token'), false, 'the token is never logged');
    } finally {
      await h.close();
    }
  });
});
