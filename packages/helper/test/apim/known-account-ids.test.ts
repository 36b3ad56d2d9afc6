/**
 * Known account ids: the id a lookup or a signup answered is remembered for a while and answered without a
 * call; a lookup that finds nobody forgets it; old entries and the least recently looked up go first.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiManager, Identity } from '../../src/apim/api-manager.js';
import { createEmbeddedStore, type EmbeddedStore } from '../../src/apim/embedded/index.js';
import { withKnownAccountIds } from '../../src/apim/known-account-ids.js';

const person = (userId: string): Identity => ({
  userId,
  email: `${userId}@example.org`,
  emailVerified: true,
  subject: `s-${userId}`,
  roles: [],
  groups: [],
});

describe('known account ids', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  let clock = 0;
  let known: ApiManager;
  let deleted: Set<string>;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-known-ids-'));
    store = createEmbeddedStore({ dataDir, encryptionKey: Buffer.alloc(32, 3) });
    deleted = new Set();
    // A backend whose lookup finds nobody for the people the test "deletes".
    const backend: ApiManager = {
      ...store,
      findAccount: async (identity, read) => (deleted.has(identity.userId) ? null : store.findAccount(identity, read)),
    };
    known = withKnownAccountIds(backend, { ttlMs: 1_000, maxEntries: 2, now: () => clock });
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('remembers the id of a signup and of a lookup, and forgets it when the lookup finds nobody', async () => {
    const erin = person('erin');
    assert.equal(await known.knownAccountId?.(erin), null);
    const created = await known.createAccount(erin);
    assert.equal(await known.knownAccountId?.(erin), created.id);
    assert.equal((await known.findAccount(erin, { fresh: true }))?.id, created.id);
    assert.equal(await known.knownAccountId?.(erin), created.id);
    deleted.add('erin');
    assert.equal(await known.findAccount(erin, { fresh: true }), null);
    assert.equal(await known.knownAccountId?.(erin), null);
  });

  it('lets an id go after its time, and the least recently looked up first', async () => {
    const [frank, grace, heidi] = [person('frank'), person('grace'), person('heidi')];
    for (const who of [frank, grace, heidi]) await store.createAccount(who);
    await known.findAccount(frank);
    clock += 600;
    await known.findAccount(grace);
    assert.ok(await known.knownAccountId?.(frank));
    clock += 600;
    assert.equal(await known.knownAccountId?.(frank), null, 'older than its time');
    assert.ok(await known.knownAccountId?.(grace));
    await known.findAccount(frank);
    await known.findAccount(heidi);
    assert.equal(await known.knownAccountId?.(grace), null, 'the least recently looked up went first');
    assert.ok(await known.knownAccountId?.(frank));
    assert.ok(await known.knownAccountId?.(heidi));
  });
});
