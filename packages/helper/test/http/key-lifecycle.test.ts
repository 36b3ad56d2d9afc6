/**
 * The key lifecycle on the embedded stack: rotate with a grace period, revoke, expire, the key list and the
 * audit history, each checked at the demo gateway where a key is actually used.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/helper-harness.js';

const SERVICE = 'sentiment-analysis';
const DAY_MS = 86_400_000;

describe('key lifecycle (embedded)', () => {
  let h: Harness;
  let clock = Date.parse('2026-06-01T12:00:00Z');
  let token: string;
  let user = 0;
  before(async () => {
    h = await startHarness({ KEY_TTL_DAYS: '30' }, { now: () => new Date(clock) });
  });
  after(() => h.close());
  beforeEach(async () => {
    user += 1;
    const name = `lifecycle-${user}`;
    token = await h.issuer.token({
      claims: { soeid: name, preferred_username: name, sub: name, email: `${name}@example.org` },
    });
  });

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    h.helper.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'user-agent': 'mlaas-cli/9.9.9' },
      ...(payload ? { payload } : {}),
    });
  const init = async (serviceId = SERVICE) =>
    (await api('POST', '/api/services/init', { service_id: serviceId })).json();
  const gateway = async (key: string) =>
    (await h.helper.app.inject({ method: 'POST', url: `/gateway/${SERVICE}`, headers: { 'x-api-key': key } }))
      .statusCode;

  it('rotates: a new key at once, the old key accepted until the grace ends, then refused', async () => {
    const old = (await init()).data.api_key as string;
    const response = await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 3600 });
    assert.equal(response.statusCode, 200);
    const data = response.json().data;
    assert.notEqual(data.api_key, old);
    assert.equal(data.rotated, true);
    assert.equal(data.previous.valid_until, new Date(clock + 3_600_000).toISOString());
    assert.equal(await gateway(data.api_key), 200);
    assert.equal(await gateway(old), 200);
    const keys = (await api('GET', '/api/keys')).json().data.keys;
    assert.deepEqual(
      keys.map((k: { state: string }) => k.state),
      ['active', 'grace'],
    );
    clock += 3_600_000;
    assert.equal(await gateway(old), 403);
    assert.equal(await gateway(data.api_key), 200);
  });

  it('grace 0 stops the old key at once', async () => {
    const old = (await init()).data.api_key as string;
    const data = (await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 0 })).json().data;
    assert.equal(await gateway(old), 403);
    assert.equal(await gateway(data.api_key), 200);
  });

  it('rotating during a grace period ends the key in grace and puts the current key in grace', async () => {
    const first = (await init()).data.api_key as string;
    const second = (await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 600 })).json().data;
    const third = (await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 600 })).json().data;
    assert.equal(await gateway(first), 403);
    assert.equal(await gateway(second.api_key), 200);
    assert.equal(await gateway(third.api_key), 200);
    const states = (await api('GET', '/api/keys')).json().data.keys.map((k: { state: string }) => k.state);
    assert.deepEqual(states, ['active', 'grace']);
  });

  it('refuses a grace outside the allowed range, naming it', async () => {
    await init();
    const response = await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 10_000_000 });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.code, 'VALIDATION_ERROR');
    assert.match(response.json().error.message, /between 0 and 604800/);
  });

  it('answers SERVICE_NOT_FOUND, KEY_NOT_FOUND and NOT_ROTATABLE', async () => {
    const unknown = await api('POST', '/api/services/no-such-service/key/rotate', {});
    assert.equal(unknown.json().error.code, 'SERVICE_NOT_FOUND');
    const none = await api('POST', `/api/services/${SERVICE}/key/rotate`, {});
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().error.code, 'KEY_NOT_FOUND');
    const noneToRevoke = await api('DELETE', `/api/services/${SERVICE}/key`);
    assert.equal(noneToRevoke.json().error.code, 'KEY_NOT_FOUND');
    const services = (await api('GET', '/api/services')).json().data.services as {
      id: string;
      authentication_method: string;
    }[];
    const oidc = services.find((s) => s.authentication_method === 'oidc');
    if (oidc !== undefined) {
      await init(oidc.id);
      const refused = await api('POST', `/api/services/${oidc.id}/key/rotate`, {});
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error.code, 'NOT_ROTATABLE');
    }
  });

  it('revokes every key on the service at once; init then issues a fresh key', async () => {
    const first = (await init()).data.api_key as string;
    const second = (await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 600 })).json().data;
    const response = await api('DELETE', `/api/services/${SERVICE}/key`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().data.revoked.length, 2);
    assert.equal(await gateway(first), 403);
    assert.equal(await gateway(second.api_key), 403);
    const states = (await api('GET', '/api/keys')).json().data.keys.map((k: { state: string }) => k.state);
    assert.deepEqual(states, ['revoked']);
    const fresh = (await init()).data;
    assert.equal(fresh.is_new, true);
    assert.notEqual(fresh.api_key, second.api_key);
    assert.equal(await gateway(fresh.api_key), 200);
  });

  it('once a revocation has returned, none of 300 requests with the old keys passes the gateway', async () => {
    const first = (await init()).data.api_key as string;
    const second = (await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 600 })).json().data;
    assert.equal((await api('DELETE', `/api/services/${SERVICE}/key`)).statusCode, 200);
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => gateway(i % 2 === 0 ? second.api_key : first)),
    );
    assert.equal(statuses.filter((status) => status === 200).length, 0);
    assert.deepEqual(new Set(statuses), new Set([403]));
  });

  it('expires keys after KEY_TTL_DAYS; init then issues a new key with is_new true', async () => {
    const granted = (await init()).data;
    assert.equal(granted.expires_at, new Date(clock + 30 * DAY_MS).toISOString());
    const listed = (await api('GET', '/api/services'))
      .json()
      .data.services.find((s: { id: string }) => s.id === SERVICE);
    assert.equal(listed.api_key_expires_at, granted.expires_at);
    clock += 30 * DAY_MS;
    assert.equal(await gateway(granted.api_key), 403);
    assert.equal((await api('GET', '/api/keys')).json().data.keys[0].state, 'expired');
    const renewed = (await init()).data;
    assert.equal(renewed.is_new, true);
    assert.notEqual(renewed.api_key, granted.api_key);
    assert.equal(await gateway(renewed.api_key), 200);
    assert.equal(await gateway(granted.api_key), 403);
  });

  it('keeps a history of key events with who, from where and the outcome, newest first and paged', async () => {
    await init();
    await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 0 });
    // Refused by the request schema before anything happens to a key: not a key event.
    const refused = await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 99_999_999 });
    assert.equal(refused.statusCode, 400);
    await api('DELETE', `/api/services/${SERVICE}/key`);
    const page = (await api('GET', '/api/audit?limit=2')).json().data;
    assert.deepEqual(
      page.events.map((e: { event: string; outcome: string }) => `${e.event}:${e.outcome}`),
      ['revoked:success', 'rotated:success'],
    );
    const [latest] = page.events;
    assert.equal(latest.user_id, `lifecycle-${user}`);
    assert.equal(latest.client, 'mlaas-cli/9.9.9');
    assert.equal(typeof latest.request_id, 'string');
    assert.equal(typeof latest.client_address, 'string');
    const older = (await api('GET', `/api/audit?limit=2&before=${page.next_before}`)).json().data;
    assert.deepEqual(
      older.events.map((e: { event: string }) => e.event),
      ['issued'],
    );
    const logged = h.logs.filter((line) => line.includes('"audit"') && line.includes(`lifecycle-${user}`));
    assert.equal(logged.length, 3);
    for (const line of logged) assert.doesNotMatch(line, /"api_key"/);
  });

  it("the helper's reconcile run records a grace end once and counts it by outcome and kind", async () => {
    await h.helper.reconcile(); // whatever earlier tests left due
    await init();
    await api('POST', `/api/services/${SERVICE}/key/rotate`, { grace_seconds: 60 });
    clock += 61_000;
    const report = await h.helper.reconcile();
    assert.deepEqual([report.due, report.done, report.failed], [1, 1, 0]);
    assert.equal((await h.helper.reconcile()).due, 0);
    const metrics = (await h.helper.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /mlaas_reconcile_deadlines_total\{outcome="done",kind="grace_ended"\} [1-9]/);
    const events = (await api('GET', '/api/audit?limit=1')).json().data.events;
    assert.equal(events[0].event, 'grace_ended');
  });
});
