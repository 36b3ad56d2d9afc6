/**
 * Holders and the changes an offboarding or entitlement run makes on 3scale (the fake): holders in pages
 * by account id, suspending and resuming for a reason MLaaS records (never resuming what an administrator
 * suspended), and change_plan.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ThreescaleApiManager } from '../../../src/apim/threescale/threescale-api-manager.js';
import { startThreescaleHarness, type ThreescaleHarness } from '../../support/threescale-harness.js';

describe('3scale holders, suspend, resume and change_plan', () => {
  let h: ThreescaleHarness;
  let adapter: ThreescaleApiManager;
  before(async () => {
    h = await startThreescaleHarness({ env: { RECONCILE_INTERVAL_SECONDS: '0' } });
    adapter = h.helper.apiManager as ThreescaleApiManager;
  });
  after(async () => {
    h.assertSpecConformance();
    await h.close();
  });

  const init = async (username: string, serviceName: string) => {
    const response = await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers: { authorization: `Bearer ${await h.token(username)}` },
      payload: { service_name: serviceName },
    });
    return { status: response.statusCode, json: response.json() };
  };

  it('lists holders in pages by account id, with user id, email and applications (no key)', async () => {
    await init('holder-one', 'LLM Chat Completions');
    await init('holder-two', 'LLM Chat Completions');
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await adapter.listHolders({ after, limit: 1 });
      assert.ok(page.holders.length <= 1);
      all.push(...page.holders.map((holder) => holder.userId));
      const holder = page.holders.find((one) => one.userId === 'holder-one');
      if (holder !== undefined) {
        assert.equal(holder.email, 'holder-one@example.test');
        assert.ok(holder.applications.length >= 1);
        assert.equal(JSON.stringify(holder).includes('key'), false);
      }
      if (page.next === null) break;
      after = page.next;
    }
    assert.ok(all.includes('holder-one') && all.includes('holder-two'));
    assert.equal(new Set(all).size, all.length);
  });

  it('suspends for offboarding (idempotent), refuses the key, and resumes only what it suspended', async () => {
    const granted = await init('leaver', 'LLM Chat Completions');
    assert.equal(granted.status, 200);
    const accountId = granted.json.data.account_id as string;
    const app = h.fake.state
      .applicationsOf(Number(accountId))
      .find((a) => String(a.serviceId) === granted.json.data.service.id);
    assert.ok(app);
    await adapter.suspendApplication(accountId, String(app.id), 'offboarding');
    await adapter.suspendApplication(accountId, String(app.id), 'offboarding');
    assert.equal(app.state, 'suspended');
    assert.equal(app.extraFields.mlaas_suspended_by, 'offboarding');
    const holder = (await adapter.listHolders({ after: null, limit: 1000 })).holders.find(
      (x) => x.accountId === accountId,
    );
    assert.equal(holder?.applications.find((a) => a.id === String(app.id))?.suspendedBy, 'offboarding');
    assert.equal((await init('leaver', 'LLM Chat Completions')).status, 403);
    assert.equal(await adapter.resumeApplication(accountId, String(app.id), 'offboarding'), true);
    assert.equal(app.state, 'live');
    assert.equal(await adapter.resumeApplication(accountId, String(app.id), 'offboarding'), false);
    // Suspended by an administrator: never resumed by MLaaS.
    h.fake.state.transitionApplication(Number(accountId), app.id, 'suspend');
    await adapter.suspendApplication(accountId, String(app.id), 'offboarding');
    assert.equal(await adapter.resumeApplication(accountId, String(app.id), 'offboarding'), false);
    assert.equal(app.state, 'suspended');
  });

  it('moves an application to another plan of its service, idempotently', async () => {
    const granted = await init('mover', 'LLM Chat Completions');
    const accountId = granted.json.data.account_id as string;
    const app = h.fake.state
      .applicationsOf(Number(accountId))
      .find((a) => String(a.serviceId) === granted.json.data.service.id);
    assert.ok(app);
    const other = h.fake.state.plansOf(app.serviceId).find((plan) => plan.id !== app.planId);
    assert.ok(other);
    await adapter.changePlan(accountId, String(app.id), String(other.id));
    await adapter.changePlan(accountId, String(app.id), String(other.id));
    assert.equal(app.planId, other.id);
    assert.equal(h.fake.stats()['applications.change_plan'], 1);
  });
});
