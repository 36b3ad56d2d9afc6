/**
 * @module test/idp/config
 * Settings of the embedded issuer: derived defaults, and the problems that stop the process.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, embeddedStackEnv, loadConfig } from '../../src/config/load-config.js';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('embedded issuer configuration', () => {
  it('--embedded: issuer, client, store, demo users and password grant on 127.0.0.1:5000', () => {
    const config = loadConfig(embeddedStackEnv({}));
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 5000);
    assert.equal(config.apim.backend, 'embedded');
    assert.equal(config.oidc.issuer, 'http://127.0.0.1:5000/realms/mlaas');
    assert.equal(config.oidc.clientId, 'mlaas-cli');
    assert.equal(config.oidc.audience, 'mlaas-cli');
    assert.equal(config.embeddedIdp?.issuer, 'http://127.0.0.1:5000/realms/mlaas');
    assert.equal(config.embeddedIdp?.demoUsers, true);
    assert.equal(config.embeddedIdp?.passwordGrant, true);
    assert.match(config.embeddedIdp?.usersFile ?? '', /\.mlaas-data\/users\.json$/);
  });

  it('refuses demo users on a non-loopback address, and says why', () => {
    const problems = problemsOf(
      embeddedStackEnv({ HOST: '10.1.2.3', EMBEDDED_IDP_ISSUER: 'https://idp.example.org/realms/mlaas' }),
    );
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] ?? '',
      /demo users .* only served on this machine alone, and HOST=10\.1\.2\.3 is not a loopback address/,
    );
  });

  it('needs an explicit issuer URL when listening on every interface', () => {
    const problems = problemsOf({ ...embeddedStackEnv({ HOST: '0.0.0.0' }), EMBEDDED_DEMO_USERS: 'false' });
    assert.ok(
      problems.some((p) => /EMBEDDED_IDP_ISSUER is required when HOST=0\.0\.0\.0/.test(p)),
      problems.join('\n'),
    );
  });

  it('EMBEDDED_IDP=true works without the embedded store and keeps the password grant off', () => {
    const problems = problemsOf({ EMBEDDED_IDP: 'true', APIM_BACKEND: 'threescale' });
    // Only the 3scale settings are missing; nothing about the issuer.
    assert.ok(
      problems.every((p) => /THREESCALE|3scale/.test(p)),
      problems.join('\n'),
    );
    const config = loadConfig({ EMBEDDED_IDP: 'true', APIM_BACKEND: 'embedded' });
    assert.equal(config.embeddedIdp?.passwordGrant, false);
    assert.equal(config.embeddedIdp?.demoUsers, false);
  });

  it('lets OIDC_ISSUER point the helper elsewhere while the issuer runs', () => {
    const config = loadConfig({
      EMBEDDED_IDP: 'true',
      APIM_BACKEND: 'embedded',
      OIDC_ISSUER: 'https://sso.example.org/realms/corp',
    });
    assert.equal(config.oidc.issuer, 'https://sso.example.org/realms/corp');
    assert.equal(config.embeddedIdp?.issuer, 'http://127.0.0.1:5000/realms/mlaas');
  });

  it('collects bad issuer settings with the other problems', () => {
    const problems = problemsOf({
      ...embeddedStackEnv({}),
      EMBEDDED_IDP_ISSUER: 'http://idp.example.org/realms/mlaas',
      EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS: '5',
      PORT: 'x',
    });
    assert.ok(problems.some((p) => /must use https/.test(p)));
    assert.ok(problems.some((p) => /EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS/.test(p)));
    assert.ok(problems.some((p) => /^PORT/.test(p)));
  });
});
