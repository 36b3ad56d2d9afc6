import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOKEN, basicHeader, startFake } from '../support/fake.js';

const harness = await startFake();

describe('format suffix', () => {
  it('.json answers JSON', async () => {
    const response = await harness.call('/admin/api/services.json');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.ok(Array.isArray(((await response.json()) as { services: unknown[] }).services));
  });

  it('.xml answers XML with the declaration', async () => {
    const response = await harness.call('/admin/api/services.xml');
    assert.equal(response.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.match(await response.text(), /^<\?xml version="1\.0" encoding="UTF-8"\?><services><service><id>\d+<\/id>/);
  });

  it('no suffix means XML', async () => {
    const response = await harness.call('/admin/api/services');
    assert.equal(response.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.match(await response.text(), /^<\?xml/);
  });

  it('an unknown suffix is a 406', async () => {
    const response = await harness.call('/admin/api/services.php');
    assert.equal(response.status, 406);
  });
});

describe('not found', () => {
  it('is {"status":"Not found"} in JSON', async () => {
    const { status, body } = await harness.json('/admin/api/services/999.json');
    assert.equal(status, 404);
    assert.deepEqual(body, { status: 'Not found' });
  });

  it('has an empty body in XML', async () => {
    const response = await harness.call('/admin/api/services/999.xml');
    assert.equal(response.status, 404);
    assert.equal(await response.text(), '');
  });

  it('is the answer for a path the API does not have, token or not', async () => {
    assert.equal((await harness.call('/admin/api/nothing-here.json')).status, 404);
    assert.equal((await harness.call('/admin/api/nothing-here.json', { auth: 'none' })).status, 404);
  });

  it('is the answer for a non-numeric id', async () => {
    assert.equal((await harness.call('/admin/api/services/abc.json')).status, 404);
  });
});

describe('request bodies', () => {
  it('an invalid JSON body is a 400', async () => {
    const response = await fetch(new URL('/admin/api/signup.json', harness.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicHeader(`:${TOKEN}`) },
      body: '{"org_name":',
    });
    assert.equal(response.status, 400);
  });

  it('JSON body parameters are read on a GET, as Rails merges them', async () => {
    const { status, body } = await harness.json('/admin/api/accounts/find.json', {
      body: { username: 'alice' },
      json: true,
    });
    assert.equal(status, 200);
    assert.equal((body as { account: { org_name: string } }).account.org_name, "Alice's ML Lab");
  });
});
