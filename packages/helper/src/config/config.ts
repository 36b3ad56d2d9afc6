/**
 * @module config/config
 * The helper's configuration: every setting, its environment variable and its default.
 */

import type { KeycloakConnection } from '../directory/keycloak-directory.js';
import type { EntitlementPolicy } from '../entitlements/policy.js';

export type ApimBackend = 'threescale' | 'embedded';

/** Validated configuration of one helper process. */
export interface HelperConfig {
  environment: string;
  host: string;
  port: number;
  /** The helper's URL as clients reach it (`MLAAS_PUBLIC_URL`); null to derive it from the listen address. */
  publicUrl: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  oidc: {
    /** Exact expected `iss`; discovery is read from `${issuer}/.well-known/openid-configuration`. */
    issuer: string;
    clientId: string;
    audience: string;
    /** Accept a token whose `azp` is the client id when `aud` lacks the audience (Keycloak's default). */
    acceptAzp: boolean;
    algorithms: string[];
    clockToleranceSeconds: number;
    userIdClaims: string[];
    jwksCacheMaxAgeMs: number;
    jwksCooldownMs: number;
    timeoutMs: number;
    tokenCacheSize: number;
    /** Longest lifetime (`exp - iat`) of an accepted token, in seconds. */
    maxTokenLifetimeSeconds: number;
    /** Accept only access tokens marked `typ: at+jwt` in their header (on for the embedded issuer). */
    requireAtJwt: boolean;
    /** Origins besides the issuer's own that may serve its signing keys (`jwks_uri`). */
    jwksAllowedOrigins: string[];
    /** Before a key is created or revealed, ask the issuer whether the token's session is still active. */
    sessionCheck: boolean;
  };
  apim: {
    backend: ApimBackend;
    autoCreateAccounts: boolean;
    exposeKeysInList: boolean;
    /** Per-account reads (account, applications) are reused this long by the services list. */
    accountCacheTtlMs: number;
    threescale: ThreescaleConfig | null;
    embedded: { dataDir: string; catalogPath: string | null; encryptionKey: string | null };
  };
  limits: {
    userPerMinute: number;
    ipPerMinute: number;
    initPerMinute: number;
    bodyBytes: number;
    headerBytes: number;
    requestTimeoutMs: number;
    shutdownTimeoutMs: number;
    trustProxy: TrustProxy;
  };
  metrics: { enabled: boolean; port: number | null };
  keys: KeyLifecycleConfig;
  /**
   * Who may hold keys of which service, and tiers (`ENTITLEMENTS_FILE`); null = everyone may hold every key.
   * The embedded catalog's `entitlements` fields are added to it when the store opens.
   */
  entitlements: EntitlementPolicy | null;
  /** The identity provider's directory the reconcile loop asks about key holders (offboarding). */
  directory: DirectoryConfig;
  /** Shared state for several replicas (rate limits, init locks); null keeps it in this process. */
  redis: { url: string; keyPrefix: string } | null;
  /** The self-service web page at `/` (`WEB_UI`); its sign-in uses a public client of the issuer. */
  webUi: { enabled: boolean; clientId: string };
  /** The embedded OpenID Connect issuer served by this process; absent when off (`EMBEDDED_IDP`). */
  embeddedIdp?: EmbeddedIdpConfig;
}

/** Key expiry, rotation grace periods, and the loop that enforces their deadlines. */
export interface KeyLifecycleConfig {
  /** Days a new key lives (0 = never); a service's catalog entry may override it. */
  ttlDays: number;
  graceDefaultSeconds: number;
  graceMaxSeconds: number;
  /** Seconds between runs of the in-process reconcile loop; 0 = not in this process (a CronJob runs it). */
  reconcileIntervalSeconds: number;
  /** Upstream calls the reconcile loop may make per minute. */
  reconcileCallsPerMinute: number;
  /** Upstream calls of the reconcile loop in flight at once. */
  reconcileConcurrency: number;
}

/** Where offboarding reads users: Keycloak's Admin REST API with a service-account client, when configured. */
export interface DirectoryConfig {
  keycloak: KeycloakConnection | null;
  /** Suspend keys of people gone from the directory or no longer entitled (`OFFBOARDING`, on by default). */
  offboarding: boolean;
}

/**
 * Which proxies may set `X-Forwarded-For`: none (`false`), a number of hops in front of the helper, or the
 * proxies' addresses and CIDR ranges. The client address is the right-most one no trusted proxy added.
 */
export type TrustProxy = false | number | string[];

/** Settings of the embedded OpenID Connect issuer. */
export interface EmbeddedIdpConfig {
  /** `http://<host>:<port>/realms/mlaas` from the listen address, or `EMBEDDED_IDP_ISSUER`. */
  issuer: string;
  /** True when `issuer` was derived from the listen address (so it follows a port chosen at start-up). */
  issuerFromListenAddress: boolean;
  clientId: string;
  /** `aud` of the access tokens it issues. */
  audience: string;
  dataDir: string;
  usersFile: string;
  demoUsers: boolean;
  passwordGrant: boolean;
  /**
   * A confidential client that signs in with the password grant and a client secret, as the original MLaaS
   * command-line tool does (`mlaas-client`); null when not served.
   */
  passwordClient: { clientId: string; secret: string } | null;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  deviceCodeTtlSeconds: number;
  devicePollIntervalSeconds: number;
  /** Failed sign-ins per (user, address) before each further attempt waits. */
  loginFreeFailures: number;
  /** First wait after the free failures, doubled with each further failure, in seconds. */
  loginBaseDelaySeconds: number;
  /** Longest wait between attempts, in seconds. */
  loginMaxDelaySeconds: number;
  /** Failures older than this are forgotten, in seconds. */
  loginThrottleWindowSeconds: number;
  /** Password checks (scrypt) running at once; more sign-ins at the same moment are refused with 503. */
  maxConcurrentPasswordChecks: number;
  /** Requests per minute and client address to the device code page. */
  devicePagePerMinute: number;
}

/** How the helper reaches 3scale's Account Management API. */
export interface ThreescaleConfig {
  adminApiUrl: string;
  adminApiKey: string;
  timeoutMs: number;
  retries: number;
  catalogTtlMs: number;
  catalogStaleMs: number;
  /** Load the catalog at start and every TTL in the background, so no request waits for it. */
  catalogPreload: boolean;
}

/** The asymmetric JWS algorithms a token may be signed with; `none` and HMAC are never accepted. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** Named defaults with units. */
export const DEFAULTS = {
  PORT: 5000,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  USER_ID_CLAIMS: 'soeid,preferred_username,sub',
  OIDC_ALGORITHMS: ASYMMETRIC_ALGORITHMS.join(','),
  OIDC_CLOCK_TOLERANCE_SECONDS: 30,
  JWKS_CACHE_MAX_AGE_SECONDS: 600,
  JWKS_COOLDOWN_SECONDS: 30,
  OIDC_TIMEOUT_MS: 5_000,
  TOKEN_CACHE_SIZE: 10_000,
  OIDC_MAX_TOKEN_LIFETIME_SECONDS: 3_600,
  RATE_LIMIT_USER_PER_MINUTE: 120,
  RATE_LIMIT_IP_PER_MINUTE: 600,
  RATE_LIMIT_INIT_PER_MINUTE: 20,
  BODY_LIMIT_BYTES: 16_384,
  HEADER_LIMIT_BYTES: 16_384,
  REQUEST_TIMEOUT_MS: 30_000,
  SHUTDOWN_TIMEOUT_MS: 10_000,
  MLAAS_DATA_DIR: '.mlaas-data',
  THREESCALE_TIMEOUT_MS: 5_000,
  THREESCALE_RETRIES: 2,
  THREESCALE_CACHE_TTL_SECONDS: 300,
  THREESCALE_CACHE_STALE_SECONDS: 3_600,
  ACCOUNT_CACHE_TTL_SECONDS: 30,
  KEY_TTL_DAYS: 0,
  KEY_ROTATION_GRACE_SECONDS: 86_400,
  KEY_ROTATION_MAX_GRACE_SECONDS: 604_800,
  RECONCILE_INTERVAL_SECONDS: 60,
  RECONCILE_CALLS_PER_MINUTE: 600,
  RECONCILE_CONCURRENCY: 8,
  REDIS_KEY_PREFIX: 'mlaas:',
  KEYCLOAK_ADMIN_TIMEOUT_MS: 10_000,
  KEYCLOAK_ADMIN_PAGE_SIZE: 200,
  EMBEDDED_IDP_REALM: 'mlaas',
  EMBEDDED_IDP_CLIENT_ID: 'mlaas-cli',
  EMBEDDED_IDP_PASSWORD_CLIENT_ID: 'mlaas-client',
  /** Public client of the web page (authorization code + PKCE in the browser). */
  WEB_UI_CLIENT_ID: 'mlaas-web',
  /** The password client's secret while the demo users are served (loopback only, like them). */
  EMBEDDED_IDP_DEMO_CLIENT_SECRET: 'mlaas-demo-secret',
  EMBEDDED_IDP_USERS_FILE: 'users.json',
  EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS: 300,
  EMBEDDED_IDP_REFRESH_TOKEN_TTL_SECONDS: 1_800,
  EMBEDDED_IDP_SESSION_TTL_SECONDS: 36_000,
  EMBEDDED_IDP_DEVICE_CODE_TTL_SECONDS: 600,
  EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS: 5,
  EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER: 5,
  EMBEDDED_IDP_LOGIN_BASE_DELAY_SECONDS: 1,
  EMBEDDED_IDP_LOGIN_MAX_DELAY_SECONDS: 900,
  EMBEDDED_IDP_LOGIN_THROTTLE_WINDOW_SECONDS: 900,
  EMBEDDED_IDP_MAX_CONCURRENT_PASSWORD_CHECKS: 4,
  EMBEDDED_IDP_DEVICE_PAGE_PER_MINUTE: 30,
} as const;
