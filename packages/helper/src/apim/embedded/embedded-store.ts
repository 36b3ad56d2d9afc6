/**
 * @module apim/embedded/embedded-store
 * The `ApiManager` port on SQLite: services and plans from a catalog file (in memory), accounts and
 * applications in a database under the data directory, API keys encrypted at rest. For running MLaaS without
 * 3scale (demos, development, small installations).
 */
import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HelperError } from '../../errors/helper-error.js';
import {
  frozenService,
  type Account,
  type AccountState,
  type ApiManager,
  type ApiService,
  type Application,
  type ApplicationUsage,
  type ApplicationState,
  type CreateApplicationInput,
  type DueDeadline,
  type HeldApplication,
  type Identity,
  type KeyHolder,
  type KeyRecord,
  type KeyState,
  type RevokeOptions,
  type RotateKeyInput,
  type RotatedKey,
  type ServicePlan,
} from '../api-manager.js';
import { loadCatalog } from './catalog.js';
import { createHitCounter, type Admission } from './hit-counter.js';
import type { UsageWindow } from '../../usage/periods.js';
import type { ServiceRule } from '../../entitlements/policy.js';
import { createKeyCipher, loadOrCreateKeyFile, type KeyCipher } from './key-cipher.js';
import { generateApiKey, isWellFormedApiKey } from './key-format.js';
import { previewKey } from '../../lib/key-preview.js';
import { preparePrivateDatabase } from '../../lib/private-file.js';
import { migrate } from './migrations.js';

/** Name of the database file in the data directory. */
export const DATABASE_FILE = 'mlaas.db';
/** Name of the generated encryption-key file in the data directory (used when no key is configured). */
export const KEY_FILE = 'store.key';
/** How long a write waits for another connection's lock before failing. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export interface EmbeddedStoreOptions {
  /** Directory of the database (and of the generated key file); created with mode 0700 when missing. */
  dataDir: string;
  /** Catalog file (YAML or JSON); the shipped demo catalog when absent. */
  catalogPath?: string | undefined;
  /** 32-byte AES key for keys at rest; when absent, read from or generated into `<dataDir>/store.key`. */
  encryptionKey?: Buffer | undefined;
  /** Source of randomness for ids and API keys. */
  randomBytes?: ((n: number) => Buffer) | undefined;
  /** Clock for `created_at`. */
  now?: (() => Date) | undefined;
  /** Base URL that catalog endpoints given as paths ("/gateway/…") are relative to; the helper's own URL. */
  baseUrl?: string | undefined;
}

/** The embedded store: the `ApiManager` port plus a key lookup for a gateway. */
export interface EmbeddedStore extends ApiManager {
  /**
   * The application a key is accepted for right now, or null: the application's current key unless expired,
   * or a replaced key still in its grace period. Null for a malformed, revoked, expired or grace-ended key.
   */
  findApplicationByKey(key: string): Application | null;
  /**
   * Counts one call of an application against its plan's limits (the catalog's), unless one is reached:
   * then the call is refused, not counted, and the answer names the limit and when it resets.
   */
  admitCall(application: Application): Admission;
  /** Entitlement rules the catalog file writes next to its services, by service id. */
  readonly catalogEntitlements: ReadonlyMap<string, ServiceRule>;
}

interface AccountRow {
  id: string;
  username: string;
  email: string | null;
  state: string;
}

interface ApplicationRow {
  id: string;
  account_id: string;
  service_id: string;
  plan_id: string;
  plan_name: string;
  state: string;
  key_ciphertext: Buffer;
  key_preview: string;
  key_hash: string;
  created_at: string;
  key_created_at: string | null;
  expires_at: string | null;
  expiry_recorded_at: string | null;
  subject: string | null;
  suspended_by: string | null;
}

interface HolderRow {
  account_id: string;
  username: string;
  email: string | null;
  id: string;
  service_id: string;
  plan_id: string;
  state: string;
  subject: string | null;
  suspended_by: string | null;
}

interface RetiredKeyRow {
  key_hash: string;
  application_id: string;
  account_id: string;
  service_id: string;
  key_preview: string;
  issued_at: string | null;
  expires_at: string | null;
  reason: 'rotated' | 'revoked' | 'expired';
  retired_at: string;
  valid_until: string;
}

interface DueRow {
  source: 'app' | 'key';
  ref: string;
  reason: string;
  account_id: string;
  username: string;
  service_id: string;
  application_id: string;
  key_preview: string;
  due_at: string;
}

const APPLICATION_COLUMNS =
  'id, account_id, service_id, plan_id, plan_name, state, key_ciphertext, key_preview, key_hash, created_at, ' +
  'key_created_at, expires_at, expiry_recorded_at, subject, suspended_by';
const RETIRED_COLUMNS =
  'key_hash, application_id, account_id, service_id, key_preview, issued_at, expires_at, reason, retired_at, valid_until';

/**
 * Opens (creating when needed) the embedded store in a data directory. Throws CONFIG_ERROR for a bad
 * catalog, a bad key file, or a database it cannot open or does not understand.
 * @example
 * const store = createEmbeddedStore({ dataDir: '.mlaas-data' });
 * const account = await store.createAccount(identity);
 * await store.close();
 */
export function createEmbeddedStore(options: EmbeddedStoreOptions): EmbeddedStore {
  if (typeof options?.dataDir !== 'string' || options.dataDir === '') {
    throw new TypeError('createEmbeddedStore: options.dataDir must be a non-empty string');
  }
  const randomBytes = options.randomBytes ?? cryptoRandomBytes;
  const now = options.now ?? (() => new Date());
  const catalog = loadCatalog(options.catalogPath);
  const authenticationOf = new Map(catalog.services.map((service) => [service.id, service.authenticationMethod]));
  const services: readonly ApiService[] = Object.freeze(
    catalog.services.map((service) =>
      frozenService({ ...service, endpoint: resolveEndpoint(service.endpoint, options.baseUrl) }),
    ),
  );

  try {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new HelperError('CONFIG_ERROR', `cannot create the data directory ${options.dataDir}`, { cause: error });
  }
  const cipher: KeyCipher = createKeyCipher(
    options.encryptionKey ?? loadOrCreateKeyFile(join(options.dataDir, KEY_FILE)),
  );
  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  const counter = createHitCounter(db);
  const limitsOf = (planId: string) => catalog.limits.get(planId) ?? [];

  const statements = {
    accountByUsername: db.prepare<[string], AccountRow>(
      'SELECT id, username, email, state FROM accounts WHERE username = ?',
    ),
    // Several accounts may share an email; the oldest is the one the user has been using.
    accountByEmail: db.prepare<[string], AccountRow>(
      'SELECT id, username, email, state FROM accounts WHERE email = ? ORDER BY created_at, rowid LIMIT 1',
    ),
    insertAccount: db.prepare<[string, string, string | null, string, string]>(
      `INSERT INTO accounts (id, username, email, state, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (username) DO NOTHING`,
    ),
    applicationsOfAccount: db.prepare<[string], ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM applications WHERE account_id = ? ORDER BY created_at, rowid`,
    ),
    applicationOfService: db.prepare<[string, string], ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM applications WHERE account_id = ? AND service_id = ?`,
    ),
    applicationByKeyHash: db.prepare<[string], ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM applications WHERE key_hash = ?`,
    ),
    applicationById: db.prepare<[string], ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM applications WHERE id = ?`,
    ),
    insertApplication: db.prepare<
      [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        Buffer,
        string,
        string,
        string,
        string,
        string | null,
        string | null,
      ]
    >(
      `INSERT INTO applications (id, account_id, service_id, plan_id, plan_name, state, name, description,
                                 key_ciphertext, key_preview, key_hash, created_at, key_created_at, expires_at,
                                 subject)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, service_id) DO NOTHING`,
    ),
    deleteAccountApplication: db.prepare<[string, string]>('DELETE FROM applications WHERE account_id = ? AND id = ?'),
    replaceKey: db.prepare<[Buffer, string, string, string, string | null, string]>(
      `UPDATE applications SET key_ciphertext = ?, key_preview = ?, key_hash = ?, key_created_at = ?,
                               expires_at = ?, expiry_recorded_at = NULL
       WHERE id = ?`,
    ),
    deleteApplication: db.prepare<[string]>('DELETE FROM applications WHERE id = ?'),
    graceKeyByHash: db.prepare<[string, string], RetiredKeyRow>(
      `SELECT ${RETIRED_COLUMNS} FROM retired_keys WHERE key_hash = ? AND reason = 'rotated' AND valid_until > ?`,
    ),
    retiredKeysOfAccount: db.prepare<[string], RetiredKeyRow>(
      `SELECT ${RETIRED_COLUMNS} FROM retired_keys WHERE account_id = ? ORDER BY retired_at DESC, rowid DESC`,
    ),
    liveRetiredKeysOfService: db.prepare<[string, string, string], RetiredKeyRow>(
      `SELECT ${RETIRED_COLUMNS} FROM retired_keys WHERE account_id = ? AND service_id = ? AND valid_until > ?`,
    ),
    endGraceOfApplication: db.prepare<[string, string, string]>(
      'UPDATE retired_keys SET valid_until = ? WHERE application_id = ? AND valid_until > ?',
    ),
    endRetiredKeysOfService: db.prepare<[string, string, string, string, string]>(
      `UPDATE retired_keys SET valid_until = ?, ended_recorded_at = COALESCE(ended_recorded_at, ?)
       WHERE account_id = ? AND service_id = ? AND valid_until > ?`,
    ),
    insertRetiredKey: db.prepare<
      [string, string, string, string, string, string | null, string | null, string, string, string, string | null]
    >(
      `INSERT INTO retired_keys (key_hash, application_id, account_id, service_id, key_preview, issued_at,
                                 expires_at, reason, retired_at, valid_until, ended_recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    dueDeadlines: db.prepare<[string, string, number], DueRow>(
      `SELECT * FROM (
         SELECT 'app' AS source, a.id || '@' || a.expires_at AS ref, 'expired' AS reason, a.account_id,
                acc.username, a.service_id, a.id AS application_id, a.key_preview, a.expires_at AS due_at
         FROM applications a JOIN accounts acc ON acc.id = a.account_id
         WHERE a.expires_at IS NOT NULL AND a.expiry_recorded_at IS NULL AND a.expires_at <= ?
         UNION ALL
         SELECT 'key', r.key_hash, r.reason, r.account_id, acc.username, r.service_id, r.application_id,
                r.key_preview, r.valid_until
         FROM retired_keys r JOIN accounts acc ON acc.id = r.account_id
         WHERE r.ended_recorded_at IS NULL AND r.valid_until <= ?
       ) ORDER BY due_at LIMIT ?`,
    ),
    recordExpiry: db.prepare<[string, string, string]>(
      `UPDATE applications SET expiry_recorded_at = ?
       WHERE id = ? AND expires_at = ? AND expiry_recorded_at IS NULL`,
    ),
    recordKeyEnd: db.prepare<[string, string]>(
      'UPDATE retired_keys SET ended_recorded_at = ? WHERE key_hash = ? AND ended_recorded_at IS NULL',
    ),
    // The port's duplicate removal: only while an older application (lower id, as converge orders them) of the
    // same pair exists, so a pair's last application is never removed.
    deleteDuplicate: db.prepare<[string, string, string]>(
      `DELETE FROM applications AS a
       WHERE a.id = ? AND a.account_id = ? AND a.service_id = ? AND EXISTS (
         SELECT 1 FROM applications o
         WHERE o.account_id = a.account_id AND o.service_id = a.service_id AND o.id < a.id)`,
    ),
    // Holders in pages: accounts with applications after a cursor, then those accounts' applications.
    holderAccounts: db.prepare<[string, number], { id: string }>(
      `SELECT DISTINCT account_id AS id FROM applications WHERE account_id > ? ORDER BY account_id LIMIT ?`,
    ),
    holdersOfAccounts: db.prepare<[string, string], HolderRow>(
      `SELECT acc.id AS account_id, acc.username, acc.email, a.id, a.service_id, a.plan_id, a.state, a.subject,
              a.suspended_by
       FROM applications a JOIN accounts acc ON acc.id = a.account_id
       WHERE a.account_id >= ? AND a.account_id <= ? ORDER BY a.account_id, a.created_at, a.rowid`,
    ),
    suspend: db.prepare<[string, string, string]>(
      `UPDATE applications SET state = 'suspended', suspended_by = ?, resume_state = state
       WHERE account_id = ? AND id = ? AND state != 'suspended'`,
    ),
    resume: db.prepare<[string, string, string]>(
      `UPDATE applications SET state = COALESCE(resume_state, 'live'), suspended_by = NULL, resume_state = NULL
       WHERE account_id = ? AND id = ? AND state = 'suspended' AND suspended_by = ?`,
    ),
    changePlan: db.prepare<[string, string, string, string]>(
      'UPDATE applications SET plan_id = ?, plan_name = ? WHERE account_id = ? AND id = ?',
    ),
    ping: db.prepare('SELECT 1'),
  };

  const toApplication = (row: ApplicationRow): Application => {
    let apiKey: string | undefined;
    return {
      id: row.id,
      accountId: row.account_id,
      serviceId: row.service_id,
      planId: row.plan_id,
      planName: row.plan_name,
      state: row.state as ApplicationState,
      // Decrypted only when read: listing services shows the stored preview and never needs the key.
      get apiKey() {
        apiKey ??= cipher.decrypt(row.key_ciphertext);
        return apiKey;
      },
      keyPreview: row.key_preview,
      // Services keyed by application id and key (or OIDC client id and secret) use the application's id.
      appId: authenticationOf.get(row.service_id) === 'api_key' ? null : row.id,
      expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
      keyCreatedAt: new Date(row.key_created_at ?? row.created_at),
      subject: row.subject,
    };
  };

  // Both statements run under one write lock, so the application returned is the one in the database even
  // when another process inserts for the same account and service at the same moment.
  const insertOrGetApplication = db.transaction((input: CreateApplicationInput): ApplicationRow => {
    const { account, service, plan } = input;
    const existing = statements.applicationOfService.get(account.id, service.id);
    if (existing !== undefined) return existing;
    const apiKey = generateApiKey(randomBytes);
    const createdAt = now().toISOString();
    const state: ApplicationState = plan.approvalRequired ? 'pending' : 'live';
    statements.insertApplication.run(
      newId('app', randomBytes),
      account.id,
      service.id,
      plan.id,
      plan.name,
      state,
      input.name,
      input.description,
      cipher.encrypt(apiKey),
      previewKey(apiKey),
      hashKey(apiKey),
      createdAt,
      createdAt,
      input.expiresAt?.toISOString() ?? null,
      input.subject ?? null,
    );
    const row = statements.applicationOfService.get(account.id, service.id);
    if (row === undefined) throw new Error('the application just inserted is missing');
    return row;
  });

  // One write transaction: the replaced key, the ended grace keys and the new key change together, and a
  // second rotation that read the same key finds it already replaced (compare-and-swap on the key hash).
  const rotate = db.transaction((input: RotateKeyInput): { row: ApplicationRow; rotated: boolean } => {
    const row = statements.applicationById.get(input.application.id);
    if (row === undefined) {
      throw new HelperError('KEY_NOT_FOUND', 'The key was revoked while it was being rotated; get a new one.');
    }
    if (row.key_hash !== hashKey(input.application.apiKey)) return { row, rotated: false };
    const nowIso = input.now.toISOString();
    // A key still in its grace period from an earlier rotation stops now: only one old key is ever accepted.
    statements.endGraceOfApplication.run(nowIso, row.id, nowIso);
    const expired = row.expires_at !== null && row.expires_at <= nowIso;
    const graceEnd = input.graceUntil.getTime() > input.now.getTime() ? input.graceUntil.toISOString() : nowIso;
    const validUntil = row.expires_at !== null && row.expires_at < graceEnd ? row.expires_at : graceEnd;
    // An old key stopped at once needs no later record; one in grace (or expired unrecorded) is left for the
    // reconcile loop to record when its time comes.
    const endRecorded = expired ? row.expiry_recorded_at : validUntil <= nowIso ? nowIso : null;
    statements.insertRetiredKey.run(
      row.key_hash,
      row.id,
      row.account_id,
      row.service_id,
      row.key_preview,
      row.key_created_at ?? row.created_at,
      row.expires_at,
      expired ? 'expired' : 'rotated',
      nowIso,
      validUntil,
      endRecorded,
    );
    const apiKey = generateApiKey(randomBytes);
    statements.replaceKey.run(
      cipher.encrypt(apiKey),
      previewKey(apiKey),
      hashKey(apiKey),
      nowIso,
      input.expiresAt?.toISOString() ?? null,
      row.id,
    );
    const updated = statements.applicationById.get(row.id);
    if (updated === undefined) throw new Error('the application just updated is missing');
    return { row: updated, rotated: true };
  });

  const revoke = db.transaction((accountId: string, serviceId: string, now: Date): string[] => {
    const nowIso = now.toISOString();
    const previews = statements.liveRetiredKeysOfService
      .all(accountId, serviceId, nowIso)
      .map((key) => key.key_preview);
    statements.endRetiredKeysOfService.run(nowIso, nowIso, accountId, serviceId, nowIso);
    const row = statements.applicationOfService.get(accountId, serviceId);
    if (row !== undefined) {
      statements.insertRetiredKey.run(
        row.key_hash,
        row.id,
        row.account_id,
        row.service_id,
        row.key_preview,
        row.key_created_at ?? row.created_at,
        row.expires_at,
        'revoked',
        nowIso,
        nowIso,
        nowIso,
      );
      statements.deleteApplication.run(row.id);
      previews.unshift(row.key_preview);
    }
    return previews;
  });

  const completeOne = (deadline: DueDeadline, nowIso: string): boolean => {
    if (deadline.kind === 'duplicate') {
      return statements.deleteDuplicate.run(deadline.applicationId, deadline.accountId, deadline.serviceId).changes > 0;
    }
    if (deadline.ref.startsWith('app:')) {
      const [id, expiresAt] = splitOnce(deadline.ref.slice(4), '@');
      return statements.recordExpiry.run(nowIso, id, expiresAt).changes > 0;
    }
    return statements.recordKeyEnd.run(nowIso, deadline.ref.slice(4)).changes > 0;
  };
  const completeDue = db.transaction(completeOne);
  // A page of the reconcile loop in one transaction: one commit (one wait for the disk) instead of one per
  // deadline. Each statement is guarded as for one deadline, so one done meanwhile is reported false.
  const completePage = db.transaction((deadlines: readonly DueDeadline[], nowIso: string): boolean[] =>
    deadlines.map((deadline) => completeOne(deadline, nowIso)),
  );

  function keyRecords(accountId: string, at: Date): KeyRecord[] {
    const nowIso = at.toISOString();
    const current = statements.applicationsOfAccount.all(accountId);
    const records: KeyRecord[] = current.map((row) => {
      const expired = row.expires_at !== null && row.expires_at <= nowIso;
      const state: KeyState =
        row.state === 'suspended' ? 'suspended' : row.state === 'pending' ? 'pending' : expired ? 'expired' : 'active';
      return {
        serviceId: row.service_id,
        applicationId: row.id,
        keyPreview: row.key_preview,
        state,
        createdAt: new Date(row.key_created_at ?? row.created_at),
        expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
        validUntil: row.expires_at === null ? null : new Date(row.expires_at),
      };
    });
    const servicesWithKey = new Set(current.map((row) => row.service_id));
    const revokedShown = new Set<string>();
    for (const key of statements.retiredKeysOfAccount.all(accountId)) {
      const inGrace = key.reason === 'rotated' && key.valid_until > nowIso;
      // The last revocation of a service is shown until a new key is issued there, so its owner sees it.
      const lastRevoked =
        key.reason === 'revoked' && !servicesWithKey.has(key.service_id) && !revokedShown.has(key.service_id);
      if (!inGrace && !lastRevoked) continue;
      if (lastRevoked) revokedShown.add(key.service_id);
      records.push({
        serviceId: key.service_id,
        applicationId: key.application_id,
        keyPreview: key.key_preview,
        state: inGrace ? 'grace' : 'revoked',
        createdAt: key.issued_at === null ? null : new Date(key.issued_at),
        expiresAt: key.expires_at === null ? null : new Date(key.expires_at),
        validUntil: new Date(key.valid_until),
      });
    }
    return records;
  }

  let closed = false;
  /** Runs a database operation, translating its failures into the port's errors. */
  function run<T>(operation: () => T): T {
    if (closed) throw new HelperError('UPSTREAM_UNAVAILABLE', 'the embedded store is closed');
    try {
      return operation();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  return {
    catalogEntitlements: catalog.entitlements,

    async findAccount(identity: Identity): Promise<Account | null> {
      return run(() => {
        const row =
          statements.accountByUsername.get(identity.userId) ??
          (identity.email === null ? undefined : statements.accountByEmail.get(identity.email));
        return row === undefined ? null : toAccount(row);
      });
    },

    async createAccount(identity: Identity): Promise<Account> {
      return run(() => {
        statements.insertAccount.run(
          newId('acc', randomBytes),
          identity.userId,
          identity.email,
          'approved',
          now().toISOString(),
        );
        const row = statements.accountByUsername.get(identity.userId);
        if (row === undefined) throw new Error('the account just inserted is missing');
        return toAccount(row);
      });
    },

    async listServices() {
      return services;
    },

    async listPlans(serviceId: string): Promise<ServicePlan[]> {
      const plans = catalog.plans.get(serviceId);
      if (plans === undefined) {
        throw new HelperError('SERVICE_NOT_FOUND', `No ML service has the id ${JSON.stringify(serviceId)}.`);
      }
      return plans.map((plan) => ({ ...plan }));
    },

    async listApplications(accountId: string): Promise<Application[]> {
      return run(() => statements.applicationsOfAccount.all(accountId).map(toApplication));
    },

    async createApplication(input: CreateApplicationInput): Promise<Application> {
      if (input.plan.serviceId !== input.service.id) {
        throw new TypeError('createApplication: the plan belongs to another service');
      }
      return run(() => toApplication(insertOrGetApplication.immediate(input)));
    },

    async deleteApplication(accountId: string, applicationId: string): Promise<void> {
      run(() => statements.deleteAccountApplication.run(accountId, applicationId));
    },

    findApplicationByKey(key: string): Application | null {
      if (!isWellFormedApiKey(key)) return null;
      return run(() => {
        const hash = hashKey(key);
        const nowIso = now().toISOString();
        const row = statements.applicationByKeyHash.get(hash);
        if (row !== undefined) {
          return row.expires_at !== null && row.expires_at <= nowIso ? null : toApplication(row);
        }
        const inGrace = statements.graceKeyByHash.get(hash, nowIso);
        if (inGrace === undefined) return null;
        const owner = statements.applicationById.get(inGrace.application_id);
        return owner === undefined ? null : toApplication(owner);
      });
    },

    async listKeys(accountId: string, at: Date): Promise<KeyRecord[]> {
      return run(() => keyRecords(accountId, at));
    },

    async rotateKey(input: RotateKeyInput): Promise<RotatedKey> {
      return run(() => {
        const { row, rotated } = rotate.immediate(input);
        return { application: toApplication(row), rotated };
      });
    },

    async revokeKeys(accountId: string, serviceId: string, at: Date, options: RevokeOptions = {}): Promise<string[]> {
      if (options.confirm !== undefined && !(await options.confirm)) return [];
      return run(() => revoke.immediate(accountId, serviceId, at));
    },

    maxGraceSeconds(): number {
      return Number.POSITIVE_INFINITY;
    },

    // No duplicates are ever listed: the schema holds one application per (account, service)
    // (UNIQUE (account_id, service_id)) and creates are insert-or-get in one write transaction.
    async listDueDeadlines(at: Date, limit: number): Promise<DueDeadline[]> {
      const nowIso = at.toISOString();
      return run(() =>
        statements.dueDeadlines.all(nowIso, nowIso, limit).map((row) => ({
          kind: row.source === 'app' || row.reason === 'expired' ? 'expired' : 'grace_ended',
          accountId: row.account_id,
          userId: row.username,
          serviceId: row.service_id,
          applicationId: row.application_id,
          keyPreview: row.key_preview,
          at: new Date(row.due_at),
          ref: `${row.source}:${row.ref}`,
        })),
      );
    },

    async completeDeadline(deadline: DueDeadline, at: Date): Promise<boolean> {
      // The gateway already refuses a key past its deadline (it compares times); what is left is the record.
      return run(() => completeDue.immediate(deadline, at.toISOString()));
    },

    admitCall(application: Application): Admission {
      return run(() => counter.admit(application.id, limitsOf(application.planId), now()));
    },

    async getUsage(application: Application, window: UsageWindow, at: Date): Promise<ApplicationUsage> {
      return run(() => ({
        hits: counter.hits(application.id, window),
        limits: limitsOf(application.planId).map((limit) => ({
          metric: limit.metric,
          period: limit.period,
          max: limit.max,
          used: counter.used(application.id, limit.period, at),
        })),
      }));
    },

    async completeDeadlines(deadlines: readonly DueDeadline[], at: Date): Promise<boolean[]> {
      return run(() => completePage.immediate(deadlines, at.toISOString()));
    },

    async listHolders(page: { after: string | null; limit: number }) {
      return run(() => {
        const ids = statements.holderAccounts.all(page.after ?? '', page.limit).map((row) => row.id);
        if (ids.length === 0) return { holders: [], next: null };
        const holders: KeyHolder[] = [];
        for (const row of statements.holdersOfAccounts.all(ids[0] as string, ids.at(-1) as string)) {
          let holder = holders.at(-1);
          if (holder?.accountId !== row.account_id) {
            holder = { accountId: row.account_id, userId: row.username, email: row.email, applications: [] };
            holders.push(holder);
          }
          holder.applications.push(toHeldApplication(row));
        }
        return { holders, next: ids.length < page.limit ? null : (ids.at(-1) as string) };
      });
    },

    async suspendApplication(accountId: string, applicationId: string, reason: 'offboarding') {
      run(() => statements.suspend.run(reason, accountId, applicationId));
    },

    async resumeApplication(accountId: string, applicationId: string, reason: 'offboarding') {
      return run(() => statements.resume.run(accountId, applicationId, reason).changes > 0);
    },

    async changePlan(accountId: string, applicationId: string, planId: string) {
      run(() => {
        const row = statements.applicationById.get(applicationId);
        if (row === undefined || row.account_id !== accountId) {
          throw new HelperError('KEY_NOT_FOUND', 'The application to move to another plan does not exist.');
        }
        const plan = catalog.plans.get(row.service_id)?.find((candidate) => candidate.id === planId);
        if (plan === undefined) {
          throw new HelperError('NO_PLANS_FOUND', `The service has no plan with the id ${JSON.stringify(planId)}.`);
        }
        statements.changePlan.run(plan.id, plan.name, accountId, applicationId);
      });
    },

    async checkReady(): Promise<void> {
      run(() => statements.ping.get());
    },

    async close(): Promise<void> {
      if (closed) return;
      try {
        counter.close();
      } finally {
        closed = true;
        db.close();
      }
    },
  };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** A catalog endpoint as clients must call it: paths are on the helper itself. */
function resolveEndpoint(endpoint: string | null, baseUrl = 'http://127.0.0.1:5000'): string | null {
  return endpoint !== null && endpoint.startsWith('/') ? new URL(endpoint, baseUrl).href : endpoint;
}

/** Opens the database with the settings the store relies on, and brings its schema up to date. */
function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    // Accounts and key hashes live here: the database and its -wal/-shm files are 0600 like every data file.
    preparePrivateDatabase(path);
    db = new Database(path);
    // busy_timeout first, so switching to WAL waits for another process instead of failing.
    db.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // FULL: a committed transaction survives power loss, not only a process crash (WAL with NORMAL may
    // lose the last commits). https://www.sqlite.org/pragma.html#pragma_synchronous
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof HelperError) throw error;
    throw new HelperError('CONFIG_ERROR', `cannot open the embedded store database ${path}`, { cause: error });
  }
}

function toHeldApplication(row: HolderRow): HeldApplication {
  return {
    id: row.id,
    serviceId: row.service_id,
    planId: row.plan_id,
    state: row.state as ApplicationState,
    subject: row.subject,
    suspendedBy: row.suspended_by === 'offboarding' ? 'offboarding' : null,
  };
}

function toAccount(row: AccountRow): Account {
  return { id: row.id, username: row.username, email: row.email, state: row.state as AccountState };
}

/** A random id with a type prefix: `acc_` + 16 hex characters (64 bits). */
function newId(prefix: 'acc' | 'app', randomBytes: (n: number) => Buffer): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** The key's SHA-256: enough to look a key up without storing it in clear (keys have ~190 random bits). */
function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function toStoreError(error: unknown): HelperError {
  if (error instanceof HelperError) return error;
  const code = error instanceof Database.SqliteError ? error.code : '';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new HelperError('ACCOUNT_NOT_FOUND', 'The account does not exist in the embedded store.', { cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new HelperError('UPSTREAM_UNAVAILABLE', 'the embedded store is busy', {
      cause: error,
      retryAfterSeconds: 1,
    });
  }
  return new HelperError('UPSTREAM_UNAVAILABLE', 'the embedded store failed', { cause: error });
}
