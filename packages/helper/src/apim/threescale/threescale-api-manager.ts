/**
 * @module apim/threescale/threescale-api-manager
 * The `ApiManager` port on 3scale's Account Management API. Catalog data (services, proxies, plans) is cached
 * with a TTL and stale-while-revalidate, and loaded once for any number of concurrent requests (per-account
 * reads are cached in front of any adapter by `cached-account-reads`). A create that fails or times
 * out is followed by a fresh list, so an application 3scale stored anyway is found rather than made twice.
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
  type Application,
  type CreateApplicationInput,
  type Identity,
  type ReadOptions,
  type ServicePlan,
} from '../api-manager.js';
import {
  firstKey,
  needsKeys,
  toAccount,
  toApplication,
  toPlan,
  toService,
  unwrapCollection,
  unwrapEntity,
} from './mappers.js';
import type { ThreescaleHttp } from './threescale-http.js';
import { createThreescaleUsage } from './threescale-usage.js';

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
}

export interface ThreescaleApiManagerOptions {
  http: ThreescaleHttp;
  cache: ThreescaleCacheSettings;
  log?: LogSink;
  onCache?: (cache: 'services' | 'plans', event: 'hit' | 'stale' | 'miss') => void;
  /** Random password for accounts created by signup (users sign in through the IdP, never with it). */
  newPassword?: () => string;
}

/**
 * Creates the 3scale adapter.
 * @example const apiManager = createThreescaleApiManager({ http, cache: { catalogTtlMs: 300_000, catalogStaleMs: 3_600_000 } });
 */
export function createThreescaleApiManager(options: ThreescaleApiManagerOptions): ThreescaleApiManager {
  const { http } = options;
  const newPassword = options.newPassword ?? (() => randomBytes(24).toString('base64url'));
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

  async function listApplications(accountId: string, read: ReadOptions = {}): Promise<Application[]> {
    const body = await http.get(`/admin/api/accounts/${encodeURIComponent(accountId)}/applications`);
    if (body === null) return [];
    const list = unwrapCollection(body, 'applications', 'application');
    const keys = read.keys ?? 'all';
    const keyed = (app: Record<string, unknown>) =>
      keys === 'all' || (keys !== 'none' && String(app.service_id) === keys.serviceId);
    const mapped = await Promise.all(
      list.map((app) => (keyed(app) ? withKey(app) : toApplication(app, needsKeys(app) ? '' : null))),
    );
    return mapped.filter((app): app is Application => app !== null);
  }

  /** Backend-version-2 applications carry their keys in a separate resource. */
  async function withKey(app: Record<string, unknown>): Promise<Application | null> {
    if (!needsKeys(app)) return toApplication(app);
    const path = `/admin/api/accounts/${encodeURIComponent(String(app.account_id))}/applications/${encodeURIComponent(String(app.id))}/keys`;
    let key = firstKey(await http.get(path));
    if (key === null && app.state !== 'suspended') {
      // An app-id application without a key (the service does not require one): create it, as the portal would.
      key = firstKey(await http.post(path, { key: randomBytes(16).toString('hex') }).then(() => http.get(path)));
    }
    return toApplication(app, key);
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
      // An app-id service's key is chosen here and sent with the create (3scale takes `application_key`, as its
      // portal would generate one: 16 random bytes in hex), so the create is one round trip, not two.
      const appKey = input.service.authenticationMethod === 'app_id_app_key' ? randomBytes(16).toString('hex') : null;
      try {
        const body = await http.post(path, {
          plan_id: input.plan.id,
          name: input.name,
          description: input.description,
          ...(appKey !== null ? { application_key: appKey } : {}),
        });
        const app = unwrapEntity(body, 'application');
        const created = appKey !== null && needsKeys(app) ? toApplication(app, appKey) : await withKey(app);
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

    async listKeys(accountId) {
      const applications = await listApplications(accountId);
      return applications.map((app) => ({
        serviceId: app.serviceId,
        applicationId: app.id,
        keyPreview: app.keyPreview,
        state: app.state === 'live' ? 'active' : app.state,
        createdAt: null,
        expiresAt: null,
        validUntil: null,
      }));
    },

    async rotateKey() {
      throw new HelperError(
        'NOT_ROTATABLE',
        'Keys cannot be rotated with the 3scale backend of this helper yet; ask an administrator to replace the key.',
      );
    },

    async revokeKeys() {
      throw new HelperError(
        'NOT_ROTATABLE',
        'Keys cannot be revoked with the 3scale backend of this helper yet; ask an administrator to suspend the key.',
      );
    },

    maxGraceSeconds() {
      return 0;
    },

    async listDueDeadlines() {
      // Nothing is scheduled on this backend yet: keys neither expire nor keep a grace period here.
      return [];
    },

    async completeDeadline() {
      return false;
    },

    getUsage: (application, window, now) => usage.getUsage(application, window, now),

    // Offboarding and tiers on 3scale come with the 3scale side of the port; until then these refuse.
    async listHolders() {
      throw new HelperError('UPSTREAM_ERROR', 'listing key holders is not supported by this backend yet');
    },

    async suspendApplication() {
      throw new HelperError('UPSTREAM_ERROR', 'suspending applications is not supported by this backend yet');
    },

    async resumeApplication() {
      throw new HelperError('UPSTREAM_ERROR', 'resuming applications is not supported by this backend yet');
    },

    async changePlan() {
      throw new HelperError('UPSTREAM_ERROR', 'changing plans is not supported by this backend yet');
    },

    async checkReady() {
      await http.get('/admin/api/services', { page: 1, per_page: 1 });
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

/** Like Promise.all over `items.map(work)`, with at most `limit` in flight. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
