/**
 * Fields definitions and application extra fields (porta keeps only defined ones, renders them flat in JSON
 * and inside `extra_fields` in XML), the tenant-wide application list with its pagination and filters, the
 * users of an account, user_key update and change_plan.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ids, startFake } from '../support/fake.js';

type App = Record<string, unknown>;
type Definition = Record<string, unknown>;
const harness = await startFake();
after(() => harness.fake.close());
const account = ids(harness.fake).account('alice');
const plan = ids(harness.fake).plan('image-classifier', 'standard');
const appsPath = `/admin/api/accounts/${account}/applications`;

describe('fields definitions', () => {
  it('creates a definition: 201 with the definition, as {"fields_definition":{…}}', async () => {
    const { status, body } = await harness.json<{ fields_definition: Definition }>(
      '/admin/api/fields_definitions.json',
      { method: 'POST', body: { target: 'Cinstance', name: 'team', label: 'Team', hidden: 'true' } },
    );
    assert.equal(status, 201);
    assert.deepEqual(Object.keys(body.fields_definition), [
      'id',
      'target',
      'name',
      'label',
      'required',
      'hidden',
      'read_only',
      'choices',
      'position',
      'created_at',
      'updated_at',
    ]);
    assert.equal(body.fields_definition.hidden, true);
    assert.equal(body.fields_definition.required, false);
  });

  it('refuses a name already taken for the target, a bad name and an unknown target, with 422 and field errors', async () => {
    const taken = await harness.json('/admin/api/fields_definitions.json', {
      method: 'POST',
      body: { target: 'Cinstance', name: 'team', label: 'Team again' },
    });
    assert.equal(taken.status, 422);
    assert.deepEqual(taken.body, { errors: { name: ['has already been taken'] } });
    const bad = await harness.json<{ errors: Record<string, string[]> }>('/admin/api/fields_definitions.json', {
      method: 'POST',
      body: { target: 'Planet', name: '9lives', label: 'x' },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(Object.keys(bad.body.errors).sort(), ['name', 'target']);
    // The same name on another target is fine.
    const other = await harness.json('/admin/api/fields_definitions.json', {
      method: 'POST',
      body: { target: 'Account', name: 'team', label: 'Team' },
    });
    assert.equal(other.status, 201);
  });

  it('lists definitions as {"fields_definitions":[{"fields_definition":{…}}]}', async () => {
    const { status, body } = await harness.json<{ fields_definitions: { fields_definition: Definition }[] }>(
      '/admin/api/fields_definitions.json',
    );
    assert.equal(status, 200);
    assert.deepEqual(
      body.fields_definitions.map((d) => `${String(d.fields_definition.target)}.${String(d.fields_definition.name)}`),
      ['Account.team', 'Cinstance.team'],
    );
  });
});

describe('application extra fields', () => {
  let appId = 0;

  it('keeps only defined extra fields on create, and renders them flat after the builtin fields', async () => {
    const { status, body } = await harness.json<{ application: App }>(`${appsPath}.json`, {
      method: 'POST',
      body: { plan_id: plan, name: 'x', team: 'ml-platform', undefined_field: 'dropped' },
    });
    assert.equal(status, 201);
    appId = Number(body.application.id);
    assert.equal(body.application.team, 'ml-platform');
    assert.equal('undefined_field' in body.application, false);
    const keys = Object.keys(body.application);
    assert.equal(keys.at(-1), 'team');
    assert.equal(keys.at(-2), 'name');
  });

  it('updates an extra field with PUT, keeps fields not sent, and shows them in XML inside extra_fields', async () => {
    const { status, body } = await harness.json<{ application: App }>(`${appsPath}/${appId}.json`, {
      method: 'PUT',
      body: { name: 'renamed' },
    });
    assert.equal(status, 200);
    assert.equal(body.application.team, 'ml-platform');
    await harness.json(`${appsPath}/${appId}.json`, { method: 'PUT', body: { team: 'vision' } });
    const xml = await (await harness.call(`${appsPath}/${appId}.xml`)).text();
    assert.match(xml, /<extra_fields><team>vision<\/team><\/extra_fields>/);
  });

  it('stops showing a field whose definition is deleted', async () => {
    const list = await harness.json<{ fields_definitions: { fields_definition: Definition }[] }>(
      '/admin/api/fields_definitions.json',
    );
    const team = list.body.fields_definitions.find(
      (d) => d.fields_definition.target === 'Cinstance' && d.fields_definition.name === 'team',
    );
    const response = await harness.call(`/admin/api/fields_definitions/${String(team?.fields_definition.id)}.json`, {
      method: 'DELETE',
    });
    assert.equal(response.status, 200);
    const { body } = await harness.json<{ application: App }>(`${appsPath}/${appId}.json`);
    assert.equal('team' in body.application, false);
  });

  it('changes the user_key of a user-key application with PUT, refusing one another application holds', async () => {
    const llmPlan = ids(harness.fake).plan('llm-chat', 'basic');
    const first = await harness.json<{ application: App }>(`${appsPath}.json`, {
      method: 'POST',
      body: { plan_id: llmPlan, name: 'a', user_key: 'first-key-0001' },
    });
    const second = await harness.json<{ application: App }>(`${appsPath}.json`, {
      method: 'POST',
      body: { plan_id: llmPlan, name: 'b' },
    });
    const changed = await harness.json<{ application: App }>(`${appsPath}/${String(second.body.application.id)}.json`, {
      method: 'PUT',
      body: { user_key: 'second-key-0002' },
    });
    assert.equal(changed.body.application.user_key, 'second-key-0002');
    const clash = await harness.json(`${appsPath}/${String(second.body.application.id)}.json`, {
      method: 'PUT',
      body: { user_key: String(first.body.application.user_key) },
    });
    assert.equal(clash.status, 422);
    assert.deepEqual(clash.body, { errors: { user_key: ['has already been taken'] } });
  });
});

describe('the tenant-wide application list', () => {
  type Page = { applications: { application: App }[]; metadata?: Record<string, number> };

  it('pages by id with page/per_page and adds metadata only when one page does not hold everything', async () => {
    const all = await harness.json<Page>('/admin/api/applications.json');
    assert.equal(all.status, 200);
    assert.equal(all.body.metadata, undefined);
    const total = all.body.applications.length;
    assert.ok(total >= 3);
    const first = await harness.json<Page>('/admin/api/applications.json?page=1&per_page=2');
    const second = await harness.json<Page>('/admin/api/applications.json?page=2&per_page=2');
    assert.equal(first.body.applications.length, 2);
    assert.deepEqual(first.body.metadata, {
      per_page: 2,
      total_entries: total,
      total_pages: Math.ceil(total / 2),
      current_page: 1,
    });
    const ids = [...first.body.applications, ...second.body.applications].map((a) => Number(a.application.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(new Set(ids).size, ids.length);
  });

  it('filters by account (named `account`, not `account_id`) and by service', async () => {
    const mine = await harness.json<Page>(`/admin/api/applications.json?account=${account}`);
    assert.ok(mine.body.applications.every((a) => a.application.account_id === account));
    const ignored = await harness.json<Page>(`/admin/api/applications.json?account_id=${account}`);
    assert.ok(ignored.body.applications.length >= mine.body.applications.length);
  });
});

describe('account users and change_plan', () => {
  it('lists an account\'s users as {"users":[{"user":{…}}]}', async () => {
    const { status, body } = await harness.json<{ users: { user: Record<string, unknown> }[] }>(
      `/admin/api/accounts/${account}/users.json`,
    );
    assert.equal(status, 200);
    assert.equal(body.users[0]?.user.username, 'alice');
    assert.equal(body.users[0]?.user.role, 'admin');
  });

  it('moves an application to another plan of its product, answering with the plan', async () => {
    const created = await harness.json<{ application: App }>(`${appsPath}.json`, {
      method: 'POST',
      body: { plan_id: ids(harness.fake).plan('llm-chat', 'basic'), name: 'mover' },
    });
    const other = { id: ids(harness.fake).plan('llm-chat', 'internal') };
    const { status, body } = await harness.json<{ application_plan: Record<string, unknown> }>(
      `${appsPath}/${String(created.body.application.id)}/change_plan.json`,
      { method: 'PUT', body: { plan_id: other.id } },
    );
    assert.equal(status, 200);
    assert.equal(body.application_plan.id, other.id);
    const read = await harness.json<{ application: App }>(`${appsPath}/${String(created.body.application.id)}.json`);
    assert.equal(read.body.application.plan_id, other.id);
  });
});
