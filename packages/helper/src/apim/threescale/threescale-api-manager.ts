/**
 * @module apim/threescale/threescale-api-manager
 * The `ApiManager` port on 3scale's Account Management API. Catalog data (services, proxies, plans) is cached
 * with a TTL and stale-while-revalidate, and loaded once for any number of concurrent requests (per-account
 * reads are cached in front of any adapter by `cached-account-reads`). A create that fails or times
 * out is followed by a fresh list, so an application 3scale stored anyway is found rather than made twice.
 * Keys after their creation (rotation, revocation, deadlines) are in `threescale-keys`.
 */
import { randomBytes } from 'node:crypto';
import { HelperError, isHelperError } from '../../errors/helper-error.js';
import type { LogSink } from '../../log/logger.js';
import { createSwrCache } from '../../state/swr-cache.js';
import {
  frozenService,
  type Account,
  type ApiManager,
  type ApiService,
  type CreateApplicationInput,
  type Identity,
  type ReadOptions,
  type KeyHolder,
  type ServicePlan,
} from '../api-manager.js';
import { createFieldDefinitions } from './lifecycle-fields.js';
import { createThreescaleHolders } from './threescale-holders.js';
import { needsKeys, toAccount, toPlan, toService, unwrapCollection, unwrapEntity } from './mappers.js';
import { createThreescaleKeys, heldApp, toDomain } from './threescale-keys.js';
import type { ThreescaleHttp } from './threescale-http.js';
import { createThreescaleUsage } from './threescale-usage.js';
import { mapLimited } from '../../lib/bounded.js';

/** 3scale's largest page; a larger `per_page` is silently lowered to it. */
const PAGE_SIZE = 500;
/** A guard against a server that keeps sending new pages: 100 pages are 50,000 services. */
const MAX_PAGES = 100;
const CATALOG_KEY = 'services';
/** How long an application's counts are reused: a person checking again within it costs 3scale nothing. */
export const DEFAULT_USAGE_CACHE_TTL_MS = 30_000;

/**
 * 3scale's username rule: 3 to 40 ASCII letters, digits and `_ . - @ +`, the first a letter, digit or `_`.
 * The user id becomes the 3scale username (that is how the account is found again), so an id outside the
 * rule cannot get an account; it is refused before signup rather than as a 3scale validation error.
 */
const THREESCALE_USERNAME = /^\w[\w.\-@+]{2,39}$/;

/** Proxy reads in flight at once while loading the catalog: a typical catalog loads in one wave. */
const PROXY_CONCURRENCY = 32;

export interface ThreescaleCacheSettings {
  catalogTtlMs: number;
  catalogStaleMs: number;
  /** How long usage counts of one application are reused; default {@link DEFAULT_USAGE_CACHE_TTL_MS}. */
  usageTtlMs?: number;
}

/** The 3scale adapter, with the upkeep only it needs. */
export interface ThreescaleApiManager extends ApiManager {
  /**
   * Loads the catalog now and again every catalog TTL, in the background, so no request waits for it; a
   * failed load is logged and the cache keeps what it has. Stopped by `close`; nothing when the TTL is 0.
   */
  keepCatalogLoaded(): void;
  /**
   * Defines the application fields that key deadlines live in now, in the background, so that the first key
   * does not wait for it; a failure is logged, and the first write that needs the fields tries again.
   */
  prepareFields(): void;
  /** Holders of applications, in pages (stable order by account id); `next` null on the last page. */
  listHolders(page: { after: string | null; limit: number }): Promise<{ holders: KeyHolder[]; next: string | null }>;
  /** Suspends an application for `reason`; idempotent. The gateway refuses its keys from then on. */
  suspendApplication(accountId: string, applicationId: string, reason: 'offboarding'): Promise<void>;
  /** Resumes an application only if MLaaS suspended it for `reason`; returns false otherwise. Idempotent. */
  resumeApplication(accountId: string, applicationId: string, reason: 'offboarding'): Promise<boolean>;
  /** Moves an application to another plan of its service (3scale change_plan); idempotent. */
  changePlan(accountId: string, applicationId: string, planId: string): Promise<void>;
}

export interface ThreescaleApiManagerOptions {
  http: ThreescaleHttp;
  cache: ThreescaleCacheSettings;
  log?: LogSink;
  onCache?: (cache: 'services' | 'plans', event: 'hit' | 'stale' | 'miss') => void;
  /** Random password for accounts created by signup (users sign in through the IdP, never with it). */
  newPassword?: () => string;
  /** A new key value; default 32 random hex characters, as 3scale makes them. */
  newKey?: () => string;
  /** The longest grace period offered (the helper's configured maximum). */
  maxGraceSeconds?: number;
}

/**
 * Creates the 3scale adapter.
 * @example const apiManager = createThreescaleApiManager({ http, cache: { catalogTtlMs: 300_000, catalogStaleMs: 3_600_000 } });
 */
export function createThreescaleApiManager(options: ThreescaleApiManagerOptions): ThreescaleApiManager {
  const { http } = options;
  const newPassword = options.newPassword ?? (() => randomBytes(24).toString('base64url'));
  const newKey = options.newKey ?? (() => randomBytes(16).toString('hex'));
  const catalog = createSwrCache<readonly ApiService[]>({
    ttlMs: options.cache.catalogTtlMs,
    staleMs: options.cache.catalogStaleMs,
    onEvent: (event) => options.onCache?.('services', event),
  });
  let upkeep: NodeJS.Timeout | null = null;
  const usage = createThreescaleUsage(
    http,
    {
      limitsTtlMs: options.cache.catalogTtlMs,
      limitsStaleMs: options.cache.catalogStaleMs,
      usageTtlMs: options.cache.usageTtlMs ?? DEFAULT_USAGE_CACHE_TTL_MS,
    },
    options.log,
  );
  const plans = createSwrCache<ServicePlan[]>({
    ttlMs: options.cache.catalogTtlMs,
    staleMs: options.cache.catalogStaleMs,
    onEvent: (event) => options.onCache?.('plans', event),
  });

  async function findAccount(identity: Identity, read: ReadOptions = {}): Promise<Account | null> {
    // Username first, then email, as separate requests: 3scale does not fall back by itself
    // (a username that matches nobody is a 404 even when the email would match). A fresh lookup (a key is
    // about to be decided on it) asks both at once, so a user found by email or not at all costs one round
    // trip, not two; the email answer is used only when the username finds nobody.
    if (read.fresh && identity.email !== null) {
      const email = identity.email;
      // The email answer's failure matters only when the username finds nobody.
      const emailLookup = http.get('/admin/api/accounts/find', { email }).then(
        (body) => () => body,
        (error: unknown) => () => {
          throw error;
        },
      );
      const byUsername = await http.get('/admin/api/accounts/find', { username: identity.userId });
      const found = byUsername ?? (await emailLookup)();
      return found === null ? null : toAccount(unwrapEntity(found, 'account'), identity.userId, email);
    }
    const byUsername = await http.get('/admin/api/accounts/find', { username: identity.userId });
    if (byUsername !== null) return toAccount(unwrapEntity(byUsername, 'account'), identity.userId, identity.email);
    if (identity.email === null) return null;
    const byEmail = await http.get('/admin/api/accounts/find', { email: identity.email });
    return byEmail === null ? null : toAccount(unwrapEntity(byEmail, 'account'), identity.userId, identity.email);
  }

  async function loadServices(): Promise<readonly ApiService[]> {
    const seen = new Map<string, Record<string, unknown>>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const items = unwrapCollection(
        await http.get('/admin/api/services', { page, per_page: PAGE_SIZE }),
        'services',
        'service',
      );
      let added = 0;
      for (const item of items) {
        const key = String(item.id);
        if (!seen.has(key)) {
          seen.set(key, item);
          added += 1;
        }
      }
      // A short page ends the list; so does a page with nothing new (a server that ignores paging).
      if (items.length < PAGE_SIZE || added === 0) break;
    }
    const services = [...seen.values()];
    const proxies = await mapLimited(services, PROXY_CONCURRENCY, async (service) => {
      const proxy = await http.get(`/admin/api/services/${encodeURIComponent(String(service.id))}/proxy`);
      return proxy === null ? null : unwrapEntity(proxy, 'proxy');
    });
    const result: ApiService[] = [];
    services.forEach((service, index) => {
      const mapped = toService(service, proxies[index] ?? null);
      if (mapped === null) {
        options.log?.warn(
          { service_id: String(service.id) },
          'skipping a 3scale service with an authentication mode MLaaS does not support',
        );
      } else {
        result.push(frozenService(mapped));
      }
    });
    return Object.freeze(result);
  }

  const ensureFields = createFieldDefinitions(http);
  const keys = createThreescaleKeys({ http, ensureFields, newKey });
  const { listApplications } = keys;
  const holders = createThreescaleHolders(http, ensureFields);

  /** The username of an account, for the audit trail of deadlines (its id when it has none). */
  async function usernameOf(accountId: string): Promise<string> {
    try {
      const body = await http.get(`/admin/api/accounts/${encodeURIComponent(accountId)}/users`);
      const users = body === null ? [] : unwrapCollection(body, 'users', 'user');
      const admin = users.find((user) => user.role === 'admin') ?? users[0];
      return typeof admin?.username === 'string' ? admin.username : accountId;
    } catch {
      // A tenant without multiple users may refuse the list: the account id still names the holder.
      return accountId;
    }
  }

  return {
    findAccount,

    async createAccount(identity) {
      if (identity.email === null) {
        throw new HelperError(
          'FORBIDDEN',
          'Your sign-in token carries no email address, which 3scale needs to create your account.',
        );
      }
      if (!THREESCALE_USERNAME.test(identity.userId)) {
        throw new HelperError(
          'FORBIDDEN',
          '3scale cannot create an account for your user id: it needs 3 to 40 letters, digits or . - _ @ + characters, starting with a letter, digit or underscore. Ask an administrator to create your 3scale account.',
        );
      }
      try {
        const body = await http.post('/admin/api/signup', {
          org_name: identity.email,
          username: identity.userId,
          email: identity.email,
          password: newPassword(),
        });
        return toAccount(unwrapEntity(body, 'account'), identity.userId, identity.email);
      } catch (error) {
        // Another replica may have signed the same user up a moment ago.
        const existing = await findAccount(identity).catch(() => null);
        if (existing !== null) return existing;
        throw error;
      }
    },

    listServices() {
      return catalog.get(CATALOG_KEY, loadServices);
    },

    async listPlans(serviceId) {
      return plans.get(serviceId, async () => {
        const body = await http.get(`/admin/api/services/${encodeURIComponent(serviceId)}/application_plans`);
        if (body === null) throw new HelperError('SERVICE_NOT_FOUND', 'That ML service no longer exists.');
        return unwrapCollection(body, 'plans', 'application_plan').map((plan) => toPlan(plan, serviceId));
      });
    },

    listApplications,

    async createApplication(input: CreateApplicationInput) {
      const path = `/admin/api/accounts/${encodeURIComponent(input.account.id)}/applications`;
      await ensureFields();
      // MLaaS chooses the key, so that its hash is recorded in the same write that creates it.
      const key = newKey();
      const at = new Date();
      try {
        const body = await http.post(path, {
          plan_id: input.plan.id,
          name: input.name,
          description: input.description,
          ...(input.service.authenticationMethod === 'api_key' ? { user_key: key } : { application_key: key }),
          ...keys.createFields(key, at, input.expiresAt ?? null, {
            subject: input.subject ?? null,
            userId: input.account.username,
          }),
        });
        const json = unwrapEntity(body, 'application');
        const created = toDomain(heldApp(json, needsKeys(json) ? [{ value: key, createdAt: at }] : []));
        if (created === null)
          throw new HelperError('UPSTREAM_ERROR', '3scale created an application without a usable key.');
        return created;
      } catch (error) {
        if (!isHelperError(error) || error.code === 'CONFIG_ERROR') throw error;
        // The create may have been stored before it failed (a timeout, a reset): look before anyone retries.
        const stored = (await listApplications(input.account.id).catch(() => [])).find(
          (app) => app.serviceId === input.service.id,
        );
        if (stored !== undefined) {
          options.log?.warn(
            { account_id: input.account.id, service_id: input.service.id },
            'a failed create had been stored by 3scale; using it',
          );
          return stored;
        }
        throw error;
      }
    },

    async deleteApplication(accountId, applicationId) {
      await http.delete(
        `/admin/api/accounts/${encodeURIComponent(accountId)}/applications/${encodeURIComponent(applicationId)}`,
      );
    },

    listKeys: keys.listKeys,

    rotateKey: keys.rotateKey,

    revokeKeys: keys.revokeKeys,

    maxGraceSeconds() {
      // Grace deadlines are durable (application fields), so any configured grace is honoured.
      return options.maxGraceSeconds ?? Number.MAX_SAFE_INTEGER;
    },

    listDueDeadlines(now, limit) {
      return keys.listDueDeadlines(now, limit, usernameOf);
    },

    // Listing pages through every application of the tenant, whatever the limit.
    listsDueDeadlinesWhole: true,

    completeDeadline: keys.completeDeadline,

    listHolders: holders.listHolders,
    suspendApplication: holders.suspendApplication,
    resumeApplication: holders.resumeApplication,
    changePlan: holders.changePlan,

    getUsage: (application, window, now) => usage.getUsage(application, window, now),

    async checkReady() {
      await http.get('/admin/api/services', { page: 1, per_page: 1 });
    },

    prepareFields() {
      ensureFields().catch((error: unknown) => {
        const reason = isHelperError(error) ? `${error.code}: ${error.message}` : 'unexpected error';
        options.log?.warn({ reason }, 'could not define the 3scale application fields yet; the first key tries again');
      });
    },

    keepCatalogLoaded() {
      if (upkeep !== null || options.cache.catalogTtlMs === 0) return;
      const reload = () => {
        catalog.refresh(CATALOG_KEY, loadServices).catch((error: unknown) => {
          const reason = isHelperError(error) ? `${error.code}: ${error.message}` : 'unexpected error';
          options.log?.warn(
            { reason },
            'could not load the 3scale catalog in the background; lists load it when they need it',
          );
        });
      };
      reload();
      upkeep = setInterval(reload, options.cache.catalogTtlMs);
      upkeep.unref();
    },

    async close() {
      if (upkeep !== null) clearInterval(upkeep);
      upkeep = null;
      catalog.clear();
      plans.clear();
      usage.clear();
      http.close();
    },
  };
}
