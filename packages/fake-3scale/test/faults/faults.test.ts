import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFake3scaleError, seedWithServices } from '../../src/index.js';
import { TOKEN, basicHeader, ids, startFake } from '../support/fake.js';

const harness = await startFake({
  seed: seedWithServices(1200, {
    accounts: [{ org_name: 'A', users: [{ username: 'alice', email: 'a@example.test' }] }],
  }),
});
const { fake } = harness;
const SERVICES = '/admin/api/services.json';
const auth = { authorization: basicHeader(`:${TOKEN}`) };

describe('faults', () => {
  it('down: the connection closes without a response', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'down' });
    await assert.rejects(harness.call(SERVICES));
    assert.equal(fake.requests().at(-1)?.fault, 'down');
    assert.equal(fake.requests().at(-1)?.status, null);
  });

  it('status: a 5xx with an HTML body (503 by default)', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'status' });
    const response = await harness.call(SERVICES);
    assert.equal(response.status, 503);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    fake.setFault('services.list', { kind: 'status', status: 500 });
    assert.equal((await harness.call(SERVICES)).status, 500);
  });

  it('rate_limited: 429 with Retry-After', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'rate_limited', retryAfter: 7 });
    const response = await harness.call(SERVICES);
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
  });

  it('malformed: the real status with a body that is not JSON', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'malformed' });
    const response = await harness.call(SERVICES);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(text.length > 0);
    assert.throws(() => JSON.parse(text));
  });

  it('reset: headers, part of the body, then a connection reset', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'reset' });
    await assert.rejects(async () => {
      const response = await fetch(new URL(SERVICES, harness.url), { headers: auth });
      await response.text();
    });
  });

  it('hang: no answer until the client gives up', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'hang' });
    await assert.rejects(harness.call(SERVICES, { signal: AbortSignal.timeout(200) }), { name: 'AbortError' });
    assert.equal(fake.stats()['services.list'], 1);
  });

  it('hang: reset() ends the hanging response', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'hang' });
    const pending = harness.call(SERVICES);
    while (fake.stats()['services.list'] === 0) await new Promise((r) => setTimeout(r, 5));
    fake.reset();
    await assert.rejects(pending);
  });

  it('ignore_paging: Service List returns every product whatever the page', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'ignore_paging' });
    const response = await harness.json<{ services: unknown[]; metadata?: unknown }>(`${SERVICES}?page=2&per_page=500`);
    assert.equal(response.body.services.length, 1200);
    assert.equal(response.body.metadata, undefined);
  });

  it('store_then_timeout: the application is stored, the response never comes', async () => {
    fake.reset();
    const account = ids(fake).account('alice');
    const plan = ids(fake).plan('generated-0001', 'basic');
    fake.setFault('applications.create', { kind: 'store_then_timeout', times: 1 });
    await assert.rejects(
      harness.call(`/admin/api/accounts/${account}/applications.json`, {
        method: 'POST',
        body: { plan_id: plan },
        signal: AbortSignal.timeout(300),
      }),
    );
    assert.equal(fake.state.applicationsOf(account).length, 1);
    const list = await harness.json<{ applications: unknown[] }>(`/admin/api/accounts/${account}/applications.json`);
    assert.equal(list.body.applications.length, 1);
  });

  it('store_then_status: the application is stored, the client sees a 504', async () => {
    fake.reset();
    const account = ids(fake).account('alice');
    fake.setFault('applications.create', { kind: 'store_then_status' });
    const response = await harness.call(`/admin/api/accounts/${account}/applications.json`, {
      method: 'POST',
      body: { plan_id: ids(fake).plan('generated-0002', 'basic') },
    });
    assert.equal(response.status, 504);
    assert.equal(fake.state.applicationsOf(account).length, 1);
  });

  it('times: applies to the next N calls only', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'status', status: 502, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await harness.call(SERVICES)).status);
    assert.deepEqual(statuses, [502, 502, 200]);
  });

  it('*: applies to every endpoint without a fault of its own', async () => {
    fake.reset();
    fake.setFault('*', { kind: 'status', status: 500 });
    fake.setFault('accounts.find', { kind: 'rate_limited' });
    assert.equal((await harness.call(SERVICES)).status, 500);
    assert.equal((await harness.call('/admin/api/accounts/find.json?username=alice')).status, 429);
    fake.setFault('*', null);
    assert.equal((await harness.call(SERVICES)).status, 200);
  });

  it('null clears a fault', async () => {
    fake.reset();
    fake.setFault('services.list', { kind: 'status' });
    fake.setFault('services.list', null);
    assert.equal((await harness.call(SERVICES)).status, 200);
  });

  it('a bad fault spec is refused with every problem listed', () => {
    assert.throws(
      () => fake.setFault('services.list', { kind: 'explode' as never, times: 0 }),
      (error) => isFake3scaleError(error, 'ERR_FAULT_INVALID') && error.problems.length === 2,
    );
    assert.throws(() => fake.setFault('accounts.find', { kind: 'ignore_paging' }), /services\.list only/);
    assert.throws(() => fake.setFault('nope' as never, { kind: 'down' }), /unknown endpoint/);
  });

  it('can be set at construction', async () => {
    const other = await startFake({ faults: { 'services.list': { kind: 'status', status: 500, times: 1 } } });
    assert.equal((await other.call(SERVICES)).status, 500);
    assert.equal((await other.call(SERVICES)).status, 200);
  });
});
