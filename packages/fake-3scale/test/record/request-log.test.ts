import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOKEN, ids, startFake } from '../support/fake.js';

describe('request log', () => {
  it('records method, path, endpoint, format, parameter names and auth kind', async () => {
    const harness = await startFake();
    const account = ids(harness.fake).account('alice');
    await harness.call(`/admin/api/accounts/${account}/applications.json`, {
      method: 'POST',
      auth: 'form',
      body: { plan_id: ids(harness.fake).plan('llm-chat', 'basic'), name: 'x' },
    });
    const [entry] = harness.fake.requests();
    assert.deepEqual(
      { ...entry, at: undefined },
      {
        seq: 1,
        at: undefined,
        method: 'POST',
        path: `/admin/api/accounts/${account}/applications.json`,
        endpoint: 'applications.create',
        format: 'json',
        queryKeys: [],
        bodyKeys: ['plan_id', 'name', 'access_token'],
        bodyType: 'form',
        auth: 'form',
        authorized: true,
        status: 201,
        fault: null,
      },
    );
  });

  it('never contains the token, whichever way it was sent', async () => {
    const harness = await startFake();
    for (const auth of ['query', 'form', 'json', 'basic'] as const) {
      await harness.call('/admin/api/accounts/find.json?username=alice', { auth });
      await harness.call('/admin/api/signup.json', {
        method: 'POST',
        auth,
        body: { org_name: 'O', username: `u-${auth}`, email: `${auth}@example.test` },
      });
    }
    const log = harness.fake.requests();
    assert.deepEqual(
      log.map((r) => r.auth),
      ['query', 'query', 'form', 'form', 'json', 'json', 'basic', 'basic'],
    );
    assert.ok(log.every((r) => r.authorized));
    const served = await (await fetch(`${harness.url}/__fake/requests`)).text();
    for (const text of [JSON.stringify(log), served]) {
      assert.equal(text.includes(TOKEN), false);
      assert.equal(text.includes(Buffer.from(`:${TOKEN}`).toString('base64')), false);
    }
  });

  it('records refused requests and the kind of credential', async () => {
    const harness = await startFake();
    await harness.call('/admin/api/services.json', { auth: 'none', headers: { authorization: `Bearer ${TOKEN}` } });
    await harness.call('/admin/api/services.json', { auth: 'none' });
    assert.deepEqual(
      harness.fake.requests().map((r) => [r.auth, r.authorized, r.status]),
      [
        ['other-scheme', false, 403],
        ['none', false, 403],
      ],
    );
  });
});
