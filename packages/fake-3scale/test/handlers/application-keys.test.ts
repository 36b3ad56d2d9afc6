import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ids, startFake } from '../support/fake.js';

type App = Record<string, unknown>;
type Keys = { keys: { key: Record<string, unknown> }[] };
const harness = await startFake();
const account = ids(harness.fake).account('alice');
const created = await harness.json<{ application: App }>(`/admin/api/accounts/${account}/applications.json`, {
  method: 'POST',
  body: { plan_id: ids(harness.fake).plan('image-classifier', 'standard') },
});
const keysPath = `/admin/api/accounts/${account}/applications/${created.body.application.id}/keys`;

describe('application keys', () => {
  it('lists keys as {"keys":[{"key":{value, created_at, updated_at, links}}]}', async () => {
    const { status, body } = await harness.json<Keys>(`${keysPath}.json`);
    assert.equal(status, 200);
    assert.equal(body.keys.length, 1);
    assert.deepEqual(Object.keys(body.keys[0]?.key ?? {}), ['value', 'created_at', 'updated_at', 'links']);
  });

  it('creates a key: 201 with the application, not the key', async () => {
    const { status, body } = await harness.json<{ application: App }>(`${keysPath}.json`, {
      method: 'POST',
      body: { key: 'my-own-key-1' },
    });
    assert.equal(status, 201);
    assert.equal(body.application.id, created.body.application.id);
    const list = await harness.json<Keys>(`${keysPath}.json`);
    assert.deepEqual(list.body.keys.map((k) => k.key.value).slice(-1), ['my-own-key-1']);
  });

  it('generates a key when none is given', async () => {
    await harness.json(`${keysPath}.json`, { method: 'POST' });
    const list = await harness.json<Keys>(`${keysPath}.json`);
    assert.match(String(list.body.keys.at(-1)?.key.value), /^[0-9a-f]{32}$/);
  });

  it('refuses a duplicate key with 422', async () => {
    const { status, body } = await harness.json(`${keysPath}.json`, { method: 'POST', body: { key: 'my-own-key-1' } });
    assert.equal(status, 422);
    assert.deepEqual(body, { errors: { value: ['has already been taken'] } });
  });

  it('refuses a sixth key with 422', async () => {
    await harness.json(`${keysPath}.json`, { method: 'POST' });
    await harness.json(`${keysPath}.json`, { method: 'POST' });
    assert.equal((await harness.json<Keys>(`${keysPath}.json`)).body.keys.length, 5);
    const { status, body } = await harness.json(`${keysPath}.json`, { method: 'POST' });
    assert.equal(status, 422);
    assert.deepEqual(body, { errors: { base: ['Limit reached'] } });
  });

  it('deletes a key with an empty 200, and answers 404 for an unknown one', async () => {
    const response = await harness.call(`${keysPath}/my-own-key-1.json`, { method: 'DELETE' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
    assert.equal((await harness.call(`${keysPath}/my-own-key-1.json`, { method: 'DELETE' })).status, 404);
  });

  it('shows keys in XML with updated_at before created_at', async () => {
    const xml = await (await harness.call(`${keysPath}.xml`)).text();
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="UTF-8"\?><keys>(<key><value>[^<]+<\/value><updated_at>[^<]+<\/updated_at><created_at>[^<]+<\/created_at><\/key>)+<\/keys>$/,
    );
  });

  it("finding 14: deletes even the last key of a product that makes keys mandatory: 200, as porta's Admin API does", async () => {
    const list = await harness.json<Keys>(`${keysPath}.json`);
    for (const k of list.body.keys.slice(1)) {
      assert.equal(
        (await harness.call(`${keysPath}/${encodeURIComponent(String(k.key.value))}.json`, { method: 'DELETE' }))
          .status,
        200,
      );
    }
    const last = String(list.body.keys[0]?.key.value);
    const response = await harness.call(`${keysPath}/${last}.json`, { method: 'DELETE' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
    assert.deepEqual((await harness.json<Keys>(`${keysPath}.json`)).body.keys, []);
  });

  it('finding 14: compares key values case-insensitively within an application', async () => {
    assert.equal(
      (await harness.call(`${keysPath}.json`, { method: 'POST', body: { key: 'Mixed-Case-1' } })).status,
      201,
    );
    const again = await harness.json(`${keysPath}.json`, { method: 'POST', body: { key: 'mixed-case-1' } });
    assert.equal(again.status, 422);
    assert.deepEqual(again.body, { errors: { value: ['has already been taken'] } });
  });
});
