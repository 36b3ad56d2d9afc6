/**
 * Properties of configuration loading: whatever the environment holds, `loadConfig` returns a configuration
 * that respects every documented range, or throws one `ConfigError` listing the problems — never another
 * exception — and a problem never echoes a secret.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { HelperConfig } from '../../src/config/config.js';
import { ConfigError, embeddedStackEnv, loadConfig } from '../../src/config/load-config.js';

const INTEGER_VARIABLES = [
  'PORT',
  'METRICS_PORT',
  'OIDC_CLOCK_TOLERANCE_SECONDS',
  'JWKS_CACHE_MAX_AGE_SECONDS',
  'JWKS_COOLDOWN_SECONDS',
  'OIDC_TIMEOUT_MS',
  'TOKEN_CACHE_SIZE',
  'THREESCALE_TIMEOUT_MS',
  'THREESCALE_RETRIES',
  'THREESCALE_CACHE_TTL_SECONDS',
  'THREESCALE_CACHE_STALE_SECONDS',
  'ACCOUNT_CACHE_TTL_SECONDS',
  'RATE_LIMIT_USER_PER_MINUTE',
  'RATE_LIMIT_IP_PER_MINUTE',
  'RATE_LIMIT_INIT_PER_MINUTE',
  'BODY_LIMIT_BYTES',
  'HEADER_LIMIT_BYTES',
  'REQUEST_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS',
  'EMBEDDED_IDP_REFRESH_TOKEN_TTL_SECONDS',
  'EMBEDDED_IDP_SESSION_TTL_SECONDS',
  'EMBEDDED_IDP_DEVICE_CODE_TTL_SECONDS',
  'EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS',
  'EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER',
  'EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_IP',
  'EMBEDDED_IDP_LOGIN_THROTTLE_WINDOW_SECONDS',
] as const;
const BOOLEAN_VARIABLES = [
  'EMBEDDED_IDP',
  'OIDC_ALLOW_HTTP',
  'OIDC_ACCEPT_AZP',
  'AUTO_CREATE_ACCOUNTS',
  'EXPOSE_KEYS_IN_LIST',
  'TRUST_PROXY',
  'METRICS_ENABLED',
  'EMBEDDED_DEMO_USERS',
  'EMBEDDED_PASSWORD_GRANT',
  'THREESCALE_CATALOG_PRELOAD',
] as const;
const URL_VARIABLES = [
  'KEYCLOAK_URL',
  'OIDC_ISSUER',
  'THREESCALE_ADMIN_API_URL',
  'MLAAS_PUBLIC_URL',
  'EMBEDDED_IDP_ISSUER',
] as const;
const TEXT_VARIABLES = [
  'HOST',
  'LOG_LEVEL',
  'KEYCLOAK_REALM',
  'KEYCLOAK_CLIENT_ID',
  'KEYCLOAK_AUDIENCE',
  'USER_ID_CLAIMS',
  'OIDC_ALGORITHMS',
  'APIM_BACKEND',
  'MLAAS_DATA_DIR',
  'EMBEDDED_CATALOG',
  'EMBEDDED_USERS_FILE',
  'REDIS_KEY_PREFIX',
  'MLAAS_ENV',
  'FLASK_ENV',
  'NODE_ENV',
] as const;
/** Secrets, given directly or as a file name (`*_FILE`). */
const SECRET_VARIABLES = ['THREESCALE_ADMIN_API_KEY', 'EMBEDDED_ENCRYPTION_KEY', 'REDIS_URL'] as const;

/**
 * Any text an environment variable can hold. Values read from a real process environment are always
 * well-formed UTF-16 (Node decodes them from bytes, replacing invalid sequences), so no lone surrogates.
 */
const anyText = fc.string({ unit: 'binary', maxLength: 80 });
const integerLike = fc.oneof(
  fc.integer({ min: -5, max: 2_000_000 }).map(String),
  fc.constantFrom('', ' ', '0', '00', '1e3', '0x10', '5.5', '+1', '-0', '65536', ' 80 ', '９'),
  anyText,
);
const booleanLike = fc.oneof(
  fc.constantFrom('true', 'false', 'TRUE', 'Yes', 'off', '1', '0', '', 'maybe', ' on '),
  anyText,
);
const urlLike = fc.oneof(
  fc.constantFrom(
    'http://127.0.0.1:8080/realms/test',
    'https://sso.example.org',
    'https://sso.example.org/',
    'http://sso.example.org',
    'https://user:pass@sso.example.org',
    'ftp://x',
    'not a url',
    'http://[::1]:5000/realms/mlaas',
    'https://x/realms/a?b#c',
  ),
  fc.webUrl(),
  anyText,
);
const textLike = fc.oneof(
  fc.constantFrom(
    'embedded',
    'threescale',
    'info',
    'silent',
    'RS256',
    'HS256,none',
    'soeid, sub',
    ',',
    '0.0.0.0',
    '::',
    'mlaas',
  ),
  anyText,
);
/** Secret values distinctive enough that finding one in a message can only mean it was echoed. */
const secretValue = fc.oneof(
  fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 24, maxLength: 48 })
    .map((hex) => `s3cr3t-${hex}`),
  fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 24, maxLength: 48 })
    .map((hex) => `redis://:s3cr3t-${hex}@127.0.0.1:6379`),
);

function entries<K extends string>(names: readonly K[], value: fc.Arbitrary<string>) {
  return fc.record(Object.fromEntries(names.map((name) => [name, value])) as Record<K, fc.Arbitrary<string>>, {
    requiredKeys: [],
  });
}

const anyEnv = fc
  .tuple(
    entries(INTEGER_VARIABLES, integerLike),
    entries(BOOLEAN_VARIABLES, booleanLike),
    entries(URL_VARIABLES, urlLike),
    entries(TEXT_VARIABLES, textLike),
    entries(SECRET_VARIABLES, secretValue),
    entries(
      SECRET_VARIABLES.map((name) => `${name}_FILE` as const),
      fc.constantFrom('/run/secrets/a', '/missing', '/empty', ''),
    ),
    fc.dictionary(fc.string({ maxLength: 12 }), anyText, { maxKeys: 3 }),
  )
  .map((parts) => Object.assign({}, ...parts.reverse()) as Record<string, string>);

/** The files `*_FILE` variables may name: one holds a value, one is empty, the rest do not exist. */
function readFile(path: string): string {
  if (path === '/run/secrets/a') return 'file-s3cr3t-0123456789abcdef\n';
  if (path === '/empty') return '  \n';
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
}

function load(env: Record<string, string>): HelperConfig | ConfigError {
  try {
    return loadConfig(env, { readFile, warn: () => {} });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function assertInRange(value: number, min: number, max: number, what: string): void {
  assert.ok(
    Number.isSafeInteger(value) && value >= min && value <= max,
    `${what} = ${value} is outside ${min}..${max}`,
  );
}

function assertSane(config: HelperConfig): void {
  assertInRange(config.port, 0, 65_535, 'port');
  assert.ok(['threescale', 'embedded'].includes(config.apim.backend));
  assert.ok(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel));
  assert.ok(config.oidc.issuer !== '' && URL.canParse(config.oidc.issuer), `issuer ${config.oidc.issuer}`);
  assert.notEqual(config.oidc.clientId, '');
  assert.ok(config.oidc.algorithms.length > 0 && config.oidc.algorithms.every((alg) => !/^(none|HS)/i.test(alg)));
  assert.ok(
    config.oidc.userIdClaims.length > 0 &&
      config.oidc.userIdClaims.every((claim) => claim !== '' && claim === claim.trim()),
  );
  for (const [name, value] of Object.entries(config.limits)) {
    if (typeof value === 'number') assertInRange(value, 0, 10_485_760, `limits.${name}`);
  }
  assert.ok(
    config.limits.bodyBytes >= 256 && config.limits.headerBytes >= 1_024 && config.limits.requestTimeoutMs >= 1_000,
  );
  assert.ok(config.oidc.jwksCacheMaxAgeMs >= 1_000 && config.oidc.timeoutMs >= 100);
  if (config.apim.backend === 'threescale') {
    assert.ok(config.apim.threescale !== null, 'a threescale backend has its settings');
    assert.ok(URL.canParse(config.apim.threescale.adminApiUrl));
    assert.notEqual(config.apim.threescale.adminApiKey, '');
  }
  if (config.redis !== null) assert.match(config.redis.url, /^rediss?:\/\//);
  if (config.metrics.port !== null) assertInRange(config.metrics.port, 0, 65_535, 'metrics port');
}

describe('loadConfig (properties)', () => {
  it('turns any environment into a sane configuration or one ConfigError, never another exception', () => {
    fc.assert(
      fc.property(anyEnv, (env) => {
        const result = load(env);
        if (result instanceof ConfigError) {
          assert.ok(result.problems.length > 0, 'a ConfigError names at least one problem');
          assert.ok(result.problems.every((problem) => typeof problem === 'string' && problem !== ''));
        } else {
          assertSane(result);
        }
      }),
      { numRuns: 600 },
    );
  });

  it('the embedded stack environment is loaded the same way', () => {
    fc.assert(
      fc.property(anyEnv, (env) => {
        const result = load(embeddedStackEnv(env) as Record<string, string>);
        if (!(result instanceof ConfigError)) {
          assertSane(result);
          assert.ok(result.embeddedIdp !== undefined, 'the embedded issuer is on');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never echoes a secret in a problem', () => {
    fc.assert(
      fc.property(anyEnv, (env) => {
        const result = load(env);
        if (!(result instanceof ConfigError)) return;
        for (const name of SECRET_VARIABLES) {
          const secret = env[name]?.trim();
          if (secret === undefined || secret === '') continue;
          // Only when no other variable holds the same text (then the message could be quoting that one).
          if (Object.entries(env).some(([other, value]) => other !== name && value.includes(secret))) continue;
          assert.equal(result.message.includes(secret), false, `${name} is echoed`);
          assert.equal(result.message.includes('s3cr3t-'), false, `${name} is partly echoed`);
        }
        assert.equal(result.message.includes('file-s3cr3t'), false, 'a secret file is echoed');
      }),
      { numRuns: 400 },
    );
  });

  it('never puts a control character in a problem (each is one line of one message)', () => {
    fc.assert(
      fc.property(anyEnv, (env) => {
        const result = load(env);
        if (result instanceof ConfigError) {
          for (const problem of result.problems)
            assert.doesNotMatch(problem, /[\u0000-\u001f\u007f]/, JSON.stringify(problem));
        }
      }),
      { numRuns: 400 },
    );
  });
});
