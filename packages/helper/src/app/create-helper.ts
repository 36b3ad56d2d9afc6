/**
 * @module app/create-helper
 * The composition root: builds every part of a helper process from its configuration and wires them
 * together. Nothing else constructs adapters or reads configuration.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiManager } from '../apim/api-manager.js';
import { createEmbeddedStore, parseEncryptionKey, type EmbeddedStore } from '../apim/embedded/index.js';
import { withAccountCache } from '../apim/cached-account-reads.js';
import { DEFAULT_RETRY_POLICY } from '../apim/threescale/retry-policy.js';
import { createThreescaleApiManager, type ThreescaleApiManager } from '../apim/threescale/threescale-api-manager.js';
import { createThreescaleHttp } from '../apim/threescale/threescale-http.js';
import { connectRedis, pingRedis } from '../state/redis-connection.js';
import { createRedisLocks } from '../state/redis-locks.js';
import { createIssuerKeys } from '../auth/issuer-keys.js';
import { createUserinfoSessionCheck, type SessionCheck } from '../auth/session-check.js';
import { createTokenVerifier } from '../auth/token-verifier.js';
import type { HelperConfig } from '../config/config.js';
import { buildServer } from '../http/build-server.js';
import { createEmbeddedIdp, type EmbeddedIdp } from '../idp/embedded-idp.js';
import { findFreePort, isWildcardHost, issuerForListenAddress } from '../idp/listen-address.js';
import { registerDemoGateway } from '../http/routes/demo-gateway.js';
import { registerMetricsRoute } from '../http/routes/metrics.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createMetrics, type HelperMetrics } from '../metrics/metrics.js';
import { createProvisioning } from '../provisioning/provisioning.js';
import { createKeyLifecycle } from '../provisioning/key-lifecycle.js';
import { reconcileOnce, type ReconcileReport } from '../provisioning/reconcile.js';
import { isHelperError } from '../errors/helper-error.js';
import { createAuditTrail } from '../audit/audit-log.js';
import { AUDIT_DATABASE_FILE, openAuditStore } from '../audit/sqlite-audit-store.js';
import { join } from 'node:path';
import { createMemoryLocks } from '../state/memory-locks.js';
import { HELPER_VERSION } from '../version.js';

/** The lock that keeps the reconcile loop on one replica at a time. */
const RECONCILE_LOCK = 'reconcile';
const RECONCILE_LOCK_TTL_MS = 60_000;

export interface HelperOptions {
  logger?: Logger;
  /** Used for the issuer's discovery document and keys; injected by tests. */
  fetch?: typeof globalThis.fetch;
  /** Extra default process metrics (CPU, memory, event loop); off in tests that build many helpers. */
  defaultMetrics?: boolean;
  /** The clock of key deadlines (expiry, grace periods); injected by tests. */
  now?: () => Date;
}

export interface Helper {
  app: FastifyInstance;
  config: HelperConfig;
  metrics: HelperMetrics;
  apiManager: ApiManager;
  /** The embedded OpenID Connect issuer, when this process serves one. */
  embeddedIdp: EmbeddedIdp | null;
  /**
   * Enforces every key deadline due now (expiry, end of grace), one replica at a time; with `dryRun`, only
   * says what it would do.
   */
  reconcile(run?: { dryRun?: boolean }): Promise<ReconcileReport>;
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
  const embeddedStore = config.apim.backend === 'embedded' ? openEmbeddedStore(config, baseUrl, now) : null;
  const threescale = embeddedStore === null ? createThreescale(config, logger, metrics) : null;
  const backend: ApiManager = embeddedStore ?? (threescale as ThreescaleApiManager);
  const countAccountCache = {
    accounts: metrics.countCache('accounts'),
    applications: metrics.countCache('applications'),
  };
  const apiManager = withAccountCache(backend, {
    ttlMs: config.apim.accountCacheTtlMs,
    onCache: (cache, event) => countAccountCache[cache](event),
  });
  const redis = config.redis === null ? null : connectRedis(config.redis.url, logger);
  const locks =
    redis === null ? createMemoryLocks() : createRedisLocks({ redis, keyPrefix: config.redis?.keyPrefix ?? '' });

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
  const history = openAuditStore(join(config.apim.embedded.dataDir, AUDIT_DATABASE_FILE));
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
    now,
  });
  const lifecycle = createKeyLifecycle({
    apiManager,
    locks,
    audit,
    history,
    keyTtlDays: config.keys.ttlDays,
    grace: { defaultSeconds: config.keys.graceDefaultSeconds, maxSeconds: config.keys.graceMaxSeconds },
    now,
  });

  const separateMetrics = config.metrics.enabled && config.metrics.port !== null;
  const app = await buildServer({
    config,
    logger,
    metrics,
    provisioning,
    lifecycle,
    verifier,
    sessionCheck,
    version: HELPER_VERSION,
    serveMetrics: config.metrics.enabled && !separateMetrics,
    redis,
    readiness: [
      { name: 'token issuer', check: () => keys.checkReady() },
      { name: 'API management', check: () => apiManager.checkReady() },
      ...(redis === null ? [] : [{ name: 'shared state (Redis)', check: () => pingRedis(redis) }]),
    ],
  });
  embeddedIdp = config.embeddedIdp ? await createEmbeddedIdp(config.embeddedIdp, { log: logger }) : null;
  if (embeddedIdp !== null) await embeddedIdp.register(app);
  if (embeddedStore !== null) {
    registerDemoGateway(app, embeddedStore);
  }
  let metricsApp: FastifyInstance | null = null;
  if (separateMetrics) {
    metricsApp = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    registerMetricsRoute(metricsApp, metrics.registry);
  }

  const reconcile = (run: { dryRun?: boolean } = {}) =>
    locks.withLock(RECONCILE_LOCK, RECONCILE_LOCK_TTL_MS, () =>
      reconcileOnce(
        {
          apiManager,
          audit,
          callsPerMinute: config.keys.reconcileCallsPerMinute,
          concurrency: config.keys.reconcileConcurrency,
          now,
          onDeadline: (outcome) => metrics.reconcileDeadlines.inc({ outcome }),
          log: logger,
        },
        run,
      ),
    );
  let loop: NodeJS.Timeout | null = null;
  const scheduleReconcile = () => {
    loop = setTimeout(() => {
      reconcile()
        .then((report) => {
          if (report.due > 0) logger.info({ ...report, planned: undefined }, 'reconcile run finished');
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
    async listen() {
      const url = await app.listen({ port: config.port, host: config.host });
      // Fetch the issuer's keys now rather than on the first request (a failure is logged and retried then),
      // and keep the 3scale catalog loaded, so that no user waits for either.
      keys.checkReady().catch(() => {});
      if (threescale !== null && config.apim.threescale?.catalogPreload === true) threescale.keepCatalogLoaded();
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

/** `http://host:port` for a listen address; a wildcard address is reached through loopback. */
function baseUrlOf(host: string, port: number): string {
  return new URL(issuerForListenAddress(isWildcardHost(host) ? '127.0.0.1' : host, port)).origin;
}

function openEmbeddedStore(config: HelperConfig, baseUrl: string, now: () => Date): EmbeddedStore {
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
