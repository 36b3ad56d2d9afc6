/**
 * The embedded store's hit counter: calls are held in memory and written in one batch (not one commit per
 * call), survive a close, and the catalog refuses two limits of one period on a plan.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { loadCatalog, type CatalogLimit } from '../../src/apim/embedded/catalog.js';
import { createHitCounter } from '../../src/apim/embedded/hit-counter.js';
import { migrate } from '../../src/apim/embedded/migrations.js';
import { isHelperError } from '../../src/errors/helper-error.js';

const dir = mkdtempSync(join(tmpdir(), 'mlaas-hits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rows = (db: Database.Database) =>
  db.prepare('SELECT minute, hits FROM usage_minutes ORDER BY minute').all() as { minute: number; hits: number }[];

describe('hit counter', () => {
  const limits: CatalogLimit[] = [{ metric: 'hits', period: 'day', max: 1000 }];
  const at = new Date('2026-12-07T10:15:20Z');

  it('writes 100 calls as one row in one batch, only when flushed', () => {
    const db = new Database(join(dir, 'a.db'));
    migrate(db);
    // A long interval: only the explicit flush writes.
    const counter = createHitCounter(db, { flushIntervalMs: 3_600_000 });
    for (let i = 0; i < 100; i++) assert.equal(counter.admit('app_1', limits, at).admitted, true);
    assert.deepEqual(rows(db), []);
    assert.equal(counter.used('app_1', 'day', at), 100);
    counter.flush();
    assert.deepEqual(rows(db), [{ minute: Math.floor(at.getTime() / 60_000), hits: 100 }]);
    counter.admit('app_1', limits, at);
    counter.close();
    assert.deepEqual(rows(db), [{ minute: Math.floor(at.getTime() / 60_000), hits: 101 }]);
    db.close();
  });

  it('starts from what the database holds', () => {
    const db = new Database(join(dir, 'a.db'));
    migrate(db);
    const counter = createHitCounter(db);
    assert.equal(counter.used('app_1', 'day', at), 101);
    const state = counter.admit('app_1', limits, at);
    assert.equal(state.admitted && state.limits[0]?.used, 102);
    counter.close();
    db.close();
  });
});

describe('catalog limits', () => {
  it('refuses two limits of one period on a plan', () => {
    const path = join(dir, 'catalog.json');
    writeFileSync(
      path,
      JSON.stringify({
        services: [
          {
            id: 's',
            name: 'S',
            authentication: 'api_key',
            credentials: { location: 'header', key_parameter: 'X-API-Key' },
            plans: [
              {
                id: 'p',
                name: 'P',
                limits: [
                  { period: 'day', max: 1 },
                  { period: 'day', max: 2 },
                ],
              },
            ],
          },
        ],
      }),
    );
    assert.throws(
      () => loadCatalog(path),
      (error: unknown) =>
        isHelperError(error) && /limits\[1\]\.period: duplicate limit period "day"/.test(error.message),
    );
  });

  it('reads the demo catalog limits per plan', () => {
    const catalog = loadCatalog();
    assert.deepEqual(catalog.limits.get('sentiment-analysis-basic'), [
      { metric: 'hits', period: 'minute', max: 60 },
      { metric: 'hits', period: 'day', max: 1000 },
      { metric: 'hits', period: 'month', max: 10000 },
    ]);
  });
});
