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
  type ApplicationState,
  type CreateApplicationInput,
  type Identity,
  type ServicePlan,
} from '../api-manager.js';
import { loadCatalog } from './catalog.js';
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
  /** The application holding a key, or null when no application does (or the key is malformed). */
  findApplicationByKey(key: string): Application | null;
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
}

const APPLICATION_COLUMNS = 'id, account_id, service_id, plan_id, plan_name, state, key_ciphertext, key_preview';

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
    insertApplication: db.prepare<
      [string, string, string, string, string, string, string, string, Buffer, string, string, string]
    >(
      `INSERT INTO applications (id, account_id, service_id, plan_id, plan_name, state, name, description,
                                 key_ciphertext, key_preview, key_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, service_id) DO NOTHING`,
    ),
    deleteApplication: db.prepare<[string, string]>('DELETE FROM applications WHERE account_id = ? AND id = ?'),
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
    };
  };

  // Both statements run under one write lock, so the application returned is the one in the database even
  // when another process inserts for the same account and service at the same moment.
  const insertOrGetApplication = db.transaction((input: CreateApplicationInput): ApplicationRow => {
    const { account, service, plan } = input;
    const existing = statements.applicationOfService.get(account.id, service.id);
    if (existing !== undefined) return existing;
    const apiKey = generateApiKey(randomBytes);
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
      now().toISOString(),
    );
    const row = statements.applicationOfService.get(account.id, service.id);
    if (row === undefined) throw new Error('the application just inserted is missing');
    return row;
  });

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
      run(() => statements.deleteApplication.run(accountId, applicationId));
    },

    findApplicationByKey(key: string): Application | null {
      if (!isWellFormedApiKey(key)) return null;
      return run(() => {
        const row = statements.applicationByKeyHash.get(hashKey(key));
        return row === undefined ? null : toApplication(row);
      });
    },

    async checkReady(): Promise<void> {
      run(() => statements.ping.get());
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
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
