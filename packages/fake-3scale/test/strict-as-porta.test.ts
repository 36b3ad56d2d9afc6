/**
 * The fake as strict as 3scale itself on signup, access tokens and what a tenant may hold: each case is
 * porta's behaviour (its signup service, account and user state machines, access token scopes and
 * permissions, application key and user_key rules, deleted products).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Seed } from '../src/index.js';
import { startFake } from './support/fake.js';

type Account = { account: { id: number; state: string } };
type Errors = { errors: Record<string, string[]> };
const STRONG = 'a-strong-passphrase-1';
const PERMISSIONS = { error: 'Your access token does not have the correct permissions' };

const seed: Seed = {
  tenant: 'strict',
  services: [
    {
      name: 'Alpha',
      system_name: 'alpha',
      backend_version: '1',
      state: 'published',
      plans: [{ name: 'Basic', system_name: 'basic', default: true }],
    },
    {
      name: 'Beta',
      system_name: 'beta',
      backend_version: '2',
      state: 'published',
      service_plan: 'published',
      plans: [{ name: 'Basic', system_name: 'basic', default: true }],
    },
    {
      name: 'Legacy OAuth',
      system_name: 'legacy-oauth',
      backend_version: 'oauth',
      state: 'published',
      plans: [{ name: 'Basic', system_name: 'basic', default: true }],
    },
    {
      name: 'Gone',
      system_name: 'gone',
      backend_version: '1',
      state: 'deleted',
      plans: [{ name: 'Basic', system_name: 'basic', default: true }],
    },
  ],
  accounts: [
    { org_name: 'Alice Org', users: [{ username: 'alice', email: 'alice@example.test' }] },
    {
      org_name: 'New Org',
      state: 'created',
      users: [{ username: 'newbie', email: 'n@example.test', state: 'pending' }],
    },
    {
      org_name: 'Leaving Org',
      state: 'scheduled_for_deletion',
      users: [{ username: 'leaving', email: 'l@example.test' }],
    },
  ],
  applications: [
    { account: 'alice', service: 'alpha', state: 'deprecated', user_key: 'old-key-1' },
    { account: 'alice', service: 'legacy-oauth', application_id: 'oauth-client', keys: ['oauth-secret'] },
    { account: 'alice', service: 'gone', user_key: 'gone-key-1' },
  ],
  access_tokens: [
    { value: 'read-only-token', permission: 'ro' },
    { value: 'stats-only-token', scopes: ['stats'] },
    { value: 'member-without-partners', owner_role: 'member', member_permissions: ['monitoring'] },
    {
      value: 'member-alpha-only',
      owner_role: 'member',
      member_permissions: ['partners', 'plans'],
      allowed_services: ['alpha'],
    },
  ],
};

const harness = await startFake({ seed });
const signup = (body: Record<string, string>) =>
  harness.json<Account & Errors>('/admin/api/signup.json', { method: 'POST', body });

describe('finding 12: signup as porta does it', () => {
  it('finding 12: leaves the account created and its user pending when no password is sent', async () => {
    const { status, body } = await signup({ org_name: 'No Pass', username: 'nopass', email: 'nopass@example.test' });
    assert.equal(status, 201);
    assert.equal(body.account.state, 'created');
    assert.equal(harness.fake.state.userByUsername('nopass')?.state, 'pending');
  });

  it('finding 12: approves the account and activates the user when a strong password is sent', async () => {
    const { status, body } = await signup({ org_name: 'With Pass', username: 'withpass', password: STRONG });
    assert.equal(status, 201);
    assert.equal(body.account.state, 'approved');
    assert.equal(harness.fake.state.userByUsername('withpass')?.state, 'active');
  });

  it('finding 12: answers 201 without an email', async () => {
    const { status } = await signup({ org_name: 'No Mail', username: 'nomail', password: STRONG });
    assert.equal(status, 201);
    assert.equal(harness.fake.state.userByUsername('nomail')?.email, '');
  });

  it('finding 12: refuses a password shorter than 15 characters, with users: ["invalid"]', async () => {
    const { status, body } = await signup({ org_name: 'Short', username: 'shortpass', password: 'only-14-chars!' });
    assert.equal(status, 422);
    assert.deepEqual(body, {
      errors: { users: ['invalid'], password: ['is too short (minimum is 15 characters)'] },
    });
    assert.equal(harness.fake.state.userByUsername('shortpass'), undefined);
  });

  it('finding 12: refuses an org_name without a letter or digit, in porta words', async () => {
    const { status, body } = await signup({ org_name: '--- ***', username: 'punct', password: STRONG });
    assert.equal(status, 422);
    assert.deepEqual(body, { errors: { org_name: ['must contain at least one alphanumeric character'] } });
  });

  it("finding 12: refuses a username outside porta's rule with its own message", async () => {
    const { status, body } = await signup({ org_name: 'Bad User', username: 'has space', password: STRONG });
    assert.equal(status, 422);
    assert.deepEqual(body, {
      errors: { users: ['invalid'], username: ['use only letters, numbers, and .-_@+ please.'] },
    });
    const long = await signup({ org_name: 'Long User', username: 'u'.repeat(41), password: STRONG });
    assert.deepEqual(long.body, {
      errors: { users: ['invalid'], username: ['is too long (maximum is 40 characters)'] },
    });
  });

  it('finding 12: shows accounts in the created and scheduled_for_deletion states', async () => {
    for (const [username, state] of [
      ['newbie', 'created'],
      ['leaving', 'scheduled_for_deletion'],
    ] as const) {
      const { body } = await harness.json<Account>(`/admin/api/accounts/find.json?username=${username}`);
      assert.equal(body.account.state, state);
    }
  });
});

describe('finding 12: an account plan that requires approval', () => {
  it('finding 12: leaves the account created even with a strong password', async () => {
    const approval = await startFake({ seed: { ...seed, settings: { account_approval_required: true } } });
    const { status, body } = await approval.json<Account>('/admin/api/signup.json', {
      method: 'POST',
      body: { org_name: 'Needs Approval', username: 'approveme', password: STRONG },
    });
    assert.equal(status, 201);
    assert.equal(body.account.state, 'created');
    assert.equal(approval.fake.state.userByUsername('approveme')?.state, 'pending');
  });

  it('finding 12: accepts short passwords when strong passwords are off', async () => {
    const weak = await startFake({ seed: { ...seed, settings: { strong_passwords: false } } });
    const { status, body } = await weak.json<Account>('/admin/api/signup.json', {
      method: 'POST',
      body: { org_name: 'Weak', username: 'weakpass', password: 'short' },
    });
    assert.equal(status, 201);
    assert.equal(body.account.state, 'approved');
  });
});

describe('finding 13: access token scopes and permissions', () => {
  it('finding 13: a read-only token reads but gets 403 with the permissions message on a write', async () => {
    assert.equal((await harness.call('/admin/api/services.json', { token: 'read-only-token' })).status, 200);
    const before = harness.fake.state.listAccounts().length;
    const { status, body } = await harness.json('/admin/api/signup.json', {
      method: 'POST',
      token: 'read-only-token',
      body: { org_name: 'RO', username: 'readonly', password: STRONG },
    });
    assert.equal(status, 403);
    assert.deepEqual(body, PERMISSIONS);
    assert.equal(harness.fake.state.listAccounts().length, before);
  });

  it('finding 13: a token without the Account Management scope gets 403 even on reads', async () => {
    const { status, body } = await harness.json('/admin/api/services.json', { token: 'stats-only-token' });
    assert.equal(status, 403);
    assert.deepEqual(body, PERMISSIONS);
  });

  it("finding 13: a member without the partners section can't use an Account Management token", async () => {
    const { status, body } = await harness.json('/admin/api/services.json', { token: 'member-without-partners' });
    assert.equal(status, 403);
    assert.deepEqual(body, PERMISSIONS);
  });

  it('finding 13: an unknown token is still "Access denied"', async () => {
    const { status, body } = await harness.json('/admin/api/services.json', { token: 'no-such-token' });
    assert.equal(status, 403);
    assert.deepEqual(body, { error: 'Access denied' });
  });

  it("finding 13: a member's token sees only the permitted products and their applications", async () => {
    const token = 'member-alpha-only';
    const { body } = await harness.json<{ services: { service: { system_name: string; id: number } }[] }>(
      '/admin/api/services.json',
      { token },
    );
    assert.deepEqual(
      body.services.map((s) => s.service.system_name),
      ['alpha'],
    );
    const beta = harness.fake.state.listServices().find((s) => s.systemName === 'beta');
    assert.equal((await harness.call(`/admin/api/services/${beta?.id}.json`, { token })).status, 404);
    assert.equal((await harness.call(`/admin/api/services/${beta?.id}/proxy.json`, { token })).status, 404);
    const alice = harness.fake.state.userByUsername('alice')?.accountId;
    const apps = await harness.json<{ applications: { application: { service_id: number } }[] }>(
      `/admin/api/accounts/${alice}/applications.json`,
      { token },
    );
    const alpha = harness.fake.state.listServices().find((s) => s.systemName === 'alpha');
    assert.ok(apps.body.applications.length > 0);
    assert.ok(apps.body.applications.every((a) => a.application.service_id === alpha?.id));
  });
});

describe('finding 14: what a tenant may hold', () => {
  it('finding 14: seeds hold deprecated applications, shown with that state', async () => {
    const found = await harness.json<{ application: { state: string } }>(
      '/admin/api/applications/find.json?user_key=old-key-1',
    );
    assert.equal(found.status, 200);
    assert.equal(found.body.application.state, 'deprecated');
  });

  it('finding 14: legacy oauth products render client_id and client_secret, and hold one secret', async () => {
    const found = await harness.json<{ application: Record<string, unknown> }>(
      '/admin/api/applications/find.json?app_id=oauth-client',
    );
    assert.equal(found.body.application.client_id, 'oauth-client');
    assert.equal(found.body.application.client_secret, 'oauth-secret');
    assert.equal(found.body.application.oidc_configuration, undefined);
    const { account_id: accountId, id } = found.body.application;
    const more = await harness.json<Errors>(`/admin/api/accounts/${accountId}/applications/${id}/keys.json`, {
      method: 'POST',
    });
    assert.deepEqual(more.body, { errors: { base: ['Limit reached'] } });
  });

  it('finding 14: deleted products and their applications are hidden by the API', async () => {
    const { body } = await harness.json<{ services: { service: { system_name: string } }[] }>(
      '/admin/api/services.json',
    );
    assert.ok(!body.services.some((s) => s.service.system_name === 'gone'));
    const gone = harness.fake.state.allServices().find((s) => s.systemName === 'gone');
    assert.equal((await harness.call(`/admin/api/services/${gone?.id}.json`)).status, 404);
    assert.equal((await harness.call('/admin/api/applications/find.json?user_key=gone-key-1')).status, 404);
  });

  it('finding 14: signup subscribes products that only have a published service plan', async () => {
    const { body } = await signup({ org_name: 'Subscriber', username: 'subscriber', password: STRONG });
    const services = harness.fake.state
      .applicationsOf(body.account.id)
      .map((a) => harness.fake.state.getService(a.serviceId).systemName)
      .sort();
    assert.deepEqual(services, ['alpha', 'beta', 'legacy-oauth']);
  });

  it('finding 14: with the service plans screen shown, only products with a default service plan', async () => {
    const visible = await startFake({ seed: { ...seed, settings: { service_plans_ui_visible: true } } });
    const { body } = await visible.json<Account>('/admin/api/signup.json', {
      method: 'POST',
      body: { org_name: 'Visible', username: 'visible', password: STRONG },
    });
    const services = visible.fake.state
      .applicationsOf(body.account.id)
      .map((a) => visible.fake.state.getService(a.serviceId).systemName)
      .sort();
    assert.deepEqual(services, ['alpha', 'legacy-oauth']);
  });

  it('finding 14: application ids are unique per product, not per tenant', async () => {
    const alice = harness.fake.state.userByUsername('alice')?.accountId;
    const plan = (system: string) =>
      harness.fake.state.plansOf(harness.fake.state.listServices().find((s) => s.systemName === system)?.id)[0]?.id;
    const path = `/admin/api/accounts/${alice}/applications.json`;
    const first = await harness.json(path, {
      method: 'POST',
      body: { plan_id: String(plan('beta')), application_id: 'same-id' },
    });
    assert.equal(first.status, 201);
    const other = await harness.json(path, {
      method: 'POST',
      body: { plan_id: String(plan('legacy-oauth')), application_id: 'same-id' },
    });
    assert.equal(other.status, 201);
    const again = await harness.json<Errors>(path, {
      method: 'POST',
      body: { plan_id: String(plan('beta')), application_id: 'same-id' },
    });
    assert.equal(again.status, 422);
    assert.deepEqual(again.body, { errors: { application_id: ['has already been taken'] } });
  });
});
