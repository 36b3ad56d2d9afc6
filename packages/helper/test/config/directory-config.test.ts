/**
 * Offboarding settings: the Keycloak directory is configured by its service-account client, its realm URL comes
 * from KEYCLOAK_URL and KEYCLOAK_REALM or from the issuer, and a client without its secret is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const BASE = { KEYCLOAK_CLIENT_ID: 'mlaas-cli', APIM_BACKEND: 'embedded' };

describe('offboarding configuration', () => {
  it('has no Keycloak directory without KEYCLOAK_ADMIN_CLIENT_ID, and offboarding on by default', () => {
    const config = loadConfig({ ...BASE, KEYCLOAK_URL: 'https://sso.corp.test', KEYCLOAK_REALM: 'corp' });
    assert.deepEqual(config.directory, { keycloak: null, offboarding: true });
  });

  it('reads the client, its secret, and the realm from KEYCLOAK_URL and KEYCLOAK_REALM or from the issuer', () => {
    const client = { KEYCLOAK_ADMIN_CLIENT_ID: 'mlaas-offboarding', KEYCLOAK_ADMIN_CLIENT_SECRET: 's3cret' };
    const fromUrl = loadConfig({ ...BASE, ...client, KEYCLOAK_URL: 'https://sso.corp.test/', KEYCLOAK_REALM: 'corp' });
    assert.equal(fromUrl.directory.keycloak?.baseUrl, 'https://sso.corp.test');
    assert.equal(fromUrl.directory.keycloak?.realm, 'corp');
    assert.equal(fromUrl.directory.keycloak?.clientSecret, 's3cret');
    const fromIssuer = loadConfig({ ...BASE, ...client, OIDC_ISSUER: 'https://id.corp.test/auth/realms/people' });
    assert.equal(fromIssuer.directory.keycloak?.baseUrl, 'https://id.corp.test/auth');
    assert.equal(fromIssuer.directory.keycloak?.realm, 'people');
    assert.equal(
      loadConfig({ ...BASE, ...client, OIDC_ISSUER: 'https://id.corp.test/auth/realms/people', OFFBOARDING: 'false' })
        .directory.offboarding,
      false,
    );
  });

  it('refuses a client without its secret, and a secret without its client, saying what to set', () => {
    const env = { ...BASE, KEYCLOAK_URL: 'https://sso.corp.test', KEYCLOAK_REALM: 'corp' };
    assert.throws(
      () => loadConfig({ ...env, KEYCLOAK_ADMIN_CLIENT_ID: 'mlaas-offboarding' }),
      (error: unknown) =>
        error instanceof ConfigError && /KEYCLOAK_ADMIN_CLIENT_SECRET .* is required/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ ...env, KEYCLOAK_ADMIN_CLIENT_SECRET: 'x' }),
      /KEYCLOAK_ADMIN_CLIENT_SECRET is set without KEYCLOAK_ADMIN_CLIENT_ID/,
    );
  });
});
