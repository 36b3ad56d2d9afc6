/**
 * @module app/create-helper
 * The composition root: builds every part of a helper process from its configuration and wires them
 * together. Nothing else constructs adapters or reads configuration.
 *
 * What is not configured is not loaded: the embedded store, the embedded issuer (oidc-provider) and the Redis
 * client are imported only when their settings ask for them, and the audit history's SQLite driver only after
 * the server listens (readiness waits for it), so a production helper answers its health check sooner.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiManager, ApiService } from '../apim/api-manager.js';
import type { EmbeddedStore } from '../apim/embedded/index.js';
import { withAccountCache } from '../apim/cached-account-reads.js';
import { withKnownAccountIds } from '../apim/known-account-ids.js';
import { DEFAULT_RETRY_POLICY } from '../apim/threescale/retry-policy.js';
import { createThreescaleApiManager, type ThreescaleApiManager } from '../apim/threescale/threescale-api-manager.js';
import { createThreescaleHttp } from '../apim/threescale/threescale-http.js';
import type { LockService } from '../state/shared-state.js';
import { createIssuerKeys } from '../auth/issuer-keys.js';
import { createUserinfoSessionCheck, type SessionCheck } from '../auth/session-check.js';
import { createTokenVerifier } from '../auth/token-verifier.js';
import type { HelperConfig } from '../config/config.js';
import { buildServer } from '../http/build-server.js';
import type { EmbeddedIdp } from '../idp/embedded-idp.js';
import { findFreePort, isWildcardHost, issuerForListenAddress } from '../idp/listen-address.js';
import { registerMetricsRoute } from '../http/routes/metrics.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createMetrics, type HelperMetrics } from '../metrics/metrics.js';
import { createProvisioning } from '../provisioning/provisioning.js';
import { createKeyLifecycle } from '../provisioning/key-lifecycle.js';
import { createUsageReader } from '../usage/usage-report.js';
import { reconcileOnce, type ReconcileReport } from '../provisioning/reconcile.js';
import { isHelperError } from '../errors/helper-error.js';
import { createAuditTrail } from '../audit/audit-log.js';
import { deferAuditStore } from '../audit/deferred-audit-store.js';
import { join } from 'node:path';
import { createMemoryLocks } from '../state/memory-locks.js';
import { HELPER_VERSION } from '../version.js';
import { offboardOnce, type OffboardingReport } from '../provisioning/offboarding.js';
import type { UserDirectory } from '../directory/user-directory.js';
import { createEmbeddedDirectory } from '../directory/embedded-directory.js';
import { createKeycloakDirectory } from '../directory/keycloak-directory.js';
import { defaultClaimPaths, type EntitlementPolicy, type ServiceRule } from '../entitlements/policy.js';

/** The lock that keeps the reconcile loop on one replica at a time. */
const RECONCILE_LOCK = 'reconcile';
const RECONCILE_LOCK_TTL_MS = 60_000;

/** A reconcile run: key deadlines, and the offboarding phase (null when no directory is configured). */
export type HelperReconcileReport = ReconcileReport & { offboarding: OffboardingReport | null };

export interface HelperOptions {
  logger?: Logger;
  /** Used for the issuer's discovery document and keys; injected by tests. */
  fetch?: typeof globalThis.fetch;
  /** Extra default process metrics (CPU, memory, event loop); off in tests that build many helpers. */
  defaultMetrics?: boolean;
  /** The clock of key deadlines (expiry, grace periods); injected by tests. */
  now?: () => Date;
  /** The identity provider's directory offboarding asks; built from configuration when absent. */
  directory?: UserDirectory | null;
}

export interface Helper {
  app: FastifyInstance;
  config: HelperConfig;
  metrics: HelperMetrics;
  apiManager: ApiManager;
  /** The embedded OpenID Connect issuer, when this process serves one. */
  embeddedIdp: EmbeddedIdp | null;
  /**
   * Enforces every key deadline due now (expiry, end of grace), then offboarding when a directory is
   * configured, one replica at a time; with `dryRun`, only says what it would do.
   */
  reconcile(run?: { dryRun?: boolean }): Promise<HelperReconcileReport>;
  /** The entitlements policy in force (the file's and the embedded catalog's rules); null = everyone. */
  entitlements: EntitlementPolicy | null;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, then closes stores. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds a helper from configuration.
 * @example const helper = await createHelper(loadConfig(process.env)); console.log(await helper.listen());
 */
export async function createHelper(givenConfig: HelperConfig, options: HelperOptions = {}): Promise<Helper> {
  const config = await withResolvedPort(givenConfig);
  const baseUrl = config.publicUrl ?? baseUrlOf(config.host, config.port);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const now = options.now ?? (() => new Date());
  const embeddedStore = config.apim.backend === 'embedded' ? await openEmbeddedStore(config, baseUrl, now) : null;
  const threescale = embeddedStore === null ? createThreescale(config, logger, metrics) : null;
  const backend: ApiManager = embeddedStore ?? (threescale as ThreescaleApiManager);
  const entitlements = withCatalogRules(config, embeddedStore?.catalogEntitlements);
  const countAccountCache = {
    accounts: metrics.countCache('accounts'),
    applications: metrics.countCache('applications'),
  };
  const redisModules =
    config.redis === null
      ? null
      : await Promise.all([
          import('../state/redis-connection.js'),
          import('../state/redis-locks.js'),
          import('../state/redis-hints.js'),
        ]);
  const redis =
    config.redis === null || redisModules === null ? null : redisModules[0].connectRedis(config.redis.url, logger);
  const locks: LockService =
    redis === null || redisModules === null
      ? createMemoryLocks()
      : redisModules[1].createRedisLocks({ redis, keyPrefix: config.redis?.keyPrefix ?? '' });
  // Outside the cache: ids are remembered (a hint for rotations and revocations) even with the cache off,
  // and shared between replicas through Redis when there is one.
  const apiManager = withKnownAccountIds(
    withAccountCache(backend, {
      ttlMs: config.apim.accountCacheTtlMs,
      onCache: (cache, event) => countAccountCache[cache](event),
    }),
    {
      shared:
        redis === null || redisModules === null
          ? null
          : redisModules[2].createRedisHints({ redis, keyPrefix: config.redis?.keyPrefix ?? '' }),
    },
  );
  const pingRedis = redisModules?.[0].pingRedis;

  const keys = createIssuerKeys({
    issuer: config.oidc.issuer,
    cacheMaxAgeMs: config.oidc.jwksCacheMaxAgeMs,
    cooldownMs: config.oidc.jwksCooldownMs,
    timeoutMs: config.oidc.timeoutMs,
    allowedJwksOrigins: config.oidc.jwksAllowedOrigins,
    log: logger,
    onFetch: (outcome) => metrics.upstreamCalls.inc({ operation: 'issuerKeys', outcome }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const verifier = createTokenVerifier({
    keys,
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    clientId: config.oidc.clientId,
    acceptAzp: config.oidc.acceptAzp,
    algorithms: config.oidc.algorithms,
    clockToleranceSeconds: config.oidc.clockToleranceSeconds,
    userIdClaims: config.oidc.userIdClaims,
    claimPaths: entitlements?.claims ?? defaultClaimPaths(config.oidc.clientId),
    maxLifetimeSeconds: config.oidc.maxTokenLifetimeSeconds,
    requireAtJwt: config.oidc.requireAtJwt,
    cacheSize: config.oidc.tokenCacheSize,
    onFailure: (reason) => metrics.tokenFailures.inc({ reason }),
    onCache: metrics.countCache('token'),
  });
  // The embedded issuer is asked in this process; another issuer through its userinfo endpoint.
  let embeddedIdp: EmbeddedIdp | null = null;
  const userinfoCheck = createUserinfoSessionCheck({
    issuer: config.oidc.issuer,
    timeoutMs: config.oidc.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const sessionCheck: SessionCheck | null = config.oidc.sessionCheck
    ? (token) =>
        embeddedIdp !== null && embeddedIdp.issuer === config.oidc.issuer
          ? embeddedIdp.checkSession(token)
          : userinfoCheck(token)
    : null;
  const history = deferAuditStore(async () => {
    const { AUDIT_DATABASE_FILE, openAuditStore } = await import('../audit/sqlite-audit-store.js');
    return openAuditStore(join(config.apim.embedded.dataDir, AUDIT_DATABASE_FILE));
  });
  const audit = createAuditTrail(history, logger);
  const provisioning = createProvisioning({
    apiManager,
    locks,
    autoCreateAccounts: config.apim.autoCreateAccounts,
    onDuplicate: (event) =>
      logger.warn(
        {
          account_id: event.accountId,
          service_id: event.serviceId,
          kept_application_id: event.keptId,
          duplicate_application_id: event.duplicateId,
          outcome: event.outcome,
        },
        event.outcome === 'removed'
          ? 'removed a duplicate application; its pair keeps the oldest one'
          : 'could not remove a duplicate application yet; its pair keeps answering with the oldest one',
      ),
    keyTtlDays: config.keys.ttlDays,
    audit,
    entitlements,
    now,
  });
  const lifecycle = createKeyLifecycle({
    apiManager,
    locks,
    audit,
    history,
    keyTtlDays: config.keys.ttlDays,
    grace: { defaultSeconds: config.keys.graceDefaultSeconds, maxSeconds: config.keys.graceMaxSeconds },
    entitlements,
    now,
  });
  const directory = options.directory !== undefined ? options.directory : createDirectory(config, entitlements);
  if (entitlements !== null) {
    // A policy naming a service the catalog lacks is a warning, not a failure: the catalog may change.
    apiManager
      .listServices()
      .then((services) => warnUnknownServices(entitlements, services, logger))
      .catch(() => {});
  }

  const separateMetrics = config.metrics.enabled && config.metrics.port !== null;
  const app = await buildServer({
    config,
    logger,
    metrics,
    provisioning,
    lifecycle,
    usage: createUsageReader({ apiManager, entitlements, now }),
    verifier,
    sessionCheck,
    version: HELPER_VERSION,
    serveMetrics: config.metrics.enabled && !separateMetrics,
    redis,
    readiness: [
      { name: 'token issuer', check: () => keys.checkReady() },
      { name: 'API management', check: () => apiManager.checkReady() },
      ...(redis === null || pingRedis === undefined
        ? []
        : [{ name: 'shared state (Redis)', check: () => pingRedis(redis) }]),
      { name: 'audit history', check: () => history.open() },
    ],
  });
  if (config.embeddedIdp) {
    const { createEmbeddedIdp } = await import('../idp/embedded-idp.js');
    embeddedIdp = await createEmbeddedIdp(config.embeddedIdp, {
      log: logger,
      webClientId: config.webUi.enabled ? config.webUi.clientId : null,
    });
    await embeddedIdp.register(app);
  }
  if (embeddedStore !== null) {
    const { registerDemoGateway } = await import('../http/routes/demo-gateway.js');
    registerDemoGateway(app, {
      listServices: () => embeddedStore.listServices(),
      findApplicationByKey: (key) => embeddedStore.findApplicationByKey(key),
      admitCall: (application) => embeddedStore.admitCall(application),
      now,
    });
  }
  let metricsApp: FastifyInstance | null = null;
  if (separateMetrics) {
    metricsApp = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    registerMetricsRoute(metricsApp, metrics.registry);
  }

  const reconcile = (run: { dryRun?: boolean } = {}): Promise<HelperReconcileReport> =>
    locks.withLock(RECONCILE_LOCK, RECONCILE_LOCK_TTL_MS, async () => {
      const deadlines = await reconcileOnce(
        {
          apiManager,
          audit,
          callsPerMinute: config.keys.reconcileCallsPerMinute,
          concurrency: config.keys.reconcileConcurrency,
          now,
          onDeadline: (outcome, kind) => metrics.reconcileDeadlines.inc({ outcome, kind }),
          log: logger,
        },
        run,
      );
      // Offboarding: a phase of its own after the deadlines, under the same lock.
      const offboarding =
        directory === null
          ? null
          : await offboardOnce(
              {
                apiManager,
                directory,
                audit,
                policy: entitlements,
                callsPerMinute: config.keys.reconcileCallsPerMinute,
                concurrency: config.keys.reconcileConcurrency,
                now,
                log: logger,
                onChange: (action, outcome) => metrics.offboardingChanges.inc({ action, outcome }),
              },
              run,
            );
      if (offboarding !== null && !offboarding.dryRun) {
        const outcome =
          offboarding.directoryError !== null
            ? 'directory_error'
            : offboarding.backendError !== null
              ? 'backend_error'
              : 'ok';
        metrics.offboardingRuns.inc({ outcome });
      }
      return { ...deadlines, offboarding };
    });
  let loop: NodeJS.Timeout | null = null;
  const scheduleReconcile = () => {
    loop = setTimeout(() => {
      reconcile()
        .then((report) => {
          if (report.due > 0)
            logger.info({ ...report, planned: undefined, offboarding: undefined }, 'reconcile run finished');
          const off = report.offboarding;
          if (off !== null && off.suspended + off.resumed + off.planChanges + off.failed > 0) {
            logger.info({ ...off, planned: undefined }, 'offboarding run finished');
          }
        })
        .catch((error: unknown) => {
          // Another replica holding the lock for long is normal; anything else is worth a warning.
          const code = isHelperError(error) ? error.code : 'INTERNAL_ERROR';
          logger.warn({ code }, 'reconcile run did not complete; the next run resumes it');
        })
        .finally(() => {
          if (loop !== null) scheduleReconcile();
        });
    }, config.keys.reconcileIntervalSeconds * 1000);
    loop.unref();
  };

  let closing: Promise<void> | null = null;
  return {
    app,
    config,
    metrics,
    apiManager,
    embeddedIdp,
    reconcile,
    entitlements,
    async listen() {
      const url = await app.listen({ port: config.port, host: config.host });
      // Fetch the issuer's keys now rather than on the first request (a failure is logged and retried then),
      // keep the 3scale catalog loaded and define its application fields, so that no user waits for these.
      keys.checkReady().catch(() => {});
      history.open().catch((error: unknown) => logger.error({ err: error }, 'the audit history cannot be opened'));
      if (threescale !== null && config.apim.threescale?.catalogPreload === true) threescale.keepCatalogLoaded();
      threescale?.prepareFields();
      if (metricsApp !== null) await metricsApp.listen({ port: config.metrics.port ?? 0, host: config.host });
      if (config.keys.reconcileIntervalSeconds > 0 && loop === null) scheduleReconcile();
      return url;
    },
    close() {
      closing ??= (async () => {
        if (loop !== null) clearTimeout(loop);
        loop = null;
        await Promise.all([app.close(), metricsApp?.close()]);
        await locks.close();
        await apiManager.close();
        await history.close();
        await redis?.quit().catch(() => redis.disconnect());
        embeddedIdp?.close();
      })();
      return closing;
    },
  };
}

/**
 * The embedded issuer and the demo gateway derive their URLs from the listen address, so they must know the
 * port before listening: PORT=0 is resolved to a free port here, and the helper's own issuer follows when it
 * is the embedded one.
 */
async function withResolvedPort(config: HelperConfig): Promise<HelperConfig> {
  const idp = config.embeddedIdp;
  const derivesUrls =
    (idp !== undefined && idp.issuerFromListenAddress) ||
    (config.apim.backend === 'embedded' && config.publicUrl === null);
  if (!derivesUrls || config.port !== 0) return config;
  const port = await findFreePort(config.host);
  if (idp === undefined || !idp.issuerFromListenAddress) return { ...config, port };
  const issuer = issuerForListenAddress(config.host, port, new URL(idp.issuer).pathname.split('/').pop());
  return {
    ...config,
    port,
    oidc: config.oidc.issuer === idp.issuer ? { ...config.oidc, issuer } : config.oidc,
    embeddedIdp: { ...idp, issuer },
  };
}

/**
 * The policy in force: ENTITLEMENTS_FILE's rules, and the embedded catalog's `entitlements` fields for services
 * the file does not name; null when neither says anything.
 */
function withCatalogRules(
  config: HelperConfig,
  catalogRules: ReadonlyMap<string, ServiceRule> | undefined,
): EntitlementPolicy | null {
  if (catalogRules === undefined || catalogRules.size === 0) return config.entitlements;
  const policy = config.entitlements ?? {
    claims: defaultClaimPaths(config.oidc.clientId),
    defaultAllow: true,
    services: new Map<string, ServiceRule>(),
  };
  return { ...policy, services: new Map([...catalogRules, ...policy.services]) };
}

function warnUnknownServices(policy: EntitlementPolicy, services: readonly ApiService[], logger: Logger): void {
  const known = new Set(services.flatMap((service) => [service.id, service.systemName]));
  for (const id of policy.services.keys()) {
    if (!known.has(id)) {
      logger.warn(
        { service_id: id },
        'the entitlements policy names a service the catalog does not have; its rule applies to nothing',
      );
    }
  }
}

/**
 * The directory offboarding asks: Keycloak's Admin REST API when a service-account client is configured, else
 * the embedded issuer's users when it is the helper's issuer; null (no offboarding) otherwise.
 */
function createDirectory(config: HelperConfig, policy: EntitlementPolicy | null): UserDirectory | null {
  if (!config.directory.offboarding) return null;
  const keycloak = config.directory.keycloak;
  if (keycloak !== null) {
    return createKeycloakDirectory({
      ...keycloak,
      concurrency: config.keys.reconcileConcurrency,
      userIdClaims: config.oidc.userIdClaims,
      claimPaths: policy?.claims ?? defaultClaimPaths(config.oidc.clientId),
    });
  }
  const idp = config.embeddedIdp;
  if (idp !== undefined && idp.issuer === config.oidc.issuer) {
    return createEmbeddedDirectory({
      usersFile: idp.usersFile,
      demoUsers: idp.demoUsers,
      userIdClaims: config.oidc.userIdClaims,
    });
  }
  return null;
}

/** `http://host:port` for a listen address; a wildcard address is reached through loopback. */
function baseUrlOf(host: string, port: number): string {
  return new URL(issuerForListenAddress(isWildcardHost(host) ? '127.0.0.1' : host, port)).origin;
}

async function openEmbeddedStore(config: HelperConfig, baseUrl: string, now: () => Date): Promise<EmbeddedStore> {
  const { createEmbeddedStore, parseEncryptionKey } = await import('../apim/embedded/index.js');
  const { dataDir, catalogPath, encryptionKey } = config.apim.embedded;
  return createEmbeddedStore({
    dataDir,
    baseUrl,
    now,
    ...(catalogPath !== null ? { catalogPath } : {}),
    ...(encryptionKey !== null ? { encryptionKey: parseEncryptionKey(encryptionKey) } : {}),
  });
}

function createThreescale(config: HelperConfig, logger: Logger, metrics: HelperMetrics): ThreescaleApiManager {
  const settings = config.apim.threescale;
  if (settings === null) throw new TypeError('APIM_BACKEND=threescale without 3scale settings');
  const http = createThreescaleHttp({
    baseUrl: settings.adminApiUrl,
    accessToken: settings.adminApiKey,
    timeoutMs: settings.timeoutMs,
    retry: { ...DEFAULT_RETRY_POLICY, retries: settings.retries },
    log: logger,
    // Counted at the wire, so cache hits are not upstream calls.
    onCall: (operation, outcome, seconds) => {
      metrics.upstreamCalls.inc({ operation, outcome });
      metrics.upstreamDuration.observe({ operation }, seconds);
    },
  });
  const countCatalogCache = { services: metrics.countCache('services'), plans: metrics.countCache('plans') };
  return createThreescaleApiManager({
    http,
    cache: settings,
    log: logger,
    onCache: (cache, event) => countCatalogCache[cache](event),
    maxGraceSeconds: config.keys.graceMaxSeconds,
  });
}
