import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ids, startFake } from '../support/fake.js';

const harness = await startFake();
const { fake } = harness;
type AccountBody = { account: Record<string, unknown> };

/** Field order of a JSON account. */
const ACCOUNT_FIELDS = [
  'id',
  'created_at',
  'updated_at',
  'credit_card_stored',
  'monthly_billing_enabled',
  'monthly_charging_enabled',
  'state',
  'annotations',
  'links',
  'org_name',
];

describe('GET /admin/api/accounts/find', () => {
  it('finds an account by username, with the field set and order 3scale renders', async () => {
    const { status, body } = await harness.json<AccountBody>('/admin/api/accounts/find.json?username=alice');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body.account), ACCOUNT_FIELDS);
    assert.equal(body.account.id, ids(fake).account('alice'));
    assert.equal(typeof body.account.id, 'number');
    assert.equal(body.account.state, 'approved');
    assert.equal(body.account.org_name, "Alice's ML Lab");
    assert.match(body.account.created_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(
      (body.account.links as { rel: string }[]).map((l) => l.rel),
      ['self', 'users'],
    );
  });

  it('does not include users in JSON', async () => {
    const { body } = await harness.json<AccountBody>('/admin/api/accounts/find.json?username=alice');
    assert.equal('users' in body.account, false);
  });

  it('finds an account by email', async () => {
    const { body } = await harness.json<AccountBody>('/admin/api/accounts/find.json?email=bob%40example.test');
    assert.equal(body.account.id, ids(fake).account('bob'));
  });

  it('finds an account through a member user', async () => {
    const { body } = await harness.json<AccountBody>('/admin/api/accounts/find.json?username=bob-teammate');
    assert.equal(body.account.id, ids(fake).account('bob'));
  });

  it('finds an account by user_id', async () => {
    const userId = fake.state.userByUsername('alice')?.id;
    const { body } = await harness.json<AccountBody>(`/admin/api/accounts/find.json?user_id=${userId}`);
    assert.equal(body.account.id, ids(fake).account('alice'));
  });

  it('does not fall back to email when the username is not found', async () => {
    const { status, body } = await harness.json(
      '/admin/api/accounts/find.json?username=nobody&email=alice%40example.test',
    );
    assert.equal(status, 404);
    assert.deepEqual(body, { status: 'Not found' });
  });

  it('matches usernames case-sensitively', async () => {
    assert.equal((await harness.call('/admin/api/accounts/find.json?username=Alice')).status, 404);
  });

  it('answers 404 without any criterion', async () => {
    assert.equal((await harness.call('/admin/api/accounts/find.json')).status, 404);
  });

  it('nests plans and users in XML', async () => {
    const response = await harness.call('/admin/api/accounts/find.xml?username=bob');
    const xml = await response.text();
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><account><id>\d+<\/id>/);
    assert.match(xml, /<plans><plan default="true"><id>\d+<\/id><name>Default<\/name><type>account_plan<\/type>/);
    assert.match(
      xml,
      /<users><user><id>\d+<\/id>.*<role>admin<\/role><username>bob<\/username><email>bob@example.test<\/email>/,
    );
    assert.match(xml, /<role>member<\/role><username>bob-teammate<\/username>/);
  });
});

describe('GET /admin/api/accounts/{id}', () => {
  it('reads an account', async () => {
    const id = ids(fake).account('bob');
    const { status, body } = await harness.json<AccountBody>(`/admin/api/accounts/${id}.json`);
    assert.equal(status, 200);
    assert.equal(body.account.id, id);
  });

  it('answers 404 for an unknown account', async () => {
    assert.equal((await harness.call('/admin/api/accounts/1.json')).status, 404);
  });
});

describe('POST /admin/api/signup', () => {
  it('creates an account and its admin user: 201 with the account', async () => {
    const response = await harness.call('/admin/api/signup.json', {
      method: 'POST',
      body: { org_name: 'Dora Data', username: 'dora', email: 'dora@example.test' },
    });
    assert.equal(response.status, 201);
    const body = (await response.json()) as AccountBody;
    assert.deepEqual(Object.keys(body.account), ACCOUNT_FIELDS);
    assert.equal(body.account.org_name, 'Dora Data');
    assert.equal(response.headers.get('location'), `${harness.url}/admin/api/accounts/${body.account.id}`);
    const user = fake.state.userByUsername('dora');
    assert.equal(user?.accountId, body.account.id);
    assert.equal(user?.role, 'admin');
    const found = await harness.json<AccountBody>('/admin/api/accounts/find.json?username=dora');
    assert.equal(found.body.account.id, body.account.id);
  });

  it('subscribes the new account to the default plan of every product, like Signup Express', async () => {
    const { body } = await harness.json<AccountBody>('/admin/api/signup.json', {
      method: 'POST',
      body: { org_name: 'Eve', username: 'eve', email: 'eve@example.test', password: 'a-long-secret-passphrase' },
    });
    const apps = fake.state.applicationsOf(body.account.id as number);
    assert.equal(apps.length, fake.state.listServices().length);
    assert.ok(apps.every((a) => a.name === 'API signup' && fake.state.getPlan(a.planId).isDefault));
  });

  it('finding 12: answers 422 with the account errors, users: ["invalid"] and the user errors (email optional)', async () => {
    const { status, body } = await harness.json('/admin/api/signup.json', { method: 'POST', body: { org_name: '' } });
    assert.equal(status, 422);
    assert.deepEqual(body, {
      errors: {
        org_name: ["can't be blank"],
        users: ['invalid'],
        username: ['is too short (minimum is 3 characters)'],
      },
    });
  });

  it('answers 422 for a username or email already taken', async () => {
    const { status, body } = await harness.json('/admin/api/signup.json', {
      method: 'POST',
      body: { org_name: 'Copy', username: 'alice', email: 'bob@example.test' },
    });
    assert.equal(status, 422);
    assert.deepEqual(body, {
      errors: { users: ['invalid'], username: ['has already been taken'], email: ['has already been taken'] },
    });
  });

  it('lists full messages in XML errors', async () => {
    const response = await harness.call('/admin/api/signup.xml', {
      method: 'POST',
      body: { org_name: 'Copy', username: 'alice', email: 'new@example.test' },
    });
    assert.equal(response.status, 422);
    assert.equal(
      await response.text(),
      '<?xml version="1.0" encoding="UTF-8"?><errors><error>Users invalid</error><error>Username has already been taken</error></errors>',
    );
  });
});
