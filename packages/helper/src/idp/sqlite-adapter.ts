/**
 * @module idp/sqlite-adapter
 * Storage of the embedded issuer's state (sessions, interactions, codes, grants, refresh tokens) in SQLite,
 * in the shape oidc-provider's adapter interface expects. Unlike the library's in-memory LRU it survives a
 * restart and never evicts a live grant, so refresh tokens and their reuse detection keep working.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { HelperError } from '../errors/helper-error.js';
import { preparePrivateDatabase } from '../lib/private-file.js';

/** Name of the issuer's database in the data directory. */
export const IDP_DATABASE_FILE = 'idp.db';
/** Expired rows are kept this long so a late poll gets "expired" rather than "not found", then purged. */
const EXPIRED_GRACE_SECONDS = 3_600;
/** A purge of expired rows runs at most this often. */
const PURGE_INTERVAL_MS = 60_000;

interface Row {
  payload: string;
}

/** A factory of per-model adapters over one database, and the means to close it. */
export interface SqliteAdapterStore {
  /** Pass as oidc-provider's `adapter` option. */
  adapterFor(model: string): Adapter;
  close(): void;
}

/**
 * Opens (creating when needed) the issuer database in a data directory.
 * @example const store = openSqliteAdapterStore('.mlaas-data'); new Provider(issuer, { adapter: store.adapterFor });
 */
export function openSqliteAdapterStore(dataDir: string, now: () => number = Date.now): SqliteAdapterStore {
  let db: Database.Database;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, IDP_DATABASE_FILE);
    // Refresh tokens and sessions live here: the file and its WAL files are 0600.
    preparePrivateDatabase(file);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS oidc_models (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        grant_id TEXT,
        user_code TEXT,
        uid TEXT,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (model, id)
      );
      CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_models_expiry ON oidc_models (expires_at);
    `);
  } catch (error) {
    throw new HelperError('CONFIG_ERROR', `cannot open the issuer database in ${dataDir}`, { cause: error });
  }

  const seconds = () => Math.floor(now() / 1000);
  const statements = {
    upsert: db.prepare<[string, string, string, string | null, string | null, string | null, number]>(
      `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
    ),
    find: db.prepare<[string, string], Row>('SELECT payload FROM oidc_models WHERE model = ? AND id = ?'),
    findByUserCode: db.prepare<[string, string], Row>(
      'SELECT payload FROM oidc_models WHERE model = ? AND user_code = ?',
    ),
    findByUid: db.prepare<[string, string], Row>('SELECT payload FROM oidc_models WHERE model = ? AND uid = ?'),
    consume: db.prepare<[number, string, string]>(
      `UPDATE oidc_models SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ?`,
    ),
    destroy: db.prepare<[string, string]>('DELETE FROM oidc_models WHERE model = ? AND id = ?'),
    revokeByGrantId: db.prepare<[string]>('DELETE FROM oidc_models WHERE grant_id = ?'),
    purge: db.prepare<[number]>('DELETE FROM oidc_models WHERE expires_at < ?'),
  };
  let lastPurge = 0;
  function purgeNowAndThen(): void {
    if (now() - lastPurge < PURGE_INTERVAL_MS) return;
    lastPurge = now();
    statements.purge.run(seconds() - EXPIRED_GRACE_SECONDS);
  }
  const parse = (row: Row | undefined): AdapterPayload | undefined =>
    row === undefined ? undefined : (JSON.parse(row.payload) as AdapterPayload);

  return {
    adapterFor(model: string): Adapter {
      return {
        async upsert(id, payload, expiresIn) {
          purgeNowAndThen();
          statements.upsert.run(
            model,
            id,
            JSON.stringify(payload),
            typeof payload.grantId === 'string' ? payload.grantId : null,
            typeof payload.userCode === 'string' ? payload.userCode : null,
            typeof payload.uid === 'string' ? payload.uid : null,
            seconds() + expiresIn,
          );
        },
        async find(id) {
          return parse(statements.find.get(model, id));
        },
        async findByUserCode(userCode) {
          return parse(statements.findByUserCode.get(model, userCode));
        },
        async findByUid(uid) {
          return parse(statements.findByUid.get(model, uid));
        },
        async consume(id) {
          statements.consume.run(seconds(), model, id);
        },
        async destroy(id) {
          statements.destroy.run(model, id);
        },
        async revokeByGrantId(grantId) {
          statements.revokeByGrantId.run(grantId);
        },
      };
    },
    close() {
      if (db.open) db.close();
    },
  };
}
