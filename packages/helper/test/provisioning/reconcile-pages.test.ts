/**
 * The reconcile loop's paths on the real embedded store: a page marked done in one step (one backend call, its
 * key events stored together), idempotent when another runner got there first and resumable when the step
 * fails; the per-deadline path of a backend without page completion; and one backend call when nothing is due.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ApiManager } from '../../src/apim/api-manager.js';
import { createEmbeddedStore, type EmbeddedStore } from '../../src/apim/embedded/index.js';
import { createAuditTrail, type KeyEvent } from '../../src/audit/audit-log.js';
import { AUDIT_DATABASE_FILE, openAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { HelperError } from '../../src/errors/helper-error.js';
import { createLogger } from '../../src/log/logger.js';
import { createProvisioning } from '../../src/provisioning/provisioning.js';
import { reconcileOnce, type ReconcileOptions } from '../../src/provisioning/reconcile.js';
import { createMemoryLocks } from '../../src/state/memory-locks.js';

const DAY_MS = 86_400_000;
const KEYS = 12;

describe('reconcile loop: pages, per-deadline path, idle cost', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  let history: ReturnType<typeof openAuditStore>;
  let clock: number;
  const now = () => new Date(clock);

  beforeEach(async () => {
    clock = Date.parse('2026-04-01T00:00:00Z');
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-reconcile-pages-'));
    store = createEmbeddedStore({ dataDir, encryptionKey: Buffer.alloc(32, 4), now });
    history = openAuditStore(join(dataDir, AUDIT_DATABASE_FILE));
    const provisioning = createProvisioning({
      apiManager: store,
      locks: createMemoryLocks(),
      autoCreateAccounts: true,
      keyTtlDays: 1,
      now,
    });
    for (let i = 0; i < KEYS; i += 1) {
      const identity = {
        userId: `p-${i}`,
        email: null,
        emailVerified: false,
        subject: `s-${i}`,
        roles: [],
        groups: [],
      };
      await provisioning.initServiceKey(identity, { id: 'sentiment-analysis' });
    }
    clock += 2 * DAY_MS;
  });
  afterEach(async () => {
    await store.close();
    await history.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The store with every call counted. */
  function counted(manager: ApiManager) {
    const calls = { list: 0, one: 0, page: 0 };
    const wrapped: ApiManager = {
      ...manager,
      listDueDeadlines: (at, limit) => {
        calls.list += 1;
        return manager.listDueDeadlines(at, limit);
      },
      completeDeadline: (deadline, at) => {
        calls.one += 1;
        return manager.completeDeadline(deadline, at);
      },
      completeDeadlines:
        manager.completeDeadlines === undefined
          ? undefined
          : (deadlines, at) => {
              calls.page += 1;
              return manager.completeDeadlines!(deadlines, at);
            },
    };
    return { wrapped, calls };
  }

  const options = (apiManager: ApiManager, extra: Partial<ReconcileOptions> = {}): ReconcileOptions => ({
    apiManager,
    audit: createAuditTrail(history, createLogger({ level: 'silent' })),
    callsPerMinute: 600_000,
    concurrency: 8,
    now,
    ...extra,
  });
  const events = async (): Promise<KeyEvent[]> => history.list({ limit: 1000 });

  it('marks each page done in one call and stores every event once', async () => {
    const { wrapped, calls } = counted(store);
    const report = await reconcileOnce(options(wrapped, { pageSize: 5 }));
    assert.deepEqual([report.due, report.done, report.failed, report.skipped], [KEYS, KEYS, 0, 0]);
    // Pages of 5, 5 and 2: three reads and three completion calls, none per deadline.
    assert.deepEqual(calls, { list: 3, one: 0, page: 3 });
    const stored = await events();
    assert.equal(stored.length, KEYS);
    assert.deepEqual(new Set(stored.map((e) => e.event)), new Set(['expired']));
    assert.equal(new Set(stored.map((e) => e.userId)).size, KEYS);
    assert.equal((await reconcileOnce(options(wrapped))).due, 0);
  });

  it('skips, without an event, a deadline another runner completed between the read and the page', async () => {
    const [first] = await store.listDueDeadlines(now(), 1);
    assert.ok(first !== undefined);
    const racing: ApiManager = {
      ...store,
      async completeDeadlines(deadlines, at) {
        // Another replica (or an earlier run that crashed before its events) got to this one first.
        assert.equal(await store.completeDeadline(first, at), true);
        return store.completeDeadlines!(deadlines, at);
      },
    };
    const report = await reconcileOnce(options(racing));
    assert.deepEqual([report.done, report.skipped], [KEYS - 1, 1]);
    assert.equal((await events()).length, KEYS - 1);
  });

  it('leaves the whole page due when its step fails, and the next run does it', async () => {
    const warnings: object[] = [];
    const failing: ApiManager = {
      ...store,
      completeDeadlines: async () => {
        throw new HelperError('UPSTREAM_UNAVAILABLE', 'the embedded store is busy');
      },
    };
    const report = await reconcileOnce(options(failing, { log: { warn: (fields) => warnings.push(fields) } }));
    assert.deepEqual([report.due, report.done, report.failed], [KEYS, 0, KEYS]);
    assert.equal(warnings.length, 1);
    assert.equal((await events()).length, 0);
    assert.equal((await store.listDueDeadlines(now(), 100)).length, KEYS);
    const next = await reconcileOnce(options(store));
    assert.equal(next.done, KEYS);
  });

  it('takes one call per deadline, at most `concurrency` in flight, for a backend without page completion', async () => {
    let inFlight = 0;
    let most = 0;
    const { wrapped, calls } = counted({
      ...store,
      completeDeadlines: undefined,
      async completeDeadline(deadline, at) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return store.completeDeadline(deadline, at);
      },
    });
    const outcomes: string[] = [];
    const report = await reconcileOnce(
      options(wrapped, { concurrency: 3, onDeadline: (outcome, kind) => outcomes.push(`${outcome}:${kind}`) }),
    );
    assert.equal(report.done, KEYS);
    assert.deepEqual(calls, { list: 1, one: KEYS, page: 0 });
    assert.equal(most, 3);
    assert.equal(outcomes.filter((o) => o === 'done:expired').length, KEYS);
    assert.equal((await events()).length, KEYS);
  });

  it('makes one backend call, and no write, when nothing is due', async () => {
    await reconcileOnce(options(store));
    const { wrapped, calls } = counted(store);
    const report = await reconcileOnce(options(wrapped));
    assert.equal(report.due, 0);
    assert.deepEqual(calls, { list: 1, one: 0, page: 0 });
  });

  it('paces its calls with the injected sleep', async () => {
    const slept: number[] = [];
    const report = await reconcileOnce(
      options(store, {
        pageSize: 5,
        callsPerMinute: 60,
        sleep: async (ms) => void slept.push(ms),
      }),
    );
    assert.equal(report.done, KEYS);
    // Six calls (three reads, three pages) at one a second: every call after the first waits for its slot, a
    // second after the one before (the fake sleep lets no time pass, so the waits add up: ~1 s, ~2 s, … ~5 s).
    assert.equal(slept.length, 5);
    slept.forEach((ms, i) => assert.ok(ms > i * 1000 && ms <= (i + 1) * 1000, `wait ${i}: ${ms} ms`));
  });
});
