/**
 * @module apim/embedded/migrations
 * The embedded store's SQL schema as a list of versioned migrations, tracked in `PRAGMA user_version`.
 * Each migration runs in its own transaction together with the version bump, so a crash leaves the database
 * at the previous version or the next one, never in between.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { HelperError } from '../../errors/helper-error.js';

/** One step of the schema; `version` is the `user_version` after it. Never edit a released migration. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'accounts and applications',
    sql: `
      CREATE TABLE accounts (
        id         TEXT PRIMARY KEY,
        username   TEXT NOT NULL UNIQUE,
        email      TEXT,
        state      TEXT NOT NULL CHECK (state IN ('approved', 'pending', 'rejected', 'suspended')),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX accounts_email ON accounts (email);

      CREATE TABLE applications (
        id             TEXT PRIMARY KEY,
        account_id     TEXT NOT NULL REFERENCES accounts (id),
        service_id     TEXT NOT NULL,
        plan_id        TEXT NOT NULL,
        plan_name      TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('live', 'pending', 'suspended')),
        name           TEXT NOT NULL,
        description    TEXT NOT NULL,
        key_ciphertext BLOB NOT NULL,
        key_preview    TEXT NOT NULL,
        key_hash       TEXT NOT NULL UNIQUE,
        created_at     TEXT NOT NULL,
        UNIQUE (account_id, service_id)
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'key lifecycle: expiry, replaced and revoked keys',
    // Times are ISO-8601 UTC strings (Date#toISOString), which sort as text in time order.
    sql: `
      ALTER TABLE applications ADD COLUMN expires_at TEXT;
      ALTER TABLE applications ADD COLUMN key_created_at TEXT;
      ALTER TABLE applications ADD COLUMN expiry_recorded_at TEXT;
      CREATE INDEX applications_expiry_due ON applications (expires_at)
        WHERE expires_at IS NOT NULL AND expiry_recorded_at IS NULL;

      CREATE TABLE retired_keys (
        key_hash          TEXT PRIMARY KEY,
        application_id    TEXT NOT NULL,
        account_id        TEXT NOT NULL REFERENCES accounts (id),
        service_id        TEXT NOT NULL,
        key_preview       TEXT NOT NULL,
        issued_at         TEXT,
        expires_at        TEXT,
        reason            TEXT NOT NULL CHECK (reason IN ('rotated', 'revoked', 'expired')),
        retired_at        TEXT NOT NULL,
        valid_until       TEXT NOT NULL,
        ended_recorded_at TEXT
      ) STRICT;
      CREATE INDEX retired_keys_account ON retired_keys (account_id, service_id);
      CREATE INDEX retired_keys_application ON retired_keys (application_id);
      CREATE INDEX retired_keys_due ON retired_keys (valid_until) WHERE ended_recorded_at IS NULL;
    `,
  },
  {
    version: 3,
    description: 'usage: hits per application and minute',
    // One row per application and minute with traffic (minutes since the epoch): small, and cheap to sum over
    // any calendar period; written in batches by the demo gateway, not once per call.
    sql: `
      CREATE TABLE usage_minutes (
        application_id TEXT NOT NULL,
        minute         INTEGER NOT NULL,
        hits           INTEGER NOT NULL CHECK (hits >= 0),
        PRIMARY KEY (application_id, minute)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description: 'who an application was made for, and suspension by offboarding',
    // suspended_by: why MLaaS suspended the application (null when it did not); resume_state: the state it
    // returns to when resumed, so a pending application is not made live by a resume.
    sql: `
      ALTER TABLE applications ADD COLUMN subject TEXT;
      ALTER TABLE applications ADD COLUMN suspended_by TEXT CHECK (suspended_by IN ('offboarding'));
      ALTER TABLE applications ADD COLUMN resume_state TEXT CHECK (resume_state IN ('live', 'pending'));
    `,
  },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Brings a database up to {@link SCHEMA_VERSION}. Refuses (CONFIG_ERROR) a database written by a newer
 * version of the helper rather than guess at a schema it does not know.
 * @example migrate(new Database(join(dataDir, 'mlaas.db')));
 */
export function migrate(db: BetterSqlite3.Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.at(-1)?.version ?? 0;
  refuseNewer(db, userVersion(db), latest);
  for (const migration of migrations) {
    if (userVersion(db) >= migration.version) continue;
    db.transaction(() => {
      // Read again under the write lock (IMMEDIATE): another process starting at the same time may have
      // applied this migration since the check above.
      const current = userVersion(db);
      refuseNewer(db, current, latest);
      if (current >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

function refuseNewer(db: BetterSqlite3.Database, current: number, latest: number): void {
  if (current <= latest) return;
  throw new HelperError(
    'CONFIG_ERROR',
    `the database ${db.name} has schema version ${current}, newer than this helper knows (${latest}); ` +
      'upgrade the helper or point it at another data directory',
  );
}

function userVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
