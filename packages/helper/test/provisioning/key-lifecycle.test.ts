/**
 * The key lifecycle core on the real embedded store: concurrent rotations of one key make one new key, within
 * one process (the lock) and across processes sharing a database (the store's compare-and-swap).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiManager, Identity } from '../../src/apim/api-manager.js';
import { createEmbeddedStore, type EmbeddedStore } from '../../src/apim/embedded/index.js';
import type { AuditStore, AuditTrail, KeyEventInput } from '../../src/audit/audit-log.js';
import { NO_ORIGIN } from '../../src/audit/audit-log.js';
import { createKeyLifecycle } from '../../src/provisioning/key-lifecycle.js';
import { createProvisioning } from '../../src/provisioning/provisioning.js';
import { createMemoryLocks } from '../../src/state/memory-locks.js';
import type { LockService } from '../../src/state/shared-state.js';

const SERVICE = 'sentiment-analysis';
const identity: Identity = {
  userId: 'carol',
  email: 'carol@example.org',
  emailVerified: true,
  subject: 's-carol',
  roles: [],
  groups: [],
};

function recordingAudit(): AuditTrail & { events: KeyEventInput[] } {
  const events: KeyEventInput[] = [];
  return { events, record: async (event) => void events.push(event) };
}
const noHistory: AuditStore = { append: async () => assert.fail(), list: async () => [], close: async () => {} };
/** The key lifecycle with no expiry, over `apiManager`, recording into `audit`. */
const lifecycleOver = (apiManager: ApiManager, locks: LockService, audit: AuditTrail, defaultGraceSeconds = 0) =>
  createKeyLifecycle({
    apiManager,
    locks,
    audit,
    history: noHistory,
    keyTtlDays: 0,
    grace: { defaultSeconds: defaultGraceSeconds, maxSeconds: 600 },
  });

/** Holds every `listApplications` call until `count` of them are waiting, so all rotations see the same key. */
function withBarrier(inner: ApiManager, count: number): ApiManager & { arm(): void } {
  let waiting: (() => void)[] = [];
  let armed = false;
  return {
    ...inner,
    arm: () => void (armed = true),
    async listApplications(accountId, read) {
      const apps = await inner.listApplications(accountId, read);
      if (!armed) return apps;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === count) {
          armed = false;
          for (const release of waiting) release();
          waiting = [];
        }
      });
      return apps;
    },
  };
}

describe('concurrent rotations of one key', () => {
  let dataDir: string;
  let stores: EmbeddedStore[];
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-lifecycle-'));
    const key = Buffer.alloc(32, 7);
    stores = [
      createEmbeddedStore({ dataDir, encryptionKey: key }),
      createEmbeddedStore({ dataDir, encryptionKey: key }),
    ];
  });
  after(async () => {
    for (const store of stores) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('make one new key in one process, and every caller gets it', async () => {
    const first = stores[0] as EmbeddedStore;
    const locks = createMemoryLocks();
    const grant = await createProvisioning({ apiManager: first, locks, autoCreateAccounts: true }).initServiceKey(
      identity,
      { id: SERVICE },
    );
    const apiManager = withBarrier(first, 6);
    const audit = recordingAudit();
    const lifecycle = lifecycleOver(apiManager, locks, audit, 60);
    apiManager.arm();
    const rotations = await Promise.all(
      Array.from({ length: 6 }, () => lifecycle.rotateKey(identity, SERVICE, 60, NO_ORIGIN)),
    );
    const keys = new Set(rotations.map((r) => r.application.apiKey));
    assert.equal(keys.size, 1);
    assert.notEqual([...keys][0], grant.apiKey);
    assert.equal(rotations.filter((r) => r.rotated).length, 1);
    assert.equal(audit.events.filter((e) => e.event === 'rotated').length, 1);
    // The old key is in grace once, and both keys work at the gateway.
    assert.ok(first.findApplicationByKey(grant.apiKey) !== null);
    const states = (await first.listKeys(grant.account.id, new Date())).map((k) => k.state).sort();
    assert.deepEqual(states, ['active', 'grace']);
  });

  it('make one new key across processes sharing the database, even without a shared lock', async () => {
    const [a, b] = stores as [EmbeddedStore, EmbeddedStore];
    const account = await a.findAccount(identity);
    assert.ok(account !== null);
    const seen = (await a.listApplications(account.id)).find((app) => app.serviceId === SERVICE);
    assert.ok(seen !== undefined);
    const now = new Date();
    const input = { application: seen, graceUntil: new Date(now.getTime() + 60_000), expiresAt: null, now };
    const [ra, rb] = await Promise.all([a.rotateKey(input), b.rotateKey(input)]);
    assert.deepEqual([ra.rotated, rb.rotated].sort(), [false, true]);
    assert.equal(ra.application.apiKey, rb.application.apiKey);
    // Rotating during a grace period ended the earlier key in grace: only the last replaced key still works.
    assert.equal(a.findApplicationByKey(seen.apiKey)?.id, seen.id);
  });
});

describe('an account id known from earlier that is no longer the caller’s', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-lifecycle-hint-'));
    store = createEmbeddedStore({ dataDir, encryptionKey: Buffer.alloc(32, 9) });
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('changes nothing on the account it names: rotate and revoke act on the caller’s account only', async () => {
    const locks = createMemoryLocks();
    const provisioning = createProvisioning({ apiManager: store, locks, autoCreateAccounts: true });
    const other: Identity = { ...identity, userId: 'dave', email: 'dave@example.org', subject: 's-dave' };
    const mine = await provisioning.initServiceKey(identity, { id: SERVICE });
    const theirs = await provisioning.initServiceKey(other, { id: SERVICE });
    // The hint names the other person's account, as a stale one might.
    const apiManager: ApiManager = { ...store, knownAccountId: async () => theirs.account.id };
    const audit = recordingAudit();
    const lifecycle = lifecycleOver(apiManager, locks, audit);
    const rotation = await lifecycle.rotateKey(identity, SERVICE, 0, NO_ORIGIN);
    assert.equal(rotation.rotated, true);
    assert.equal(rotation.application.accountId, mine.account.id);
    assert.equal(store.findApplicationByKey(theirs.apiKey)?.accountId, theirs.account.id, 'their key still works');
    assert.equal(store.findApplicationByKey(mine.apiKey), null, 'my old key stopped (grace 0)');

    const revocation = await lifecycle.revokeKeys(identity, SERVICE, NO_ORIGIN);
    assert.deepEqual(revocation.keyPreviews, [rotation.application.keyPreview]);
    assert.equal(store.findApplicationByKey(rotation.application.apiKey), null, 'my key is revoked');
    assert.equal(store.findApplicationByKey(theirs.apiKey)?.accountId, theirs.account.id, 'theirs is untouched');
  });

  it('a failed read of an account that is not the caller’s does not fail the caller’s rotate or revoke', async () => {
    const locks = createMemoryLocks();
    const provisioning = createProvisioning({ apiManager: store, locks, autoCreateAccounts: true });
    const erin: Identity = { ...identity, userId: 'erin', email: 'erin@example.org', subject: 's-erin' };
    const mine = await provisioning.initServiceKey(erin, { id: SERVICE });
    const unreachable = 'an-account-that-fails';
    const down = () => Promise.reject(new Error('upstream down for that account'));
    const apiManager: ApiManager = {
      ...store,
      knownAccountId: async () => unreachable,
      listApplications: (accountId, read) =>
        accountId === unreachable ? down() : store.listApplications(accountId, read),
      revokeKeys: (accountId, serviceId, at, options) =>
        accountId === unreachable ? down() : store.revokeKeys(accountId, serviceId, at, options),
    };
    const lifecycle = lifecycleOver(apiManager, locks, recordingAudit());
    const rotation = await lifecycle.rotateKey(erin, SERVICE, 0, NO_ORIGIN);
    assert.equal(rotation.application.accountId, mine.account.id);
    const revocation = await lifecycle.revokeKeys(erin, SERVICE, NO_ORIGIN);
    assert.deepEqual(revocation.keyPreviews, [rotation.application.keyPreview]);
    assert.equal(store.findApplicationByKey(rotation.application.apiKey), null);
  });
});
