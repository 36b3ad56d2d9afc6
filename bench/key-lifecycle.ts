/**
 * @module bench/key-lifecycle
 * Key lifecycle numbers on the embedded store:
 * - revocation: after `DELETE /api/services/{id}/key` returns, how many of 1,000 requests with the old key pass
 *   the demo gateway (target 0);
 * - reconcile: how long the loop takes for 10,000 due deadlines (target <= 60 s) with at most 8 enforcements in
 *   flight, and how many backend calls a run with nothing due makes for 10,000 keys (target <= 1 per 100 keys);
 *   one call and two commits per deadline (the path of a backend without page completion) against the store's
 *   page completion with batched audit events, both unpaced in the same run, then page completion paced at the
 *   helper's default 600 calls per minute.
 * Prints a markdown report on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiManager } from '../packages/helper/src/apim/api-manager.js';
import type { AuditStore } from '../packages/helper/src/audit/audit-log.js';
import { createEmbeddedStore } from '../packages/helper/src/apim/embedded/index.js';
import { createAuditTrail } from '../packages/helper/src/audit/audit-log.js';
import { AUDIT_DATABASE_FILE, openAuditStore } from '../packages/helper/src/audit/sqlite-audit-store.js';
import { createLogger } from '../packages/helper/src/log/logger.js';
import { reconcileOnce } from '../packages/helper/src/provisioning/reconcile.js';
import { startHarness } from '../packages/helper/test/support/helper-harness.js';

const OLD_KEY_REQUESTS = 1_000;
const DUE = 10_000;
const CONCURRENCY = 8;
/** No pacing: the loop as fast as the store allows. */
const UNPACED = 1_000_000;
/** The helper's default RECONCILE_CALLS_PER_MINUTE. */
const DEFAULT_CALLS_PER_MINUTE = 600;

async function revocation(): Promise<{ passed: number; refused: number }> {
  const h = await startHarness({ RATE_LIMIT_IP_PER_MINUTE: '0', RATE_LIMIT_USER_PER_MINUTE: '0' });
  try {
    const token = await h.issuer.token();
    const headers = { authorization: `Bearer ${token}` };
    const init = await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers,
      payload: { service_id: 'sentiment-analysis' },
    });
    const key = init.json().data.api_key as string;
    const revoke = await h.helper.app.inject({
      method: 'DELETE',
      url: '/api/services/sentiment-analysis/key',
      headers,
    });
    if (revoke.statusCode !== 200) throw new Error(`revoke failed: ${revoke.body}`);
    let passed = 0;
    for (let i = 0; i < OLD_KEY_REQUESTS; i += 1) {
      const call = await h.helper.app.inject({
        method: 'POST',
        url: '/gateway/sentiment-analysis',
        headers: { 'x-api-key': key },
      });
      if (call.statusCode === 200) passed += 1;
    }
    return { passed, refused: OLD_KEY_REQUESTS - passed };
  } finally {
    await h.close();
  }
}

/**
 * How the loop runs: `per-deadline` hides the store's page completion and the audit store's batch append, so the
 * loop takes the path a backend without them takes (one call and two commits per deadline: the build before
 * page completion did this for every backend); `per-page` is the embedded store as shipped.
 */
type Mode = 'per-deadline' | 'per-page';

async function reconcile(mode: Mode, callsPerMinute: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-bench-reconcile-'));
  const store = createEmbeddedStore({ dataDir, encryptionKey: Buffer.alloc(32, 1) });
  try {
    // 10,000 keys whose expiry passed a minute ago, written directly in one transaction (the setup is not
    // what is measured).
    const db = new Database(join(dataDir, 'mlaas.db'));
    const past = new Date(Date.now() - 60_000).toISOString();
    db.transaction(() => {
      const account = db.prepare(
        'INSERT INTO accounts (id, username, email, state, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      const app = db.prepare(
        `INSERT INTO applications (id, account_id, service_id, plan_id, plan_name, state, name, description,
           key_ciphertext, key_preview, key_hash, created_at, key_created_at, expires_at)
         VALUES (?, ?, 'sentiment-analysis', 'p', 'P', 'live', 'n', 'd', ?, ?, ?, ?, ?, ?)`,
      );
      for (let i = 0; i < DUE; i += 1) {
        account.run(`acc_${i}`, `user-${i}`, null, 'approved', past);
        app.run(`app_${i}`, `acc_${i}`, Buffer.alloc(1), `mlaas_…${i}`, `hash-${i}`, past, past, past);
      }
    })();
    db.close();

    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const track = async <T>(work: () => Promise<T>): Promise<T> => {
      calls += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        // Yield as an upstream call would, so that enforcements really overlap.
        await new Promise((resolve) => setImmediate(resolve));
        return await work();
      } finally {
        inFlight -= 1;
      }
    };
    const counted: ApiManager = {
      ...store,
      async listDueDeadlines(now, limit) {
        calls += 1;
        return store.listDueDeadlines(now, limit);
      },
      completeDeadline: (deadline, now) => track(() => store.completeDeadline(deadline, now)),
      completeDeadlines:
        mode === 'per-page' ? (deadlines, now) => track(() => store.completeDeadlines!(deadlines, now)) : undefined,
    };
    const opened = openAuditStore(join(dataDir, AUDIT_DATABASE_FILE));
    const history: AuditStore =
      mode === 'per-page'
        ? opened
        : { append: (e) => opened.append(e), list: (p) => opened.list(p), close: () => opened.close() };
    const audit = createAuditTrail(history, createLogger({ level: 'silent' }));
    const options = { apiManager: counted, audit, callsPerMinute, concurrency: CONCURRENCY };
    const started = performance.now();
    const report = await reconcileOnce(options);
    const seconds = (performance.now() - started) / 1000;
    const busyCalls = calls;
    const events = (await opened.list({ limit: DUE + 1 })).length;
    calls = 0;
    const idle = await reconcileOnce(options);
    const idleCalls = calls;
    await history.close();
    return { mode, callsPerMinute, report, seconds, maxInFlight, busyCalls, events, idle, idleCalls };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const revoked = await revocation();
  const loops = [
    await reconcile('per-deadline', UNPACED),
    await reconcile('per-page', UNPACED),
    await reconcile('per-page', DEFAULT_CALLS_PER_MINUTE),
  ];
  const lines = [
    '## key-lifecycle (embedded store)',
    '',
    '| measure | result | target |',
    '|---|---|---|',
    `| old-key requests passing the demo gateway after revoke | ${revoked.passed} of ${OLD_KEY_REQUESTS} | 0 |`,
    '',
    `Reconcile of ${DUE} due deadlines, ${CONCURRENCY} in flight (target <= 60 s):`,
    '',
    '| mode | calls per minute | time | done / failed | audit events | backend calls | most in flight | nothing due: calls (target <= 100) |',
    '|---|---:|---:|---|---:|---:|---:|---:|',
    ...loops.map(
      (l) =>
        `| ${l.mode} | ${l.callsPerMinute === UNPACED ? 'unpaced' : l.callsPerMinute} | ${l.seconds.toFixed(2)} s | ` +
        `${l.report.done} / ${l.report.failed} | ${l.events} | ${l.busyCalls} | ${l.maxInFlight} | ${l.idleCalls} (${l.idle.due} due) |`,
    ),
    '',
    `per-page vs per-deadline (both unpaced): ${(loops[1]!.seconds / loops[0]!.seconds).toFixed(3)} of the time.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
