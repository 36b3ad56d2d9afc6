/**
 * @module audit/sqlite-audit-store
 * The audit history in an SQLite file under the data directory, for both back ends. With 3scale the file lives
 * on the helper's volume: 3scale has no place for per-user event history, and Redis is not durable enough for
 * an audit trail. Several replicas on one volume share it safely (SQLite locks it); replicas on separate volumes
 * each keep the events they handled, while the log lines carry every event to a central system.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HelperError } from '../errors/helper-error.js';
import type { AuditPage, AuditStore, KeyEvent, KeyEventInput, KeyEventType } from './audit-log.js';

/** Name of the audit database in the data directory. */
export const AUDIT_DATABASE_FILE = 'audit.db';

interface EventRow {
  id: number;
  at: string;
  event: string;
  outcome: string;
  user_id: string;
  subject: string | null;
  service_id: string;
  key_preview: string | null;
  client_address: string | null;
  client: string | null;
  request_id: string | null;
  detail: string | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS key_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    event          TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    user_id        TEXT NOT NULL,
    subject        TEXT,
    service_id     TEXT NOT NULL,
    key_preview    TEXT,
    client_address TEXT,
    client         TEXT,
    request_id     TEXT,
    detail         TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS key_events_user ON key_events (user_id, id);
`;

/**
 * Opens (creating when needed) the audit history at `path`. Throws CONFIG_ERROR when it cannot.
 * @example const store = openAuditStore(join(dataDir, AUDIT_DATABASE_FILE));
 */
export function openAuditStore(path: string): AuditStore {
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Database(path);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
  } catch (error) {
    throw new HelperError('CONFIG_ERROR', `cannot open the audit history ${path}`, { cause: error });
  }
  const insert = db.prepare<
    [
      string,
      string,
      string,
      string,
      string | null,
      string,
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
    ]
  >(
    `INSERT INTO key_events (at, event, outcome, user_id, subject, service_id, key_preview, client_address, client,
                             request_id, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const ofUser = db.prepare<[string, number, number], EventRow>(
    'SELECT * FROM key_events WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  const ofAll = db.prepare<[number, number], EventRow>(
    'SELECT * FROM key_events WHERE id < ? ORDER BY id DESC LIMIT ?',
  );
  const insertOne = (event: KeyEventInput): KeyEvent => {
    const result = insert.run(
      event.at.toISOString(),
      event.event,
      event.outcome,
      event.userId,
      event.subject,
      event.serviceId,
      event.keyPreview,
      event.origin.clientAddress,
      event.origin.client,
      event.origin.requestId,
      event.detail,
    );
    return { ...event, id: Number(result.lastInsertRowid) };
  };
  // One commit (one wait for the disk) for a page of the reconcile loop's events, instead of one each.
  const insertAll = db.transaction((events: readonly KeyEventInput[]) => events.map(insertOne));
  // Events appended in one turn of the event loop share a commit (group commit): a burst of key requests
  // waits for the disk once per turn rather than once per event, and each append still resolves after its
  // event is on disk.
  let pending: { event: KeyEventInput; resolve: (stored: KeyEvent) => void; reject: (error: unknown) => void }[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      const stored = insertAll.immediate(batch.map((entry) => entry.event));
      batch.forEach((entry, i) => entry.resolve(stored[i] as KeyEvent));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  };
  let closed = false;
  return {
    append(event: KeyEventInput): Promise<KeyEvent> {
      return new Promise((resolve, reject) => {
        pending.push({ event, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    async appendMany(events: readonly KeyEventInput[]): Promise<KeyEvent[]> {
      return insertAll.immediate(events);
    },
    async list(page: AuditPage): Promise<KeyEvent[]> {
      const before = page.before ?? Number.MAX_SAFE_INTEGER;
      const rows =
        page.userId === undefined ? ofAll.all(before, page.limit) : ofUser.all(page.userId, before, page.limit);
      return rows.map(toEvent);
    },
    async close() {
      if (closed) return;
      closed = true;
      flush();
      db.close();
    },
  };
}

function toEvent(row: EventRow): KeyEvent {
  return {
    id: row.id,
    at: new Date(row.at),
    event: row.event as KeyEventType,
    outcome: row.outcome === 'failure' ? 'failure' : 'success',
    userId: row.user_id,
    subject: row.subject,
    serviceId: row.service_id,
    keyPreview: row.key_preview,
    origin: { clientAddress: row.client_address, client: row.client, requestId: row.request_id },
    detail: row.detail,
  };
}
