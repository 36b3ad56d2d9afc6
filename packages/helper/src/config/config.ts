/**
 * @module config/config
 * The helper's configuration: every setting, its environment variable and its default.
 */

export type ApimBackend = 'threescale' | 'embedded';

/** Validated configuration of one helper process. */
export interface HelperConfig {
  environment: string;
  host: string;
  port: number;
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
  };
  apim: {
    backend: ApimBackend;
    autoCreateAccounts: boolean;
    exposeKeysInList: boolean;
    threescale: { adminApiUrl: string; adminApiKey: string } | null;
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
    trustProxy: boolean;
  };
  metrics: { enabled: boolean; port: number | null };
}

/** Named defaults with units. */
export const DEFAULTS = {
  PORT: 5000,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  USER_ID_CLAIMS: 'soeid,preferred_username,sub',
  OIDC_ALGORITHMS: 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA',
  OIDC_CLOCK_TOLERANCE_SECONDS: 30,
  JWKS_CACHE_MAX_AGE_SECONDS: 600,
  JWKS_COOLDOWN_SECONDS: 30,
  OIDC_TIMEOUT_MS: 5_000,
  TOKEN_CACHE_SIZE: 10_000,
  RATE_LIMIT_USER_PER_MINUTE: 120,
  RATE_LIMIT_IP_PER_MINUTE: 600,
  RATE_LIMIT_INIT_PER_MINUTE: 20,
  BODY_LIMIT_BYTES: 16_384,
  HEADER_LIMIT_BYTES: 16_384,
  REQUEST_TIMEOUT_MS: 30_000,
  SHUTDOWN_TIMEOUT_MS: 10_000,
  MLAAS_DATA_DIR: '.mlaas-data',
} as const;

/** The asymmetric JWS algorithms a token may be signed with; `none` and HMAC are never accepted. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
] as const;
