/**
 * Entitlements over HTTP on the embedded store: the list shows only entitled services (all=true marks the
 * others with what grants them), init, rotate and usage of another answer NOT_ENTITLED while a person may still revoke
 * their own key there, and a tier (plan by group) is chosen when the key is made and followed when the
 * person's groups change.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/helper-harness.js';

const CATALOG = `
services:
  - id: sentiment
    name: Sentiment
    endpoint: /gateway/sentiment
    authentication: api_key
    credentials: { location: header, key_parameter: X-API-Key }
    plans:
      - { id: sentiment-basic, name: Basic, default: true }
      - { id: sentiment-premium, name: Premium, state: hidden }
  - id: vision
    name: Vision
    endpoint: /gateway/vision
    authentication: api_key
    credentials: { location: header, key_parameter: X-API-Key }
    plans: [{ id: vision-basic, name: Basic, default: true }]
    entitlements: { allow: [group:/vision] }
  - id: open
    name: Open
    endpoint: /gateway/open
    authentication: api_key
    credentials: { location: header, key_parameter: X-API-Key }
    plans: [{ id: open-basic, name: Basic, default: true }]
`;
const POLICY = `
default: allow
services:
  sentiment:
    allow: [role:ml-user, group:/data-science]
    plans: { group:/premium: Premium }
  no-such-service:
    allow: [role:nobody]
`;

describe('entitlements (embedded store)', () => {
  let h: Harness;
  let dir: string;
  let user = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlaas-entitle-'));
    writeFileSync(join(dir, 'catalog.yaml'), CATALOG);
    writeFileSync(join(dir, 'entitlements.yaml'), POLICY);
    h = await startHarness({
      EMBEDDED_CATALOG: join(dir, 'catalog.yaml'),
      ENTITLEMENTS_FILE: join(dir, 'entitlements.yaml'),
    });
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A token of a new person (or of `name` again) with these roles and groups. */
  const tokenOf = (roles: string[], groups: string[] = [], name = `person-${++user}`) =>
    h.issuer.token({
      claims: { sub: `sub-${name}`, soeid: name, email: `${name}@example.org`, realm_access: { roles }, groups },
    });
  const api = async (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const response = await h.helper.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
    return { status: response.statusCode, body: response.json() };
  };
  const listed = async (token: string, query = '') =>
    (await api(token, 'GET', `/api/services${query}`)).body.data.services as {
      id: string;
      entitled?: boolean;
      granted_by?: string[];
    }[];

  it('lists only the services the caller is entitled to', async () => {
    const nobody = await tokenOf(['offline_access']);
    assert.deepEqual(
      (await listed(nobody)).map((s) => s.id),
      ['open'],
    );
    const scientist = await tokenOf([], ['/data-science', '/vision']);
    assert.deepEqual(
      (await listed(scientist)).map((s) => s.id),
      ['sentiment', 'vision', 'open'],
    );
    // A role is as good as a group; the catalog's own entitlements field rules the vision service.
    const mlUser = await tokenOf(['ml-user']);
    assert.deepEqual(
      (await listed(mlUser)).map((s) => s.id),
      ['sentiment', 'open'],
    );
  });

  it('with all=true shows every service, marking the others with what would grant them', async () => {
    const nobody = await tokenOf([]);
    const services = await listed(nobody, '?all=true');
    assert.deepEqual(
      services.map((s) => [s.id, s.entitled, s.granted_by]),
      [
        ['sentiment', false, ['role:ml-user', 'group:/data-science']],
        ['vision', false, ['group:/vision']],
        ['open', true, undefined],
      ],
    );
    assert.equal((await api(nobody, 'GET', '/api/services?all=maybe')).status, 400);
  });

  it('answers NOT_ENTITLED to init and rotate of a service the caller may not hold; revoke finds no key', async () => {
    const nobody = await tokenOf([]);
    const init = await api(nobody, 'POST', '/api/services/init', { service_id: 'sentiment' });
    assert.equal(init.status, 403);
    assert.equal(init.body.error.code, 'NOT_ENTITLED');
    assert.match(init.body.error.message, /role:ml-user, group:\/data-science/);
    const rotate = await api(nobody, 'POST', '/api/services/sentiment/key/rotate', {});
    assert.equal(rotate.status, 403);
    assert.equal(rotate.body.error.code, 'NOT_ENTITLED');
    // Revoking is never refused for want of an entitlement: there is simply no key to stop.
    const revoke = await api(nobody, 'DELETE', '/api/services/sentiment/key');
    assert.equal(revoke.body.error.code, 'KEY_NOT_FOUND');
    const allowed = await api(nobody, 'POST', '/api/services/init', { service_id: 'open' });
    assert.equal(allowed.status, 200);
  });

  it('a person who loses the entitlement can no longer rotate the key they hold, but can still revoke it', async () => {
    const name = `leaver-${++user}`;
    const before = await tokenOf(['ml-user'], [], name);
    const made = await api(before, 'POST', '/api/services/init', { service_id: 'sentiment' });
    assert.equal(made.status, 200);
    const afterLoss = await tokenOf([], [], name);
    const rotate = await api(afterLoss, 'POST', '/api/services/sentiment/key/rotate', {});
    assert.equal(rotate.body.error.code, 'NOT_ENTITLED');
    assert.equal((await api(before, 'GET', '/api/services/sentiment/usage')).status, 200, 'usage while entitled');
    const usage = await api(afterLoss, 'GET', '/api/services/sentiment/usage');
    assert.equal(usage.status, 403);
    assert.equal(usage.body.error.code, 'NOT_ENTITLED');
    const revoke = await api(afterLoss, 'DELETE', '/api/services/sentiment/key');
    assert.equal(revoke.status, 200);
    const left = await h.helper.apiManager.listApplications(made.body.data.account_id, { fresh: true });
    assert.equal(left.filter((application) => application.serviceId === 'sentiment').length, 0, 'the key is gone');
  });

  it('makes the key on the plan of the caller’s tier, and moves it when the tier changes', async () => {
    const name = `tiered-${++user}`;
    const premium = await tokenOf(['ml-user'], ['/premium'], name);
    const first = await api(premium, 'POST', '/api/services/init', { service_id: 'sentiment' });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.data.plan, { id: 'sentiment-premium', name: 'Premium' });
    const key = first.body.data.api_key as string;

    const downgraded = await tokenOf(['ml-user'], [], name);
    const second = await api(downgraded, 'POST', '/api/services/init', { service_id: 'sentiment' });
    assert.deepEqual(second.body.data.plan, { id: 'sentiment-basic', name: 'Basic' });
    assert.equal(second.body.data.api_key, key, 'the same key, on another plan');
    const stored = await h.helper.apiManager.listApplications(first.body.data.account_id, { fresh: true });
    assert.equal(stored[0]?.planId, 'sentiment-basic');

    const upgraded = await tokenOf(['ml-user'], ['/premium'], name);
    const third = await api(upgraded, 'POST', '/api/services/init', { service_id: 'sentiment' });
    assert.equal(third.body.data.plan.id, 'sentiment-premium');
  });

  it('moves the key to the new tier on the person’s next list too', async () => {
    const name = `listed-${++user}`;
    const premium = await tokenOf(['ml-user'], ['/premium'], name);
    const made = (await api(premium, 'POST', '/api/services/init', { service_id: 'sentiment' })).body.data;
    assert.equal(made.plan.id, 'sentiment-premium');
    const downgraded = await tokenOf(['ml-user'], [], name);
    assert.ok((await listed(downgraded)).some((s) => s.id === 'sentiment'));
    const stored = await h.helper.apiManager.listApplications(made.account_id, { fresh: true });
    assert.equal(stored[0]?.planId, 'sentiment-basic');
    assert.equal(stored[0]?.apiKey, made.api_key, 'the same key');
  });

  it('warns about a policy naming a service the catalog does not have, and runs', () => {
    assert.ok(
      h.logs.some((line) => line.includes('no-such-service') && line.includes('the catalog does not have')),
      'a warning naming the unknown service',
    );
  });
});
