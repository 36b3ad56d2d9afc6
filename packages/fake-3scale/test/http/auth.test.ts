import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOKEN, basicHeader, startFake } from '../support/fake.js';

const harness = await startFake();
const FIND = '/admin/api/accounts/find.json?username=alice';

describe('admin token', () => {
  for (const auth of ['query', 'form', 'json', 'basic'] as const) {
    it(`is accepted as ${auth === 'basic' ? 'HTTP Basic' : `an access_token ${auth} parameter`}`, async () => {
      const { status } = await harness.json(FIND, { auth });
      assert.equal(status, 200);
    });
  }

  it('is accepted in HTTP Basic as the user name with an empty password', async () => {
    const response = await harness.call(FIND, { auth: 'none', headers: { authorization: basicHeader(`${TOKEN}:`) } });
    assert.equal(response.status, 200);
  });

  it('is taken from the user name when Basic carries both (first non-empty wins)', async () => {
    const response = await harness.call(FIND, {
      auth: 'none',
      headers: { authorization: basicHeader(`someone:${TOKEN}`) },
    });
    assert.equal(response.status, 403);
  });

  it('is not accepted as a Bearer token', async () => {
    const response = await harness.call(FIND, { auth: 'none', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 403);
  });

  it('given as a parameter wins over Basic credentials', async () => {
    const response = await harness.call(`${FIND}&access_token=wrong`, { auth: 'basic' });
    assert.equal(response.status, 403);
  });

  it('missing gives 403 {"error":"Access denied"} in JSON', async () => {
    const response = await harness.call(FIND, { auth: 'none' });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), { error: 'Access denied' });
  });

  it('wrong gives 403 <error>Access denied</error> in XML', async () => {
    const response = await harness.call('/admin/api/accounts/find.xml?username=alice', { token: 'wrong' });
    assert.equal(response.status, 403);
    assert.equal(await response.text(), '<?xml version="1.0" encoding="UTF-8"?><error>Access denied</error>');
  });

  it('is checked on writes too', async () => {
    const response = await harness.call('/admin/api/signup.json', {
      method: 'POST',
      auth: 'form',
      token: 'wrong',
      body: { org_name: 'X', username: 'xavier', email: 'x@example.test' },
    });
    assert.equal(response.status, 403);
    assert.equal(harness.fake.state.userByUsername('xavier'), undefined);
  });
});
