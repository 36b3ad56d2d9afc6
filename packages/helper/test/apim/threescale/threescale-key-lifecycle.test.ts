/**
 * The key lifecycle on 3scale (the fake, as porta behaves): rotate with and without grace for user-key and
 * app-id services, revoke, expiry, the deadlines the reconcile loop completes, and a failure between the
 * steps of a rotation leaving a working key. A key "works" when 3scale holds it on a live application of
 * its service, which is what the gateway checks.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ENDPOINT_KEYS, defaultSeed } from '@mlaas/fake-3scale';
import { keyHash, keyStamp } from '../../../src/apim/threescale/lifecycle-fields.js';
import { keyWorks, startThreescaleHarness, type ThreescaleHarness } from '../../support/threescale-harness.js';

const DAY_MS = 86_400_000;

describe('key lifecycle on 3scale', () => {
  let h: ThreescaleHarness;
  let clock = Date.now();
  let token: string;
  let user = 0;
  const services: Record<string, string> = {};

  before(async () => {
    h = await startThreescaleHarness({
      env: { KEY_TTL_DAYS: '30', RECONCILE_INTERVAL_SECONDS: '0', RECONCILE_CALLS_PER_MINUTE: '600000' },
      now: () => new Date(clock),
    });
    token = await h.token('alice');
    const listed = await api('GET', '/api/services');
    for (const service of listed.json().data.services as { id: string; authentication_method: string; name: string }[])
      services[service.name] = service.id;
  });
  after(async () => {
    h.assertSpecConformance();
    await h.close();
  });
  beforeEach(async () => {
    for (const endpoint of ENDPOINT_KEYS) h.fake.setFault(endpoint, null);
    user += 1;
    token = await h.token(`life-${user}`);
  });

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    h.helper.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
  const userKeyService = () => services['LLM Chat Completions'] as string;
  const appIdService = () => services['Image Classification'] as string;
  const init = async (serviceId: string) => (await api('POST', '/api/services/init', { service_id: serviceId })).json();
  const rotate = async (serviceId: string, grace: number) =>
    api('POST', `/api/services/${serviceId}/key/rotate`, { grace_seconds: grace });
  const works = (serviceId: string, key: string) => keyWorks(h.fake, serviceId, key);
  /** States of the person's keys on a service (3scale's signup also subscribes them to other services). */
  const keyStates = async (serviceId: string) =>
    ((await api('GET', '/api/keys')).json().data.keys as { state: string; service_id: string }[])
      .filter((k) => k.service_id === serviceId)
      .map((k) => k.state)
      .sort();

  for (const [mode, service] of [
    ['user key', userKeyService],
    ['app id + app key', appIdService],
  ] as const) {
    describe(mode, () => {
      it('rotates with a grace: both keys work, the old one until the sweep after its grace', async () => {
        const old = (await init(service())).data.api_key as string;
        const response = await rotate(service(), 3600);
        assert.equal(response.statusCode, 200, response.body);
        const data = response.json().data;
        assert.equal(data.rotated, true);
        assert.notEqual(data.api_key, old);
        assert.ok(works(service(), old));
        assert.ok(works(service(), data.api_key));
        assert.deepEqual(await keyStates(service()), ['active', 'grace']);
        // The next key request answers with the new key (the pair is not a duplicate).
        const again = await init(service());
        assert.equal(again.data.api_key, data.api_key);
        assert.equal(again.data.is_new, false);
        clock += 3_600_000;
        const report = await h.helper.reconcile();
        assert.ok(report.done >= 1);
        assert.equal(works(service(), old), false);
        assert.ok(works(service(), data.api_key));
        assert.deepEqual(await keyStates(service()), ['active']);
      });

      it('grace 0 stops the old key at once', async () => {
        const old = (await init(service())).data.api_key as string;
        const data = (await rotate(service(), 0)).json().data;
        assert.equal(works(service(), old), false);
        assert.ok(works(service(), data.api_key));
        assert.equal((await init(service())).data.api_key, data.api_key);
      });

      it('rotating during a grace ends the key in grace; the replaced key is in grace', async () => {
        const first = (await init(service())).data.api_key as string;
        const second = (await rotate(service(), 600)).json().data.api_key as string;
        const third = (await rotate(service(), 600)).json().data.api_key as string;
        assert.equal(works(service(), first), false);
        assert.ok(works(service(), second));
        assert.ok(works(service(), third));
        assert.deepEqual(await keyStates(service()), ['active', 'grace']);
      });

      it('concurrent rotations of one key make one new key', async () => {
        const old = (await init(service())).data.api_key as string;
        const results = await Promise.all([rotate(service(), 600), rotate(service(), 600), rotate(service(), 600)]);
        const keys = new Set(results.map((r) => r.json().data.api_key as string));
        assert.equal(keys.size, 1);
        assert.equal(results.filter((r) => r.json().data.rotated === true).length, 1);
        assert.ok(works(service(), old));
        assert.deepEqual(await keyStates(service()), ['active', 'grace']);
      });

      it('revoke stops every key at once, and the next init issues a fresh key', async () => {
        const old = (await init(service())).data.api_key as string;
        const rotated = (await rotate(service(), 600)).json().data.api_key as string;
        const response = await api('DELETE', `/api/services/${service()}/key`);
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(works(service(), old), false);
        assert.equal(works(service(), rotated), false);
        const fresh = await init(service());
        assert.equal(fresh.data.is_new, true);
        assert.ok(works(service(), fresh.data.api_key));
      });

      it('expiry: the sweep stops an expired key, and init issues a new one', async () => {
        // The application signup made has no expiry; a key MLaaS makes does.
        await init(service());
        await api('DELETE', `/api/services/${service()}/key`);
        const first = await init(service());
        assert.ok(first.data.expires_at, 'the key has an expiry');
        clock += 31 * DAY_MS;
        assert.deepEqual(await keyStates(service()), ['expired']);
        await h.helper.reconcile();
        assert.equal(works(service(), first.data.api_key), false);
        assert.deepEqual(await keyStates(service()), ['expired']);
        const renewed = await init(service());
        assert.equal(renewed.data.is_new, true);
        assert.notEqual(renewed.data.api_key, first.data.api_key);
        assert.ok(works(service(), renewed.data.api_key));
        assert.deepEqual(await keyStates(service()), ['active']);
      });
    });
  }

  it('a 3scale failure while adding the new app key leaves the old key current and working', async () => {
    const old = (await init(appIdService())).data.api_key as string;
    h.fake.setFault('keys.create', { kind: 'status', status: 503, times: 1 });
    const response = await rotate(appIdService(), 600);
    assert.notEqual(response.statusCode, 200);
    assert.ok(works(appIdService(), old));
    assert.equal((await init(appIdService())).data.api_key, old);
    assert.deepEqual(await keyStates(appIdService()), ['active']);
  });

  it('a 3scale failure while recording the new app key removes the key added alongside; the old one stays', async () => {
    const old = (await init(appIdService())).data.api_key as string;
    h.fake.setFault('applications.update', { kind: 'status', status: 503, times: 1 });
    const response = await rotate(appIdService(), 600);
    assert.notEqual(response.statusCode, 200);
    assert.ok(works(appIdService(), old));
    const app = h.fake.state.listApplications().find((a) => a.keys.some((k) => k.value === old));
    assert.deepEqual(
      app?.keys.map((k) => k.value),
      [old],
      'no key nobody was given is left behind',
    );
    assert.equal((await init(appIdService())).data.api_key, old);
    assert.deepEqual(await keyStates(appIdService()), ['active']);
  });

  it('a rotation that stopped after recording the new hash is settled by the sweep; the old key works', async () => {
    const old = (await init(appIdService())).data.api_key as string;
    // The state a crash right after the first write leaves: the hash of a key never added, a grace of 0.
    const app = h.fake.state.listApplications().find((a) => a.keys.some((k) => k.value === old));
    assert.ok(app);
    app.extraFields.mlaas_current_key = keyStamp('a-key-that-was-never-added', new Date(clock));
    app.extraFields.mlaas_grace_until = new Date(clock).toISOString();
    assert.equal((await init(appIdService())).data.api_key, old);
    await h.helper.reconcile();
    assert.ok(works(appIdService(), old));
    assert.equal(app.extraFields.mlaas_grace_until, '');
    assert.equal(app.extraFields.mlaas_current_key?.split(' ')[0], keyHash(old));
    assert.equal((await init(appIdService())).data.api_key, old);
    // And the next rotation works from there.
    assert.equal((await rotate(appIdService(), 0)).statusCode, 200);
  });

  it('grace 0 with a failed delete of the old app key: the new key is answered, the sweep stops the old one', async () => {
    const old = (await init(appIdService())).data.api_key as string;
    h.fake.setFault('keys.delete', { kind: 'status', status: 503, times: 1 });
    const response = await rotate(appIdService(), 0);
    assert.equal(response.statusCode, 200, response.body);
    const fresh = response.json().data.api_key as string;
    assert.ok(works(appIdService(), fresh));
    const report = await h.helper.reconcile();
    assert.ok(report.done >= 1);
    assert.equal(works(appIdService(), old), false);
    assert.ok(works(appIdService(), fresh));
  });

  it('a user-key replacement whose create failed after 3scale stored it is used, never duplicated', async () => {
    const old = (await init(userKeyService())).data.api_key as string;
    h.fake.setFault('applications.create', { kind: 'store_then_status', status: 503, times: 1 });
    const response = await rotate(userKeyService(), 600);
    assert.equal(response.statusCode, 200, response.body);
    const fresh = response.json().data.api_key as string;
    assert.ok(works(userKeyService(), old));
    assert.ok(works(userKeyService(), fresh));
    const report = await h.helper.reconcile({ dryRun: true });
    assert.equal(report.planned.filter((p) => p.kind === 'duplicate').length, 0);
  });

  it('a user-key replacement that 3scale refused leaves the old key current; the sweep clears the grace mark', async () => {
    const old = (await init(userKeyService())).data.api_key as string;
    h.fake.setFault('applications.create', { kind: 'status', status: 503, times: 1 });
    const response = await rotate(userKeyService(), 60);
    assert.notEqual(response.statusCode, 200);
    assert.ok(works(userKeyService(), old));
    assert.equal((await init(userKeyService())).data.api_key, old);
    const marked = h.fake.state.listApplications().find((app) => app.userKey === old);
    assert.ok(marked?.extraFields.mlaas_grace_until);
    clock += 60_000;
    await h.helper.reconcile();
    assert.ok(works(userKeyService(), old));
    assert.equal(h.fake.state.listApplications().find((app) => app.userKey === old)?.extraFields.mlaas_grace_until, '');
    assert.deepEqual(await keyStates(userKeyService()), ['active']);
  });

  it('the adapter refuses to rotate a key that changed under it, answering with the current key', async () => {
    for (const service of [userKeyService(), appIdService()]) {
      await init(service);
      const account = (await api('GET', '/api/services')).json().data.account_id as string;
      const [seen] = (await h.helper.apiManager.listApplications(account, { fresh: true })).filter(
        (app) => app.serviceId === service,
      );
      assert.ok(seen);
      const now = new Date(clock);
      const first = await h.helper.apiManager.rotateKey({ application: seen, graceUntil: now, expiresAt: null, now });
      assert.equal(first.rotated, true);
      const second = await h.helper.apiManager.rotateKey({ application: seen, graceUntil: now, expiresAt: null, now });
      assert.equal(second.rotated, false);
      assert.equal(second.application.apiKey, first.application.apiKey);
    }
  });

  it('writes on the fresh read it served when told it is current, once; a reused object is read again', async () => {
    for (const service of [userKeyService(), appIdService()]) {
      await init(service);
      const account = (await api('GET', '/api/services')).json().data.account_id as string;
      const read = { fresh: true, keys: { serviceId: service } } as const;
      const [seen] = (await h.helper.apiManager.listApplications(account, read)).filter(
        (app) => app.serviceId === service,
      );
      assert.ok(seen);
      const now = new Date(clock);
      const before = h.fake.stats();
      const input = { application: seen, graceUntil: now, expiresAt: null, now, current: true };
      const first = await h.helper.apiManager.rotateKey(input);
      assert.equal(first.rotated, true);
      const after = h.fake.stats();
      for (const endpoint of ['applications.list', 'applications.read', 'keys.list'] as const)
        assert.equal(after[endpoint] ?? 0, before[endpoint] ?? 0, `${endpoint}: no read before the write`);
      // The same object again: its read was used up, so the adapter reads, sees the new key, and refuses.
      const second = await h.helper.apiManager.rotateKey(input);
      assert.equal(second.rotated, false);
      assert.equal(second.application.apiKey, first.application.apiKey);
    }
  });

  it('a second MLaaS application of a pair is reported as a duplicate and removed by the sweep', async () => {
    // Past the application signup made: a key MLaaS made itself.
    await init(userKeyService());
    await api('DELETE', `/api/services/${userKeyService()}/key`);
    const kept = (await init(userKeyService())).data.api_key as string;
    const account = h.fake.state.listApplications().find((app) => app.userKey === kept);
    assert.ok(account);
    // A second create that slipped past every lock, as another replica would have made it.
    const copy = h.fake.state.createApplication(account.accountId, {
      planId: String(account.planId),
      userKey: `dup${kept.slice(3)}x`,
      extra: { ...account.extraFields },
    });
    const planned = (await h.helper.reconcile({ dryRun: true })).planned;
    assert.deepEqual(
      planned.filter((p) => p.kind === 'duplicate').map((p) => p.userId),
      [`life-${user}`],
    );
    const report = await h.helper.reconcile();
    assert.ok(report.done >= 1);
    assert.equal(
      h.fake.state.listApplications().some((app) => app.id === copy.id),
      false,
    );
    assert.ok(works(userKeyService(), kept));
  });

  it("rotates an app-id application that already holds 3scale's five keys", async () => {
    const old = (await init(appIdService())).data.api_key as string;
    const app = h.fake.state.listApplications().find((a) => a.keys.some((k) => k.value === old));
    assert.ok(app);
    for (let i = 1; i <= 4; i += 1) h.fake.state.addKey(app.accountId, app.id, `admin-added-key-${i}`);
    assert.equal(app.keys.length, 5);
    const response = await rotate(appIdService(), 600);
    assert.equal(response.statusCode, 200, response.body);
    const fresh = response.json().data.api_key as string;
    assert.deepEqual(app.keys.map((k) => k.value).sort(), [fresh, old].sort());
  });

  it('OIDC client secrets are not rotatable, with a clear message', async () => {
    await init(services['Text Embeddings'] as string);
    const response = await rotate(services['Text Embeddings'] as string, 0);
    assert.equal(response.statusCode, 409);
    assert.match(response.json().error.message, /OpenID Connect/);
  });

  it('keeps the deadlines in application fields 3scale defines and returns', () => {
    const names = h.fake.state
      .listFieldsDefinitions()
      .filter((d) => d.target === 'Cinstance')
      .map((d) => d.name);
    for (const name of ['mlaas_expires_at', 'mlaas_grace_until', 'mlaas_current_key', 'mlaas_replaces'])
      assert.ok(names.includes(name), name);
    const stamped = h.fake.state.listApplications().filter((app) => app.extraFields.mlaas_current_key);
    assert.ok(stamped.length > 0);
    for (const app of stamped) {
      assert.equal(app.extraFields.mlaas_current_key?.includes(app.userKey), false);
    }
  });
});

describe('lifecycle fields with a token that may not define them', () => {
  it('answers CONFIG_ERROR naming the fields and the fix, and creates nothing', async () => {
    const seed = { ...defaultSeed(), access_tokens: [{ value: 'read-only-admin-token', permission: 'ro' as const }] };
    const h = await startThreescaleHarness({ seed, env: { THREESCALE_ADMIN_API_KEY: 'read-only-admin-token' } });
    try {
      const before = h.fake.state.listApplications().length;
      const response = await h.helper.app.inject({
        method: 'POST',
        url: '/api/services/init',
        headers: { authorization: `Bearer ${await h.token('alice')}` },
        payload: { service_name: 'LLM Chat Completions' },
      });
      assert.equal(response.statusCode, 500);
      assert.equal(response.json().error.code, 'CONFIG_ERROR');
      assert.equal(h.fake.state.listApplications().length, before);
      assert.equal(h.fake.state.listFieldsDefinitions().length, 0);
    } finally {
      await h.close();
    }
  });
});
