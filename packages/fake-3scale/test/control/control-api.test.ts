import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startFake } from '../support/fake.js';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('/__fake/ control API', () => {
  it('sets a fault for the next N calls (count is accepted for times)', async () => {
    const harness = await startFake();
    const response = await post(`${harness.url}/__fake/faults`, {
      endpoint: 'services.list',
      fault: { kind: 'rate_limited', retry_after: 3, count: 1 },
    });
    assert.equal(response.status, 200);
    const first = await harness.call('/admin/api/services.json');
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '3');
    assert.equal((await harness.call('/admin/api/services.json')).status, 200);
  });

  it('shows and clears faults', async () => {
    const harness = await startFake();
    await post(`${harness.url}/__fake/faults`, { endpoint: 'proxy.read', fault: { kind: 'status', status: 500 } });
    const shown = (await (await fetch(`${harness.url}/__fake/faults`)).json()) as { faults: Record<string, unknown> };
    assert.deepEqual(shown.faults, { 'proxy.read': { kind: 'status', status: 500 } });
    await post(`${harness.url}/__fake/faults`, { endpoint: 'proxy.read', fault: null });
    assert.deepEqual(((await (await fetch(`${harness.url}/__fake/faults`)).json()) as { faults: unknown }).faults, {});
  });

  it('sets latency', async () => {
    const harness = await startFake();
    const response = await post(`${harness.url}/__fake/latency`, { endpoint: '*', latency: { min: 5, max: 10 } });
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { latency: unknown }).latency, { '*': { min: 5, max: 10 } });
  });

  it('answers 400 with the problems for a bad request', async () => {
    const harness = await startFake();
    const response = await post(`${harness.url}/__fake/faults`, { endpoint: 'services.list', fault: { kind: 'nope' } });
    assert.equal(response.status, 400);
    assert.match(JSON.stringify(await response.json()), /kind must be one of/);
    assert.equal((await post(`${harness.url}/__fake/faults`, { endpoint: 'everything', fault: null })).status, 400);
  });

  it('resets the tenant to the seed, or keeps it with keep_state', async () => {
    const harness = await startFake();
    await harness.call('/admin/api/signup.json', {
      method: 'POST',
      body: { org_name: 'N', username: 'newbie', email: 'n@example.test' },
    });
    await post(`${harness.url}/__fake/reset`, { keep_state: true });
    assert.ok(harness.fake.state.userByUsername('newbie'));
    await post(`${harness.url}/__fake/reset`, {});
    assert.equal(harness.fake.state.userByUsername('newbie'), undefined);
  });

  it('shows the tenant state', async () => {
    const harness = await startFake();
    const state = (await (await fetch(`${harness.url}/__fake/state`)).json()) as {
      accounts: { users: { username: string }[] }[];
      services: unknown[];
      applications: unknown[];
    };
    assert.deepEqual(
      state.accounts.flatMap((a) => a.users.map((u) => u.username)),
      ['alice', 'bob', 'bob-teammate'],
    );
    assert.equal(state.services.length, 4);
    assert.deepEqual(state.applications, []);
  });

  it('answers 404 for an unknown control path and 405 for a wrong method', async () => {
    const harness = await startFake();
    assert.equal((await fetch(`${harness.url}/__fake/nothing`)).status, 404);
    assert.equal((await fetch(`${harness.url}/__fake/stats`, { method: 'POST' })).status, 405);
  });
});
