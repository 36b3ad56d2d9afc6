/**
 * @module app/create-helper
 * The composition root: builds every part of a helper process from its configuration and wires them
 * together. Nothing else constructs adapters or reads configuration.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiManager } from '../apim/api-manager.js';
import { createEmbeddedStore, parseEncryptionKey } from '../apim/embedded/index.js';
import { instrumentApiManager } from '../apim/instrument-api-manager.js';
import { createIssuerKeys } from '../auth/issuer-keys.js';
import { createTokenVerifier } from '../auth/token-verifier.js';
import type { HelperConfig } from '../config/config.js';
import { buildServer } from '../http/build-server.js';
import { registerMetricsRoute } from '../http/routes/metrics.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createMetrics, type HelperMetrics } from '../metrics/metrics.js';
import { createProvisioning } from '../provisioning/provisioning.js';
import { createMemoryLocks } from '../state/memory-locks.js';
import { HELPER_VERSION } from '../version.js';

export interface HelperOptions {
  logger?: Logger;
  /** Used for the issuer's discovery document and keys; injected by tests. */
  fetch?: typeof globalThis.fetch;
  /** Extra default process metrics (CPU, memory, event loop); off in tests that build many helpers. */
  defaultMetrics?: boolean;
}

export interface Helper {
  app: FastifyInstance;
  config: HelperConfig;
  metrics: HelperMetrics;
  apiManager: ApiManager;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, then closes stores. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds a helper from configuration.
 * @example const helper = await createHelper(loadConfig(process.env)); console.log(await helper.listen());
 */
export async function createHelper(config: HelperConfig, options: HelperOptions = {}): Promise<Helper> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const apiManager = instrumentApiManager(createApiManager(config), metrics);
  const locks = createMemoryLocks();

  const keys = createIssuerKeys({
    issuer: config.oidc.issuer,
    cacheMaxAgeMs: config.oidc.jwksCacheMaxAgeMs,
    cooldownMs: config.oidc.jwksCooldownMs,
    timeoutMs: config.oidc.timeoutMs,
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
    cacheSize: config.oidc.tokenCacheSize,
    onFailure: (reason) => metrics.tokenFailures.inc({ reason }),
    onCache: (event) => metrics.cacheEvents.inc({ cache: 'token', event }),
  });
  const provisioning = createProvisioning({ apiManager, locks, autoCreateAccounts: config.apim.autoCreateAccounts });

  const separateMetrics = config.metrics.enabled && config.metrics.port !== null;
  const app = await buildServer({
    config,
    logger,
    metrics,
    provisioning,
    verifier,
    version: HELPER_VERSION,
    serveMetrics: config.metrics.enabled && !separateMetrics,
    readiness: [
      { name: 'token issuer', check: () => keys.checkReady() },
      { name: 'API management', check: () => apiManager.checkReady() },
    ],
  });
  let metricsApp: FastifyInstance | null = null;
  if (separateMetrics) {
    metricsApp = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    registerMetricsRoute(metricsApp, metrics.registry);
  }

  let closing: Promise<void> | null = null;
  return {
    app,
    config,
    metrics,
    apiManager,
    async listen() {
      const url = await app.listen({ port: config.port, host: config.host });
      if (metricsApp !== null) await metricsApp.listen({ port: config.metrics.port ?? 0, host: config.host });
      return url;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([app.close(), metricsApp?.close()]);
        await locks.close();
        await apiManager.close();
      })();
      return closing;
    },
  };
}

function createApiManager(config: HelperConfig): ApiManager {
  switch (config.apim.backend) {
    case 'embedded': {
      const { dataDir, catalogPath, encryptionKey } = config.apim.embedded;
      return createEmbeddedStore({
        dataDir,
        ...(catalogPath !== null ? { catalogPath } : {}),
        ...(encryptionKey !== null ? { encryptionKey: parseEncryptionKey(encryptionKey) } : {}),
      });
    }
    case 'threescale':
      throw new TypeError('the 3scale adapter is not part of this build');
  }
}
