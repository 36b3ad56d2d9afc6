/**
 * Configuration from the environment: names of the original kept, defaults, secrets from files, and one
 * message that lists every problem.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const KEYCLOAK = {
  KEYCLOAK_URL: 'https://sso.example.org',
  KEYCLOAK_REALM: 'mlaas',
  KEYCLOAK_CLIENT_ID: 'mlaas-cli',
  APIM_BACKEND: 'embedded',
};

function problemsOf(env: Record<string, string>, readFile?: (path: string) => string): string[] {
  try {
    loadConfig(env, readFile ? { readFile } : {});
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it("builds the issuer from Keycloak's URL and realm, with the original's defaults", () => {
    const config = loadConfig(KEYCLOAK);
    assert.equal(config.oidc.issuer, 'https://sso.example.org/realms/mlaas');
    assert.equal(config.oidc.audience, 'mlaas-cli');
    assert.equal(config.port, 5000);
    assert.deepEqual(config.oidc.userIdClaims, ['soeid', 'preferred_username', 'sub']);
    assert.equal(config.apim.autoCreateAccounts, true);
    assert.equal(config.apim.exposeKeysInList, false);
    assert.equal(config.oidc.acceptAzp, false);
  });

  it('lets OIDC_ISSUER replace the Keycloak URL and realm', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'https://login.example.org/tenant',
      KEYCLOAK_CLIENT_ID: 'cli',
      KEYCLOAK_AUDIENCE: 'mlaas-api',
      APIM_BACKEND: 'embedded',
    });
    assert.equal(config.oidc.issuer, 'https://login.example.org/tenant');
    assert.equal(config.oidc.audience, 'mlaas-api');
  });

  it('lists every problem in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      APIM_BACKEND: 'embedded',
      AUTO_CREATE_ACCOUNTS: 'maybe',
      OIDC_ALGORITHMS: 'RS256,HS256,none',
      RATE_LIMIT_USER_PER_MINUTE: '-5',
    });
    const text = problems.join('\n');
    for (const expected of [
      'PORT',
      'LOG_LEVEL',
      'KEYCLOAK_URL',
      'KEYCLOAK_REALM',
      'KEYCLOAK_CLIENT_ID',
      'AUTO_CREATE_ACCOUNTS',
      '"HS256"',
      '"none"',
      'RATE_LIMIT_USER_PER_MINUTE',
    ]) {
      assert.ok(text.includes(expected), `${expected} is named in:\n${text}`);
    }
    assert.equal(problems.length, 9);
    const message = new ConfigError(problems).message;
    assert.match(message, /^Invalid configuration \(9 problems\):\n {2}- /);
  });

  it('requires https for a remote issuer unless OIDC_ALLOW_HTTP is set, with a warning', () => {
    const env = { ...KEYCLOAK, KEYCLOAK_URL: 'http://keycloak.sso.svc:8080' };
    assert.match(problemsOf(env).join('\n'), /must use https/);
    const warnings: string[] = [];
    const config = loadConfig({ ...env, OIDC_ALLOW_HTTP: 'true' }, { warn: (m) => warnings.push(m) });
    assert.equal(config.oidc.issuer, 'http://keycloak.sso.svc:8080/realms/mlaas');
    assert.equal(warnings.length, 1);
    assert.equal(
      loadConfig({ ...KEYCLOAK, KEYCLOAK_URL: 'http://127.0.0.1:8080' }).oidc.issuer,
      'http://127.0.0.1:8080/realms/mlaas',
    );
  });

  it('reads secrets from *_FILE variables, and refuses both forms at once', () => {
    const files: Record<string, string> = { '/run/secrets/key': 'c2VjcmV0LWtleS1ieXRlcy0zMi1sb25nLXh4eHh4eHg=\n' };
    const config = loadConfig(
      { ...KEYCLOAK, EMBEDDED_ENCRYPTION_KEY_FILE: '/run/secrets/key' },
      { readFile: (p) => files[p] ?? '' },
    );
    assert.equal(config.apim.embedded.encryptionKey, 'c2VjcmV0LWtleS1ieXRlcy0zMi1sb25nLXh4eHh4eHg=');
    const both = problemsOf(
      { ...KEYCLOAK, EMBEDDED_ENCRYPTION_KEY: 'x', EMBEDDED_ENCRYPTION_KEY_FILE: '/run/secrets/key' },
      (p) => files[p] ?? '',
    );
    assert.match(both.join('\n'), /both set/);
    const missing = problemsOf({ ...KEYCLOAK, EMBEDDED_ENCRYPTION_KEY_FILE: '/nope' }, () => {
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    });
    assert.match(missing.join('\n'), /cannot read \/nope \(ENOENT\)/);
  });

  it('names the 3scale settings a threescale backend needs', () => {
    const text = problemsOf({ ...KEYCLOAK, APIM_BACKEND: 'threescale' }).join('\n');
    assert.match(text, /THREESCALE_ADMIN_API_URL is required/);
    assert.match(text, /THREESCALE_ADMIN_API_KEY \(or THREESCALE_ADMIN_API_KEY_FILE\) is required/);
  });

  it('accepts FLASK_ENV with a deprecation warning', () => {
    const warnings: string[] = [];
    const config = loadConfig({ ...KEYCLOAK, FLASK_ENV: 'development' }, { warn: (m) => warnings.push(m) });
    assert.equal(config.environment, 'development');
    assert.match(warnings.join('\n'), /FLASK_ENV is deprecated/);
  });

  it('never echoes control characters or huge values back', () => {
    const text = problemsOf({ ...KEYCLOAK, PORT: `1\u001b[2J${'9'.repeat(500)}` }).join('\n');
    assert.equal(/[\u0000-\u001f]/.test(text.replace(/\n/g, '')), false);
    assert.ok(text.length < 300);
  });
});
