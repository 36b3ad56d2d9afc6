import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Account, ApiService, Identity, ServicePlan } from '../../../src/apim/api-manager.js';
import { createEmbeddedStore, type EmbeddedStore } from '../../../src/apim/embedded/embedded-store.js';
import { isWellFormedApiKey } from '../../../src/apim/embedded/key-format.js';
import { isHelperError } from '../../../src/errors/helper-error.js';

function identity(userId: string, email: string | null = null): Identity {
  return { userId, email, emailVerified: email !== null, subject: `sub-${userId}`, roles: [], groups: [] };
}

describe('createEmbeddedStore', () => {
  let root: string;
  let dataDir: string;
  const encryptionKey = randomBytes(32);
  const open: EmbeddedStore[] = [];

  function openStore(options: Partial<Parameters<typeof createEmbeddedStore>[0]> = {}): EmbeddedStore {
    const store = createEmbeddedStore({ dataDir, encryptionKey, ...options });
    open.push(store);
    return store;
  }

  async function serviceAndPlan(
    store: EmbeddedStore,
    serviceId: string,
    pick: (plan: ServicePlan) => boolean = (plan) => plan.isDefault,
  ): Promise<{ service: ApiService; plan: ServicePlan }> {
    const service = (await store.listServices()).find((s) => s.id === serviceId);
    assert.ok(service, `demo catalog has ${serviceId}`);
    const plan = (await store.listPlans(serviceId)).find(pick);
    assert.ok(plan, `${serviceId} has the plan wanted`);
    return { service, plan };
  }

  async function newApplication(store: EmbeddedStore, account: Account, serviceId: string) {
    const { service, plan } = await serviceAndPlan(store, serviceId);
    return store.createApplication({ account, service, plan, name: 'MLaaS key', description: 'Created by MLaaS' });
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mlaas-store-'));
    dataDir = join(root, 'data');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the data directory with mode 0700 and the database in it', async () => {
    const store = openStore();
    await store.checkReady();
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.ok(existsSync(join(dataDir, 'mlaas.db')));
  });

  it('generates a 0600 key file in the data directory when no key is given', async () => {
    openStore({ encryptionKey: undefined });
    assert.equal(statSync(join(dataDir, 'store.key')).mode & 0o777, 0o600);
  });

  it('finds an account by user id, then by email', async () => {
    const store = openStore();
    assert.equal(await store.findAccount(identity('alice', 'alice@example.com')), null);
    const created = await store.createAccount(identity('alice', 'alice@example.com'));
    assert.deepEqual(await store.findAccount(identity('alice', null)), created);
    assert.deepEqual(await store.findAccount(identity('alice-renamed', 'alice@example.com')), created);
    assert.equal(await store.findAccount(identity('bob', 'bob@example.com')), null);
  });

  it('creates approved accounts with acc_ ids', async () => {
    const account = await openStore().createAccount(identity('alice', 'alice@example.com'));
    assert.match(account.id, /^acc_[0-9a-f]{16}$/);
    const { id: _id, ...rest } = account;
    assert.deepEqual(rest, { username: 'alice', email: 'alice@example.com', state: 'approved' });
  });

  it('returns the existing account when creating one for a user who has it', async () => {
    const store = openStore();
    const first = await store.createAccount(identity('alice', 'alice@example.com'));
    const second = await store.createAccount(identity('alice', 'alice@example.com'));
    assert.deepEqual(second, first);
  });

  it('lists the catalog services and their plans', async () => {
    const store = openStore();
    const services = await store.listServices();
    assert.ok(services.length >= 3);
    const plans = await store.listPlans('sentiment-analysis');
    assert.ok(plans.some((plan) => plan.isDefault && plan.serviceId === 'sentiment-analysis'));
  });

  it('answers SERVICE_NOT_FOUND for the plans of an unknown service', async () => {
    await assert.rejects(openStore().listPlans('no-such-service'), (error) =>
      isHelperError(error, 'SERVICE_NOT_FOUND'),
    );
  });

  it('returns the same key from listApplications after closing and reopening the store', async () => {
    const store = openStore();
    const account = await store.createAccount(identity('alice'));
    const created = await newApplication(store, account, 'sentiment-analysis');
    assert.ok(isWellFormedApiKey(created.apiKey));
    assert.equal(created.state, 'live');
    await store.close();

    const reopened = openStore();
    assert.deepEqual(await reopened.listApplications(account.id), [created]);
  });

  it('never writes a key in clear to the database files', async () => {
    const store = openStore();
    const account = await store.createAccount(identity('alice'));
    const { apiKey } = await newApplication(store, account, 'text-embedding');
    const files = ['mlaas.db', 'mlaas.db-wal'].map((name) => join(dataDir, name));
    assert.ok(statSync(join(dataDir, 'mlaas.db-wal')).size > 0, 'the write is in the WAL');
    for (const path of files) {
      assert.equal(readFileSync(path).includes(apiKey), false, `${path} holds the key in clear`);
      assert.equal(readFileSync(path).includes(apiKey.slice(6, 30)), false, `${path} holds part of the key`);
    }
    await store.close();
    assert.equal(readFileSync(join(dataDir, 'mlaas.db')).includes(apiKey), false);
  });

  it('refuses to read keys with another encryption key', async () => {
    const store = openStore();
    const account = await store.createAccount(identity('alice'));
    await newApplication(store, account, 'sentiment-analysis');
    await store.close();
    const other = openStore({ encryptionKey: randomBytes(32) });
    // The list needs only the stored preview; the key itself is decrypted — and refused — when read.
    const [application] = await other.listApplications(account.id);
    assert.match(String(application?.keyPreview), /^mlaas_…/);
    assert.throws(
      () => application?.apiKey,
      (error) => isHelperError(error, 'CONFIG_ERROR'),
    );
  });

  it('returns the first application when one is created again for the same account and service', async () => {
    const store = openStore();
    const account = await store.createAccount(identity('alice'));
    const first = await newApplication(store, account, 'sentiment-analysis');
    const second = await newApplication(store, account, 'sentiment-analysis');
    assert.deepEqual(second, first);
    assert.equal((await store.listApplications(account.id)).length, 1);
  });

  it('lists an account applications in creation order', async () => {
    let tick = 0;
    const store = openStore({ now: () => new Date(Date.UTC(2025, 0, 1, 0, 0, tick++)) });
    const account = await store.createAccount(identity('alice'));
    const a = await newApplication(store, account, 'text-embedding');
    const b = await newApplication(store, account, 'image-classification');
    const c = await newApplication(store, account, 'sentiment-analysis');
    assert.deepEqual(
      (await store.listApplications(account.id)).map((app) => app.id),
      [a.id, b.id, c.id],
    );
    assert.deepEqual(await store.listApplications('acc_of_nobody'), []);
  });

  it('creates a pending application on a plan that requires approval', async () => {
    const store = openStore();
    const account = await store.createAccount(identity('alice'));
    const { service, plan } = await serviceAndPlan(store, 'sentiment-analysis', (p) => p.approvalRequired);
    const application = await store.createApplication({ account, service, plan, name: 'k', description: 'd' });
    assert.equal(application.state, 'pending');
    assert.equal(application.planId, plan.id);
  });

  it('answers ACCOUNT_NOT_FOUND when creating an application for an unknown account', async () => {
    const store = openStore();
    const ghost: Account = { id: 'acc_0000000000000000', username: 'ghost', email: null, state: 'approved' };
    await assert.rejects(newApplication(store, ghost, 'sentiment-analysis'), (error) =>
      isHelperError(error, 'ACCOUNT_NOT_FOUND'),
    );
  });

  it('finds the application holding a key, and nothing for another key', async () => {
    const store = openStore();
    const account = await store.createAccount(identity('alice'));
    const created = await newApplication(store, account, 'sentiment-analysis');
    assert.deepEqual(store.findApplicationByKey(created.apiKey), created);
    const last = created.apiKey.at(-1) === 'x' ? 'y' : 'x';
    assert.equal(store.findApplicationByKey(`${created.apiKey.slice(0, -1)}${last}`), null);
    assert.equal(store.findApplicationByKey('not a key'), null);
  });

  it('refuses a database written by a newer version', async () => {
    await openStore().close();
    const db = new Database(join(dataDir, 'mlaas.db'));
    db.pragma('user_version = 99');
    db.close();
    assert.throws(
      () => openStore(),
      (error) => isHelperError(error, 'CONFIG_ERROR') && /schema version 99/.test(error.message),
    );
  });

  it('answers UPSTREAM_UNAVAILABLE after close, and closing twice is harmless', async () => {
    const store = openStore();
    await store.close();
    await store.close();
    await assert.rejects(store.checkReady(), (error) => isHelperError(error, 'UPSTREAM_UNAVAILABLE'));
  });

  it('lists key holders in pages by account id, with who each application was made for', async () => {
    const store = openStore();
    const made: string[] = [];
    for (const name of ['u1', 'u2', 'u3', 'u4', 'u5']) {
      const account = await store.createAccount(identity(name));
      const { service, plan } = await serviceAndPlan(store, 'sentiment-analysis');
      await store.createApplication({ account, service, plan, name: 'k', description: 'd', subject: `sub-${name}` });
      made.push(account.id);
    }
    await store.createAccount(identity('no-keys'));
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<EmbeddedStore['listHolders']>> = await store.listHolders({ after, limit: 2 });
      pages += 1;
      for (const holder of page.holders) {
        seen.push(holder.accountId);
        assert.equal(holder.applications[0]?.subject, `sub-${holder.userId}`);
        assert.equal(holder.applications[0]?.suspendedBy, null);
      }
      after = page.next;
    } while (after !== null);
    assert.deepEqual(seen, [...made].sort());
    assert.equal(pages, 3);
  });

  it('suspends for offboarding, resumes only what it suspended, back to the state before, and moves plans', async () => {
    const store = openStore();
    const account = await store.createAccount(identity('sam'));
    const live = await newApplication(store, account, 'sentiment-analysis');
    const { service, plan: pro } = await serviceAndPlan(store, 'sentiment-analysis', (p) => p.id.endsWith('-pro'));
    const pendingAccount = await store.createAccount(identity('pat'));
    const pending = await store.createApplication({
      account: pendingAccount,
      service,
      plan: pro,
      name: 'k',
      description: 'd',
    });
    assert.equal(pending.state, 'pending');

    await store.suspendApplication(account.id, live.id, 'offboarding');
    await store.suspendApplication(account.id, live.id, 'offboarding');
    assert.equal(store.findApplicationByKey(live.apiKey)?.state, 'suspended');
    assert.equal(await store.resumeApplication(account.id, live.id, 'offboarding'), true);
    assert.equal(await store.resumeApplication(account.id, live.id, 'offboarding'), false, 'idempotent');
    assert.equal(store.findApplicationByKey(live.apiKey)?.state, 'live');

    await store.suspendApplication(pendingAccount.id, pending.id, 'offboarding');
    assert.equal(await store.resumeApplication(pendingAccount.id, pending.id, 'offboarding'), true);
    const [back] = await store.listApplications(pendingAccount.id);
    assert.equal(back?.state, 'pending', 'a resume never skips approval');

    await store.changePlan(account.id, live.id, pro.id);
    const [moved] = await store.listApplications(account.id);
    assert.deepEqual([moved?.planId, moved?.planName, moved?.apiKey], [pro.id, pro.name, live.apiKey]);
    await assert.rejects(store.changePlan(account.id, live.id, 'no-such-plan'), (error) =>
      isHelperError(error, 'NO_PLANS_FOUND'),
    );
  });
});
