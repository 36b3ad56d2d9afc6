/**
 * The per-account read cache drops an account's cached applications when the reconcile loop enforces one of
 * its deadlines (a duplicate removed, a key stopped), one at a time or a page at once, and keeps the backend's
 * page completion when it has one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiManager, DueDeadline, Identity } from '../../src/apim/api-manager.js';
import { withAccountCache } from '../../src/apim/cached-account-reads.js';
import { createEmbeddedStore, type EmbeddedStore } from '../../src/apim/embedded/index.js';

describe('cached account reads and the reconcile loop', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  let accountId: string;
  let listed = 0;
  let cached: ApiManager;
  const deadline = (): DueDeadline => ({
    kind: 'expired',
    accountId,
    userId: 'cache-user',
    serviceId: 'sentiment-analysis',
    applicationId: 'none',
    keyPreview: '…',
    at: new Date(),
    ref: 'app:none@never',
  });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-cache-'));
    store = createEmbeddedStore({ dataDir, encryptionKey: Buffer.alloc(32, 5) });
    const identity: Identity = {
      userId: 'cache-user',
      email: null,
      emailVerified: false,
      subject: 's',
      roles: [],
      groups: [],
    };
    accountId = (await store.createAccount(identity)).id;
    cached = withAccountCache(
      {
        ...store,
        listApplications: (id, read) => {
          listed += 1;
          return store.listApplications(id, read);
        },
      },
      { ttlMs: 60_000 },
    );
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the applications again after a deadline of the account is completed', async () => {
    await cached.listApplications(accountId);
    await cached.listApplications(accountId);
    assert.equal(listed, 1);
    assert.equal(await cached.completeDeadline(deadline(), new Date()), false);
    await cached.listApplications(accountId);
    assert.equal(listed, 2);
  });

  it('keeps page completion, and reads again after a page', async () => {
    assert.equal(typeof cached.completeDeadlines, 'function');
    assert.deepEqual(await cached.completeDeadlines!([deadline()], new Date()), [false]);
    await cached.listApplications(accountId);
    assert.equal(listed, 3);
    const withoutPages = withAccountCache({ ...store, completeDeadlines: undefined }, { ttlMs: 60_000 });
    assert.equal(withoutPages.completeDeadlines, undefined);
  });
});
