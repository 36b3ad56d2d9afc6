/**
 * The reconcile loop on the real embedded store: it records expiries and ends of grace periods once each,
 * is idempotent, bounds its work, and a dry run changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Identity } from '../../src/apim/api-manager.js';
import { createEmbeddedStore, type EmbeddedStore } from '../../src/apim/embedded/index.js';
import type { AuditTrail, KeyEventInput } from '../../src/audit/audit-log.js';
import { createProvisioning } from '../../src/provisioning/provisioning.js';
import { reconcileOnce } from '../../src/provisioning/reconcile.js';
import { createMemoryLocks } from '../../src/state/memory-locks.js';

const DAY_MS = 86_400_000;

describe('reconcile loop', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  const now = () => new Date(clock);
  const events: KeyEventInput[] = [];
  const audit: AuditTrail = { record: async (event) => void events.push(event) };
  const run = (dryRun = false) =>
    reconcileOnce({ apiManager: store, audit, callsPerMinute: 600_000, concurrency: 8, now }, { dryRun });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-reconcile-'));
    store = createEmbeddedStore({ dataDir, encryptionKey: Buffer.alloc(32, 3), now });
    const provisioning = createProvisioning({
      apiManager: store,
      locks: createMemoryLocks(),
      autoCreateAccounts: true,
      keyTtlDays: 10,
      now,
    });
    for (let i = 0; i < 5; i += 1) {
      const identity: Identity = {
        userId: `user-${i}`,
        email: `user-${i}@example.org`,
        emailVerified: true,
        subject: `s-${i}`,
        roles: [],
        groups: [],
      };
      const grant = await provisioning.initServiceKey(identity, { id: 'sentiment-analysis' });
      const [application] = await store.listApplications(grant.account.id);
      assert.ok(application !== undefined);
      // Users 0 and 1 rotate with a one-day grace.
      if (i < 2) {
        await store.rotateKey({ application, graceUntil: new Date(clock + DAY_MS), expiresAt: null, now: now() });
      }
    }
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds nothing due before any deadline', async () => {
    const report = await run();
    assert.equal(report.due, 0);
    assert.equal(events.length, 0);
  });

  it('a dry run lists what is due and changes nothing', async () => {
    clock += 2 * DAY_MS;
    const report = await run(true);
    assert.equal(report.due, 2);
    assert.deepEqual(
      report.planned.map((p) => p.kind),
      ['grace_ended', 'grace_ended'],
    );
    assert.equal((await run(true)).due, 2);
    assert.equal(events.length, 0);
  });

  it('records each passed deadline once, then finds nothing more', async () => {
    clock += 10 * DAY_MS;
    const report = await run();
    // Two grace periods ended; three keys (users 2-4) expired; the rotated keys of users 0-1 never expire.
    assert.equal(report.done, 5);
    assert.equal(report.failed, 0);
    assert.deepEqual(events.map((e) => e.event).sort(), [
      'expired',
      'expired',
      'expired',
      'grace_ended',
      'grace_ended',
    ]);
    const again = await run();
    assert.equal(again.due, 0);
    assert.equal(events.length, 5);
  });
});
