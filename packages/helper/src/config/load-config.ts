/**
 * @module config/load-config
 * Reads and validates the helper's configuration from the environment. Every problem is collected, so an
 * operator sees them all in one message instead of fixing them one restart at a time.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { isLoopbackHost, isWildcardHost, issuerForListenAddress } from '../idp/listen-address.js';
import {
  ASYMMETRIC_ALGORITHMS,
  DEFAULTS,
  type ApimBackend,
  type EmbeddedIdpConfig,
  type HelperConfig,
  type TrustProxy,
} from './config.js';
import { printable } from '../lib/printable.js';
import { parsePolicyText, type EntitlementPolicy } from '../entitlements/policy.js';

/** Longest piece of outside text echoed in a message. */
const MAX_ECHOED = 60;

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the helper keeps its data and the embedded issuer's users file; a data directory given on the command
 * line wins over MLAAS_DATA_DIR. The server and `mlaas-helper users add` both read them here, so they agree.
 * @example dataLocations({ MLAAS_DATA_DIR: '/var/lib/mlaas' }).usersFile // '/var/lib/mlaas/users.json'
 */
export function dataLocations(env: Env, dataDirFlag?: string): { dataDir: string; usersFile: string } {
  const text = (name: string) => env[name]?.trim() || undefined;
  const dataDir = dataDirFlag ?? text('MLAAS_DATA_DIR') ?? DEFAULTS.MLAAS_DATA_DIR;
  return { dataDir, usersFile: text('EMBEDDED_USERS_FILE') ?? join(dataDir, DEFAULTS.EMBEDDED_IDP_USERS_FILE) };
}

/** Thrown when the configuration is invalid; `problems` lists each one. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  /** Reads a secret file (`*_FILE` variables); injected for tests. */
  readFile?: (path: string) => string;
  /** Receives deprecation and insecure-setting warnings. */
  warn?: (message: string) => void;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Builds a {@link HelperConfig} from environment variables.
 * @throws ConfigError listing every missing or invalid variable.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): HelperConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const warn = options.warn ?? (() => {});
  const problems: string[] = [];
  const reader = createReader(env, problems, readFile);

  if (env.EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_IP !== undefined) {
    warn('EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_IP is no longer read: sign-ins are slowed per (user, address) instead.');
  }
  if (env.FLASK_ENV !== undefined) {
    warn('FLASK_ENV is deprecated; set MLAAS_ENV instead (FLASK_ENV is used as the environment name for now).');
  }
  const environment = env.MLAAS_ENV ?? env.FLASK_ENV ?? env.NODE_ENV ?? 'production';

  const port = reader.integer('PORT', DEFAULTS.PORT, 0, 65_535);
  const host = reader.text('HOST') ?? DEFAULTS.HOST;
  const logLevel = reader.oneOf('LOG_LEVEL', LOG_LEVELS, DEFAULTS.LOG_LEVEL);
  const trustProxy = readTrustProxy(reader, problems, warn);
  const publicUrl = reader.text('MLAAS_PUBLIC_URL')?.replace(/\/+$/, '');
  if (publicUrl !== undefined) checkUrl(publicUrl, 'MLAAS_PUBLIC_URL', problems);

  // The embedded issuer, when on, is the default issuer and client of the helper itself.
  const idpEnabled = reader.boolean('EMBEDDED_IDP', false);
  const embeddedIssuer = idpEnabled ? embeddedIssuerUrl(reader, host, port, problems) : undefined;

  // Issuer: OIDC_ISSUER wins; otherwise Keycloak's realm URL, as the original helper built it.
  const clientId = reader.text('KEYCLOAK_CLIENT_ID') ?? (idpEnabled ? DEFAULTS.EMBEDDED_IDP_CLIENT_ID : undefined);
  const explicitIssuer = reader.text('OIDC_ISSUER');
  const keycloakUrl = reader.text('KEYCLOAK_URL');
  const realm = reader.text('KEYCLOAK_REALM');
  let issuer: string | undefined = explicitIssuer;
  if (issuer === undefined && idpEnabled && keycloakUrl === undefined) {
    issuer = embeddedIssuer?.url;
  } else if (issuer === undefined) {
    if (keycloakUrl === undefined) problems.push('KEYCLOAK_URL is required (or set OIDC_ISSUER)');
    if (realm === undefined) problems.push('KEYCLOAK_REALM is required (or set OIDC_ISSUER)');
    if (keycloakUrl !== undefined && realm !== undefined) {
      issuer = `${keycloakUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`;
    }
  }
  const allowHttpIssuer = reader.boolean('OIDC_ALLOW_HTTP', false);
  if (issuer !== undefined && issuer !== embeddedIssuer?.url) {
    checkIssuerUrl(issuer, explicitIssuer ? 'OIDC_ISSUER' : 'KEYCLOAK_URL', allowHttpIssuer, problems);
  }
  if (clientId === undefined) problems.push('KEYCLOAK_CLIENT_ID is required');

  const algorithms = reader.list('OIDC_ALGORITHMS', DEFAULTS.OIDC_ALGORITHMS);
  for (const alg of algorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      problems.push(
        `OIDC_ALGORITHMS: "${printable(alg, MAX_ECHOED)}" is not allowed (asymmetric algorithms only: ${ASYMMETRIC_ALGORITHMS.join(', ')})`,
      );
    }
  }
  const userIdClaims = reader.list('USER_ID_CLAIMS', DEFAULTS.USER_ID_CLAIMS);

  const backend = reader.oneOf('APIM_BACKEND', ['threescale', 'embedded'] as const, 'threescale') as ApimBackend;
  let threescale: HelperConfig['apim']['threescale'] = null;
  if (backend === 'threescale') {
    const adminApiUrl = reader.text('THREESCALE_ADMIN_API_URL');
    const adminApiKey = reader.secret('THREESCALE_ADMIN_API_KEY');
    if (adminApiUrl === undefined) problems.push('THREESCALE_ADMIN_API_URL is required when APIM_BACKEND=threescale');
    else checkUrl(adminApiUrl, 'THREESCALE_ADMIN_API_URL', problems);
    if (adminApiKey === undefined) {
      problems.push(
        'THREESCALE_ADMIN_API_KEY (or THREESCALE_ADMIN_API_KEY_FILE) is required when APIM_BACKEND=threescale',
      );
    }
    const tuning = {
      timeoutMs: reader.integer('THREESCALE_TIMEOUT_MS', DEFAULTS.THREESCALE_TIMEOUT_MS, 100, 120_000),
      retries: reader.integer('THREESCALE_RETRIES', DEFAULTS.THREESCALE_RETRIES, 0, 10),
      catalogTtlMs:
        reader.integer('THREESCALE_CACHE_TTL_SECONDS', DEFAULTS.THREESCALE_CACHE_TTL_SECONDS, 0, 86_400) * 1000,
      catalogStaleMs:
        reader.integer('THREESCALE_CACHE_STALE_SECONDS', DEFAULTS.THREESCALE_CACHE_STALE_SECONDS, 0, 604_800) * 1000,
      catalogPreload: reader.boolean('THREESCALE_CATALOG_PRELOAD', true),
    };
    if (adminApiUrl !== undefined && adminApiKey !== undefined) threescale = { adminApiUrl, adminApiKey, ...tuning };
  }

  const maxTokenLifetimeSeconds = reader.integer(
    'OIDC_MAX_TOKEN_LIFETIME_SECONDS',
    DEFAULTS.OIDC_MAX_TOKEN_LIFETIME_SECONDS,
    60,
    604_800,
  );
  const { dataDir, usersFile } = dataLocations(env);
  const audience = reader.text('KEYCLOAK_AUDIENCE') ?? clientId ?? '';
  const embeddedIdp =
    embeddedIssuer !== undefined
      ? readEmbeddedIdp(
          reader,
          {
            issuer: embeddedIssuer,
            host,
            dataDir,
            usersFile,
            clientId: clientId ?? '',
            audience,
            allowHttp: allowHttpIssuer,
            trustProxy,
          },
          problems,
        )
      : undefined;

  const config: HelperConfig = {
    environment,
    host,
    port,
    publicUrl: publicUrl ?? null,
    logLevel,
    oidc: {
      issuer: issuer ?? '',
      clientId: clientId ?? '',
      audience,
      acceptAzp: reader.boolean('OIDC_ACCEPT_AZP', false),
      algorithms,
      clockToleranceSeconds: reader.integer(
        'OIDC_CLOCK_TOLERANCE_SECONDS',
        DEFAULTS.OIDC_CLOCK_TOLERANCE_SECONDS,
        0,
        300,
      ),
      userIdClaims,
      jwksCacheMaxAgeMs:
        reader.integer('JWKS_CACHE_MAX_AGE_SECONDS', DEFAULTS.JWKS_CACHE_MAX_AGE_SECONDS, 1, 86_400) * 1000,
      jwksCooldownMs: reader.integer('JWKS_COOLDOWN_SECONDS', DEFAULTS.JWKS_COOLDOWN_SECONDS, 0, 3_600) * 1000,
      timeoutMs: reader.integer('OIDC_TIMEOUT_MS', DEFAULTS.OIDC_TIMEOUT_MS, 100, 60_000),
      tokenCacheSize: reader.integer('TOKEN_CACHE_SIZE', DEFAULTS.TOKEN_CACHE_SIZE, 0, 1_000_000),
      maxTokenLifetimeSeconds,
      // The embedded issuer marks every access token `at+jwt`; its ID tokens are plain `JWT`.
      requireAtJwt: reader.boolean('OIDC_REQUIRE_AT_JWT', issuer !== undefined && issuer === embeddedIssuer?.url),
      jwksAllowedOrigins: readOrigins(reader, 'OIDC_JWKS_ALLOWED_ORIGINS', problems),
      sessionCheck: reader.boolean('OIDC_SESSION_CHECK', true),
    },
    apim: {
      backend,
      autoCreateAccounts: reader.boolean('AUTO_CREATE_ACCOUNTS', true),
      exposeKeysInList: reader.boolean('EXPOSE_KEYS_IN_LIST', false),
      accountCacheTtlMs:
        reader.integer('ACCOUNT_CACHE_TTL_SECONDS', DEFAULTS.ACCOUNT_CACHE_TTL_SECONDS, 0, 3_600) * 1000,
      threescale,
      embedded: {
        dataDir,
        catalogPath: reader.text('EMBEDDED_CATALOG') ?? null,
        encryptionKey: reader.secret('EMBEDDED_ENCRYPTION_KEY') ?? null,
      },
    },
    limits: {
      userPerMinute: reader.integer('RATE_LIMIT_USER_PER_MINUTE', DEFAULTS.RATE_LIMIT_USER_PER_MINUTE, 0, 1_000_000),
      ipPerMinute: reader.integer('RATE_LIMIT_IP_PER_MINUTE', DEFAULTS.RATE_LIMIT_IP_PER_MINUTE, 0, 1_000_000),
      initPerMinute: reader.integer('RATE_LIMIT_INIT_PER_MINUTE', DEFAULTS.RATE_LIMIT_INIT_PER_MINUTE, 0, 1_000_000),
      bodyBytes: reader.integer('BODY_LIMIT_BYTES', DEFAULTS.BODY_LIMIT_BYTES, 256, 10_485_760),
      headerBytes: reader.integer('HEADER_LIMIT_BYTES', DEFAULTS.HEADER_LIMIT_BYTES, 1_024, 1_048_576),
      requestTimeoutMs: reader.integer('REQUEST_TIMEOUT_MS', DEFAULTS.REQUEST_TIMEOUT_MS, 1_000, 600_000),
      shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', DEFAULTS.SHUTDOWN_TIMEOUT_MS, 0, 600_000),
      trustProxy,
    },
    redis: null,
    webUi: {
      enabled: reader.boolean('WEB_UI', true),
      clientId: reader.text('WEB_UI_CLIENT_ID') ?? DEFAULTS.WEB_UI_CLIENT_ID,
    },
    entitlements: readEntitlements(reader, clientId ?? DEFAULTS.EMBEDDED_IDP_CLIENT_ID, problems, readFile),
    directory: readDirectory(reader, { keycloakUrl, realm, issuer }, problems),
    keys: readKeyLifecycle(reader, problems),
    metrics: {
      enabled: reader.boolean('METRICS_ENABLED', true),
      port:
        env.METRICS_PORT === undefined || env.METRICS_PORT === '' ? null : reader.integer('METRICS_PORT', 0, 0, 65_535),
    },
    ...(embeddedIdp !== undefined ? { embeddedIdp } : {}),
  };

  const redisUrl = reader.secret('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    problems.push('REDIS_URL must start with redis:// or rediss://');
  config.redis =
    redisUrl === undefined
      ? null
      : { url: redisUrl, keyPrefix: reader.text('REDIS_KEY_PREFIX') ?? DEFAULTS.REDIS_KEY_PREFIX };

  if (embeddedIdp !== undefined && embeddedIdp.accessTokenTtlSeconds > maxTokenLifetimeSeconds) {
    problems.push(
      `EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS=${embeddedIdp.accessTokenTtlSeconds} is longer than OIDC_MAX_TOKEN_LIFETIME_SECONDS=${maxTokenLifetimeSeconds}: the helper would refuse every token the issuer makes`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  if (allowHttpIssuer && config.oidc.issuer.startsWith('http:')) {
    warn(`OIDC_ALLOW_HTTP=true: signing keys for ${config.oidc.issuer} are fetched over plain HTTP.`);
  }
  return config;
}

/**
 * The environment of `mlaas-helper --embedded`: embedded issuer, embedded store, demo users and the password
 * grant, on 127.0.0.1:5000. Variables already set keep their values (so HOST=0.0.0.0 still refuses demo users).
 * @example loadConfig(embeddedStackEnv(process.env))
 */
export function embeddedStackEnv(env: Env): Record<string, string | undefined> {
  return {
    HOST: DEFAULTS.HOST,
    PORT: String(DEFAULTS.PORT),
    APIM_BACKEND: 'embedded',
    EMBEDDED_DEMO_USERS: 'true',
    EMBEDDED_PASSWORD_GRANT: 'true',
    ...env,
    EMBEDDED_IDP: 'true',
  };
}

type Reader = ReturnType<typeof createReader>;

/** The entitlements policy of `ENTITLEMENTS_FILE`; its problems are configuration problems. */
function readEntitlements(
  reader: Reader,
  clientId: string,
  problems: string[],
  readFile: (path: string) => string,
): EntitlementPolicy | null {
  const path = reader.text('ENTITLEMENTS_FILE');
  if (path === undefined) return null;
  let text: string;
  try {
    text = readFile(path);
  } catch {
    problems.push(`ENTITLEMENTS_FILE: ${printable(path, MAX_ECHOED)} cannot be read`);
    return null;
  }
  const parsed = parsePolicyText(text, clientId);
  for (const problem of parsed.problems) problems.push(`ENTITLEMENTS_FILE ${printable(path, MAX_ECHOED)}: ${problem}`);
  return parsed.policy;
}

/** Keycloak's Admin REST API for offboarding: on when KEYCLOAK_ADMIN_CLIENT_ID is set. */
function readDirectory(
  reader: Reader,
  where: { keycloakUrl: string | undefined; realm: string | undefined; issuer: string | undefined },
  problems: string[],
): HelperConfig['directory'] {
  const offboarding = reader.boolean('OFFBOARDING', true);
  const clientId = reader.text('KEYCLOAK_ADMIN_CLIENT_ID');
  const clientSecret = reader.secret('KEYCLOAK_ADMIN_CLIENT_SECRET');
  const timeoutMs = reader.integer('KEYCLOAK_ADMIN_TIMEOUT_MS', DEFAULTS.KEYCLOAK_ADMIN_TIMEOUT_MS, 100, 120_000);
  const pageSize = reader.integer('KEYCLOAK_ADMIN_PAGE_SIZE', DEFAULTS.KEYCLOAK_ADMIN_PAGE_SIZE, 1, 1_000);
  if (clientId === undefined) {
    if (clientSecret !== undefined)
      problems.push('KEYCLOAK_ADMIN_CLIENT_SECRET is set without KEYCLOAK_ADMIN_CLIENT_ID');
    return { keycloak: null, offboarding };
  }
  if (clientSecret === undefined) {
    problems.push(
      'KEYCLOAK_ADMIN_CLIENT_SECRET (or KEYCLOAK_ADMIN_CLIENT_SECRET_FILE) is required with KEYCLOAK_ADMIN_CLIENT_ID',
    );
  }
  // The realm's base URL: KEYCLOAK_URL and KEYCLOAK_REALM, else the issuer's `…/realms/<realm>`.
  let baseUrl = where.keycloakUrl?.replace(/\/+$/, '');
  let realm = where.realm;
  const fromIssuer = where.issuer === undefined ? null : /^(.*)\/realms\/([^/]+)$/.exec(where.issuer);
  if ((baseUrl === undefined || realm === undefined) && fromIssuer !== null) {
    baseUrl ??= fromIssuer[1];
    realm ??= decodeURIComponent(fromIssuer[2] as string);
  }
  if (baseUrl === undefined || realm === undefined) {
    problems.push(
      'KEYCLOAK_ADMIN_CLIENT_ID needs KEYCLOAK_URL and KEYCLOAK_REALM (or an OIDC_ISSUER ending in /realms/NAME)',
    );
    return { keycloak: null, offboarding };
  }
  if (clientSecret === undefined) return { keycloak: null, offboarding };
  return { keycloak: { baseUrl, realm, clientId, clientSecret, timeoutMs, pageSize }, offboarding };
}

function readKeyLifecycle(reader: Reader, problems: string[]): HelperConfig['keys'] {
  const graceMaxSeconds = reader.integer(
    'KEY_ROTATION_MAX_GRACE_SECONDS',
    DEFAULTS.KEY_ROTATION_MAX_GRACE_SECONDS,
    0,
    31_536_000,
  );
  const graceDefaultSeconds = reader.integer(
    'KEY_ROTATION_GRACE_SECONDS',
    Math.min(DEFAULTS.KEY_ROTATION_GRACE_SECONDS, graceMaxSeconds),
    0,
    31_536_000,
  );
  if (graceDefaultSeconds > graceMaxSeconds) {
    problems.push('KEY_ROTATION_GRACE_SECONDS must not be more than KEY_ROTATION_MAX_GRACE_SECONDS');
  }
  return {
    ttlDays: reader.integer('KEY_TTL_DAYS', DEFAULTS.KEY_TTL_DAYS, 0, 36_500),
    graceDefaultSeconds,
    graceMaxSeconds,
    reconcileIntervalSeconds: reader.integer(
      'RECONCILE_INTERVAL_SECONDS',
      DEFAULTS.RECONCILE_INTERVAL_SECONDS,
      0,
      86_400,
    ),
    reconcileCallsPerMinute: reader.integer(
      'RECONCILE_CALLS_PER_MINUTE',
      DEFAULTS.RECONCILE_CALLS_PER_MINUTE,
      1,
      1_000_000,
    ),
    reconcileConcurrency: reader.integer('RECONCILE_CONCURRENCY', DEFAULTS.RECONCILE_CONCURRENCY, 1, 64),
  };
}

function embeddedIssuerUrl(
  reader: Reader,
  host: string,
  port: number,
  problems: string[],
): { url: string; fromListenAddress: boolean } {
  const explicit = reader.text('EMBEDDED_IDP_ISSUER');
  if (explicit !== undefined) {
    const url = checkUrl(explicit, 'EMBEDDED_IDP_ISSUER', problems);
    if (url !== undefined && (url.search !== '' || url.hash !== '')) {
      problems.push('EMBEDDED_IDP_ISSUER must not have a query or fragment');
    }
    return { url: explicit.replace(/\/+$/, ''), fromListenAddress: false };
  }
  if (isWildcardHost(host)) {
    problems.push(
      `EMBEDDED_IDP_ISSUER is required when HOST=${printable(host, MAX_ECHOED) || '(empty)'} listens on every interface: set the URL users reach the issuer at (for example https://mlaas.example.org/realms/mlaas)`,
    );
  }
  return { url: issuerForListenAddress(host, port, DEFAULTS.EMBEDDED_IDP_REALM), fromListenAddress: true };
}

function readEmbeddedIdp(
  reader: Reader,
  context: {
    issuer: { url: string; fromListenAddress: boolean };
    host: string;
    dataDir: string;
    usersFile: string;
    clientId: string;
    audience: string;
    allowHttp: boolean;
    trustProxy: TrustProxy;
  },
  problems: string[],
): EmbeddedIdpConfig {
  const demoUsers = reader.boolean('EMBEDDED_DEMO_USERS', false);
  const issuerUrl = URL.canParse(context.issuer.url) ? new URL(context.issuer.url) : null;
  if (demoUsers) {
    // Users can reach this process from elsewhere when it listens, or is published, beyond this machine.
    const exposedBy = [
      ...(isLoopbackHost(context.host)
        ? []
        : [`HOST=${printable(context.host, MAX_ECHOED)} is not a loopback address`]),
      ...(issuerUrl === null || isLoopbackHost(issuerUrl.hostname)
        ? []
        : [`the issuer URL ${printable(issuerUrl.origin, MAX_ECHOED)} is not on a loopback address`]),
      ...(context.trustProxy === false ? [] : ['TRUST_PROXY is set (a proxy publishes this server)']),
    ];
    if (exposedBy.length > 0) {
      problems.push(
        `EMBEDDED_DEMO_USERS=true: the demo users (alice/alice, bob/bob) are only served on this machine alone, and ${exposedBy.join('; ')}. ` +
          'Listen on 127.0.0.1 without a proxy, or set EMBEDDED_DEMO_USERS=false and add real users with `mlaas-helper users add`.',
      );
    }
  }
  if (
    issuerUrl !== null &&
    issuerUrl.protocol === 'http:' &&
    !isLoopbackHost(issuerUrl.hostname) &&
    !context.allowHttp
  ) {
    problems.push(
      `EMBEDDED_IDP_ISSUER: the issuer ${issuerUrl.origin} must use https (or set OIDC_ALLOW_HTTP=true inside a trusted network)`,
    );
  }
  const passwordGrant = reader.boolean('EMBEDDED_PASSWORD_GRANT', false);
  const passwordClientSecret =
    reader.secret('EMBEDDED_IDP_PASSWORD_CLIENT_SECRET') ??
    (demoUsers ? DEFAULTS.EMBEDDED_IDP_DEMO_CLIENT_SECRET : undefined);
  return {
    issuer: context.issuer.url,
    issuerFromListenAddress: context.issuer.fromListenAddress,
    clientId: context.clientId,
    audience: context.audience,
    dataDir: context.dataDir,
    usersFile: context.usersFile,
    demoUsers,
    passwordGrant,
    passwordClient:
      passwordGrant && passwordClientSecret !== undefined
        ? {
            clientId: reader.text('EMBEDDED_IDP_PASSWORD_CLIENT_ID') ?? DEFAULTS.EMBEDDED_IDP_PASSWORD_CLIENT_ID,
            secret: passwordClientSecret,
          }
        : null,
    accessTokenTtlSeconds: reader.integer(
      'EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS',
      DEFAULTS.EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS,
      30,
      86_400,
    ),
    refreshTokenTtlSeconds: reader.integer(
      'EMBEDDED_IDP_REFRESH_TOKEN_TTL_SECONDS',
      DEFAULTS.EMBEDDED_IDP_REFRESH_TOKEN_TTL_SECONDS,
      60,
      31_536_000,
    ),
    sessionTtlSeconds: reader.integer(
      'EMBEDDED_IDP_SESSION_TTL_SECONDS',
      DEFAULTS.EMBEDDED_IDP_SESSION_TTL_SECONDS,
      60,
      31_536_000,
    ),
    deviceCodeTtlSeconds: reader.integer(
      'EMBEDDED_IDP_DEVICE_CODE_TTL_SECONDS',
      DEFAULTS.EMBEDDED_IDP_DEVICE_CODE_TTL_SECONDS,
      1,
      3_600,
    ),
    devicePollIntervalSeconds: reader.integer(
      'EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS',
      DEFAULTS.EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS,
      1,
      60,
    ),
    loginFreeFailures: reader.integer(
      'EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER',
      DEFAULTS.EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER,
      1,
      1_000,
    ),
    loginBaseDelaySeconds: reader.integer(
      'EMBEDDED_IDP_LOGIN_BASE_DELAY_SECONDS',
      DEFAULTS.EMBEDDED_IDP_LOGIN_BASE_DELAY_SECONDS,
      1,
      3_600,
    ),
    loginMaxDelaySeconds: reader.integer(
      'EMBEDDED_IDP_LOGIN_MAX_DELAY_SECONDS',
      DEFAULTS.EMBEDDED_IDP_LOGIN_MAX_DELAY_SECONDS,
      1,
      86_400,
    ),
    loginThrottleWindowSeconds: reader.integer(
      'EMBEDDED_IDP_LOGIN_THROTTLE_WINDOW_SECONDS',
      DEFAULTS.EMBEDDED_IDP_LOGIN_THROTTLE_WINDOW_SECONDS,
      1,
      86_400,
    ),
    maxConcurrentPasswordChecks: reader.integer(
      'EMBEDDED_IDP_MAX_CONCURRENT_PASSWORD_CHECKS',
      DEFAULTS.EMBEDDED_IDP_MAX_CONCURRENT_PASSWORD_CHECKS,
      1,
      256,
    ),
    devicePagePerMinute: reader.integer(
      'EMBEDDED_IDP_DEVICE_PAGE_PER_MINUTE',
      DEFAULTS.EMBEDDED_IDP_DEVICE_PAGE_PER_MINUTE,
      0,
      100_000,
    ),
  };
}

/**
 * TRUST_PROXY: `false`, a number of proxy hops, or the proxies' addresses and CIDR ranges. `true` trusted
 * every address once, which let a client choose its own; it now means one hop (the proxy right in front).
 */
function readTrustProxy(reader: Reader, problems: string[], warn: (message: string) => void): TrustProxy {
  const raw = reader.text('TRUST_PROXY');
  if (raw === undefined) return false;
  const lower = raw.toLowerCase();
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  if (['true', 'yes', 'on'].includes(lower)) {
    warn(
      'TRUST_PROXY=true is read as TRUST_PROXY=1 (one proxy in front of the helper); set the number of proxies or their addresses.',
    );
    return 1;
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops >= 1 && hops <= 10) return hops;
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (entries.length === 0 || bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be false, a number of proxy hops from 1 to 10, or a comma-separated list of proxy addresses or CIDR ranges (got "${printable(bad[0] ?? raw, MAX_ECHOED)}")`,
    );
    return false;
  }
  return entries;
}

/** An IPv4 or IPv6 address, optionally with a prefix length (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** A list of http(s) origins (scheme, host, port; no path). */
function readOrigins(reader: Reader, name: string, problems: string[]): string[] {
  const raw = reader.text(name);
  if (raw === undefined) return [];
  const origins: string[] = [];
  for (const entry of raw.split(',').map((item) => item.trim())) {
    if (entry === '') continue;
    const url = checkUrl(entry, name, problems);
    if (url === undefined) continue;
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      problems.push(`${name}: "${printable(entry, MAX_ECHOED)}" must be an origin (scheme, host and port only)`);
      continue;
    }
    origins.push(url.origin);
  }
  return origins;
}

function createReader(env: Env, problems: string[], readFile: (path: string) => string) {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    text,
    secret(name: string): string | undefined {
      const direct = text(name);
      const file = text(`${name}_FILE`);
      if (direct !== undefined && file !== undefined) {
        problems.push(`${name} and ${name}_FILE are both set; set only one`);
        return direct;
      }
      if (file === undefined) return direct;
      try {
        const value = readFile(file).trim();
        if (value === '') problems.push(`${name}_FILE: ${printable(file, MAX_ECHOED)} is empty`);
        return value === '' ? undefined : value;
      } catch (error) {
        problems.push(
          `${name}_FILE: cannot read ${printable(file, MAX_ECHOED)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
        return undefined;
      }
    },
    integer(name: string, fallback: number, min: number, max: number): number {
      const raw = text(name);
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
        problems.push(`${name} must be a whole number from ${min} to ${max} (got "${printable(raw, MAX_ECHOED)}")`);
        return fallback;
      }
      return Number(raw);
    },
    boolean(name: string, fallback: boolean): boolean {
      const raw = text(name)?.toLowerCase();
      if (raw === undefined) return fallback;
      if (['true', '1', 'yes', 'on'].includes(raw)) return true;
      if (['false', '0', 'no', 'off'].includes(raw)) return false;
      problems.push(`${name} must be true or false (got "${printable(raw, MAX_ECHOED)}")`);
      return fallback;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const raw = text(name);
      if (raw === undefined) return fallback;
      if ((allowed as readonly string[]).includes(raw)) return raw as T;
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${printable(raw, MAX_ECHOED)}")`);
      return fallback;
    },
    list(name: string, fallback: string): string[] {
      const items = (text(name) ?? fallback)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (items.length === 0) problems.push(`${name} must list at least one value`);
      return items;
    },
  };
}

function checkUrl(value: string, name: string, problems: string[]): URL | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    if (url.username !== '' || url.password !== '') {
      problems.push(`${name} must not contain credentials`);
      return undefined;
    }
    return url;
  } catch {
    problems.push(`${name} must be an http(s) URL (got "${printable(value, MAX_ECHOED)}")`);
    return undefined;
  }
}

function checkIssuerUrl(issuer: string, name: string, allowHttp: boolean, problems: string[]): void {
  const url = checkUrl(issuer, name, problems);
  if (url === undefined) return;
  if (url.protocol === 'http:' && !allowHttp && !isLoopbackHost(url.hostname)) {
    problems.push(
      `${name}: the issuer ${url.origin} must use https (or set OIDC_ALLOW_HTTP=true inside a trusted network)`,
    );
  }
}
