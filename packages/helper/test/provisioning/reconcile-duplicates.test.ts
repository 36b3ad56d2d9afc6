/**
 * The reconcile loop's duplicate sweep. A backend that can hold two applications of one (account, service)
 * pair (3scale) reports the newer one as a `duplicate`; the loop removes it, keeps the older one (whose key
 * callers were told), records `duplicate_removed` and counts it by kind; a dry run lists it and changes nothing.
 * The embedded store cannot hold a duplicate at all (its schema refuses one), and never removes a pair's last
 * application even when asked to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { ApiManager, Application, DueDeadline } from '../../src/apim/api-manager.js';
import type { AuditTrail, KeyEventInput } from '../../src/audit/audit-log.js';
import { compareApplicationIds } from '../../src/provisioning/converge.js';
import { reconcileOnce } from '../../src/provisioning/reconcile.js';
import { startHarness, type Harness } from '../support/helper-harness.js';

const CREATED = new Date('2026-05-01T10:00:00Z');

const application = (id: string, accountId: string, serviceId: string): Application => ({
  id,
  accountId,
  serviceId,
  planId: 'p',
  planName: 'P',
  state: 'live',
  apiKey: `key-of-${id}`,
  keyPreview: `key…${id}`,
  appId: null,
});

/**
 * A backend over an array that, like 3scale, allows several applications per pair, and lists every newer one
 * as a duplicate (the PORT semantics the 3scale adapter implements).
 */
function multiStore(apps: Application[]) {
  const calls = { list: 0, complete: 0 };
  const olderOf = (app: Application) =>
    apps.find(
      (o) => o.accountId === app.accountId && o.serviceId === app.serviceId && compareApplicationIds(o.id, app.id) < 0,
    );
  const manager = {
    apps,
    calls,
    async listDueDeadlines(_now: Date, limit: number): Promise<DueDeadline[]> {
      calls.list += 1;
      return apps
        .filter((app) => olderOf(app) !== undefined)
        .slice(0, limit)
        .map((app) => ({
          kind: 'duplicate' as const,
          accountId: app.accountId,
          userId: `user-${app.accountId}`,
          serviceId: app.serviceId,
          applicationId: app.id,
          keyPreview: app.keyPreview,
          at: CREATED,
          ref: `dup:${app.id}`,
        }));
    },
    async completeDeadline(deadline: DueDeadline): Promise<boolean> {
      calls.complete += 1;
      const index = apps.findIndex((a) => a.id === deadline.applicationId);
      const app = apps[index];
      if (app === undefined || olderOf(app) === undefined) return false;
      apps.splice(index, 1);
      return true;
    },
  } satisfies Partial<ApiManager> & { apps: Application[]; calls: typeof calls };
  return manager;
}

describe('reconcile duplicate sweep', () => {
  const events: KeyEventInput[] = [];
  const audit: AuditTrail = { record: async (event) => void events.push(event) };
  /** Person a has two applications on s1 (10, 11) and one on s2; person b two on s1 (9, 13). */
  const twoPairsWithDuplicates = () =>
    multiStore([
      application('10', 'a', 's1'),
      application('11', 'a', 's1'),
      application('12', 'a', 's2'),
      application('13', 'b', 's1'),
      application('9', 'b', 's1'),
    ]);
  const run = (manager: ReturnType<typeof multiStore>, dryRun = false, onDeadline?: (o: string, k: string) => void) =>
    reconcileOnce(
      {
        apiManager: manager as unknown as ApiManager,
        audit,
        callsPerMinute: 600_000,
        concurrency: 4,
        ...(onDeadline ? { onDeadline } : {}),
      },
      { dryRun },
    );

  it('a dry run lists the newer application of each pair and changes nothing', async () => {
    events.length = 0;
    const manager = twoPairsWithDuplicates();
    const report = await run(manager, true);
    assert.equal(report.due, 2);
    assert.deepEqual(
      report.planned.map((p) => [p.kind, p.applicationId, p.serviceId]),
      [
        ['duplicate', '11', 's1'],
        ['duplicate', '13', 's1'],
      ],
    );
    assert.equal(manager.apps.length, 5);
    assert.equal(manager.calls.complete, 0);
    assert.equal(events.length, 0);
  });

  it('removes the newer application of each pair, keeps the older, records and counts each removal', async () => {
    events.length = 0;
    const manager = twoPairsWithDuplicates();
    const counted: string[] = [];
    const report = await run(manager, false, (outcome, kind) => counted.push(`${outcome}:${kind}`));
    assert.deepEqual([report.due, report.done, report.failed], [2, 2, 0]);
    assert.deepEqual(manager.apps.map((a) => a.id).sort(), ['10', '12', '9']);
    assert.deepEqual(
      events.map((e) => [e.event, e.outcome, e.userId, e.serviceId, e.keyPreview]),
      [
        ['duplicate_removed', 'success', 'user-a', 's1', 'key…11'],
        ['duplicate_removed', 'success', 'user-b', 's1', 'key…13'],
      ],
    );
    assert.match(events[0]?.detail ?? '', /application 11 .*removed/);
    assert.deepEqual(counted.sort(), ['done:duplicate', 'done:duplicate', 'due:duplicate', 'due:duplicate']);
    // Nothing left: one read, no completion.
    const calls = manager.calls.complete;
    assert.equal((await run(manager)).due, 0);
    assert.equal(manager.calls.complete, calls);
  });

  it('skips a duplicate whose older application is gone meanwhile, removing nothing', async () => {
    events.length = 0;
    const manager = multiStore([application('20', 'c', 's1'), application('21', 'c', 's1')]);
    const [due] = await manager.listDueDeadlines(new Date(), 10);
    assert.ok(due !== undefined);
    manager.apps.splice(0, 1); // the older one was revoked in between
    assert.equal(await manager.completeDeadline(due), false);
    assert.deepEqual(
      manager.apps.map((a) => a.id),
      ['21'],
    );
  });
});

describe('duplicate sweep on the embedded store', () => {
  let h: Harness;
  let key: string;
  before(async () => {
    h = await startHarness();
    const token = await h.issuer.token();
    const init = await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers: { authorization: `Bearer ${token}` },
      payload: { service_id: 'sentiment-analysis' },
    });
    key = init.json().data.api_key;
  });
  after(() => h.close());

  const gateway = async (apiKey: string) =>
    (
      await h.helper.app.inject({
        method: 'POST',
        url: '/gateway/sentiment-analysis',
        headers: { 'x-api-key': apiKey },
      })
    ).statusCode;

  it('refuses a second application of a pair written directly into the database', () => {
    const db = new Database(join(h.dataDir, 'mlaas.db'));
    try {
      const row = db.prepare('SELECT * FROM applications').get() as Record<string, unknown>;
      assert.throws(
        () =>
          db
            .prepare(
              `INSERT INTO applications (id, account_id, service_id, plan_id, plan_name, state, name, description,
                 key_ciphertext, key_preview, key_hash, created_at)
               VALUES ('app_zzzz', ?, ?, 'p', 'P', 'live', 'n', 'd', x'00', 'mlaas_…dup', 'dup-hash', ?)`,
            )
            .run(row.account_id, row.service_id, row.created_at),
        /UNIQUE constraint failed: applications.account_id, applications.service_id/,
      );
    } finally {
      db.close();
    }
  });

  it("never removes a pair's only application, even when told it is a duplicate; its key keeps working", async () => {
    const store = h.helper.apiManager;
    const db = new Database(join(h.dataDir, 'mlaas.db'), { readonly: true });
    const account = db.prepare('SELECT id, username FROM accounts').get() as { id: string; username: string };
    db.close();
    const [only] = await store.listApplications(account.id);
    assert.ok(only !== undefined);
    const forged: DueDeadline = {
      kind: 'duplicate',
      accountId: account.id,
      userId: account.username,
      serviceId: only.serviceId,
      applicationId: only.id,
      keyPreview: only.keyPreview,
      at: new Date(),
      ref: `dup:${only.id}`,
    };
    const events: KeyEventInput[] = [];
    const report = await reconcileOnce({
      apiManager: {
        ...store,
        listDueDeadlines: async (at, limit) => [...(await store.listDueDeadlines(at, limit)), forged],
      },
      audit: { record: async (event) => void events.push(event) },
      callsPerMinute: 600_000,
      concurrency: 8,
    });
    assert.deepEqual([report.due, report.done, report.skipped], [1, 0, 1]);
    assert.equal(events.length, 0);
    assert.equal((await store.listApplications(account.id)).length, 1);
    assert.equal(await gateway(key), 200);
  });
});
