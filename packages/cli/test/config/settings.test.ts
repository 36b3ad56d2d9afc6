/**
 * @module test/config/settings
 * Settings precedence (flag > MLAAS_* > profile in config.json > built-in default), where each value came
 * from, the config directory, and malformed or unsafe values.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveConfigDir } from '../../src/config/paths.js';
import { assertSecureUrl } from '../../src/config/secure-url.js';
import { resolveSettings } from '../../src/config/settings.js';
import { MlaasError } from '../../src/lib/errors.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';

const dirs: string[] = [];
function configDir(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlaas-settings-'));
  dirs.push(dir);
  if (config !== undefined)
    writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const isCode = (code: string) => (error: unknown) => error instanceof MlaasError && error.code === code;

describe('settings', () => {
  it('default to the embedded stack on this machine', () => {
    const s = resolveSettings({ env: {}, configDir: configDir() });
    assert.equal(s.keycloakUrl.value, 'http://127.0.0.1:5000');
    assert.equal(s.keycloakRealm.value, 'mlaas');
    assert.equal(s.keycloakClientId.value, 'mlaas-cli');
    assert.equal(s.helperUrl.value, 'http://127.0.0.1:5000');
    assert.equal(s.issuer, 'http://127.0.0.1:5000/realms/mlaas');
    assert.equal(s.profile.value, 'default');
    assert.equal(s.keycloakUrl.source, 'default');
  });

  it('take flag over environment over profile over default, and say where each came from', () => {
    const dir = configDir({
      profiles: {
        work: {
          'keycloak-url': 'https://sso.example.org',
          'keycloak-realm': 'corp',
          'mlaas-helper-url': 'https://mlaas.example.org',
        },
      },
    });
    const s = resolveSettings({
      configDir: dir,
      env: { MLAAS_PROFILE: 'work', MLAAS_KEYCLOAK_REALM: 'fromenv', MLAAS_HELPER_URL: 'https://env.example.org/' },
      flags: { helperUrl: 'https://flag.example.org' },
    });
    assert.deepEqual(s.profile, { value: 'work', source: 'env', origin: 'MLAAS_PROFILE' });
    assert.deepEqual(s.helperUrl, { value: 'https://flag.example.org', source: 'flag', origin: '--mlaas-helper-url' });
    assert.deepEqual(s.keycloakRealm, { value: 'fromenv', source: 'env', origin: 'MLAAS_KEYCLOAK_REALM' });
    assert.equal(s.keycloakUrl.value, 'https://sso.example.org');
    assert.equal(s.keycloakUrl.source, 'profile');
    assert.match(s.keycloakUrl.origin, /config\.json \(profile "work"\)$/);
    assert.equal(s.keycloakClientId.source, 'default');
    assert.equal(s.issuer, 'https://sso.example.org/realms/fromenv');
  });

  it("use the file's default-profile when no profile is named", () => {
    const dir = configDir({ 'default-profile': 'work', profiles: { work: { 'keycloak-realm': 'corp' } } });
    const s = resolveSettings({ env: {}, configDir: dir });
    assert.equal(s.profile.value, 'work');
    assert.equal(s.keycloakRealm.value, 'corp');
    assert.equal(
      resolveSettings({ env: {}, configDir: dir, flags: { profile: 'default' } }).keycloakRealm.value,
      'mlaas',
    );
  });

  it('reject an unknown --profile or MLAAS_PROFILE, naming the known profiles (exit code 2)', () => {
    const dir = configDir({ profiles: { work: { 'keycloak-realm': 'corp' } } });
    for (const options of [{ flags: { profile: 'wrok' }, env: {} }, { env: { MLAAS_PROFILE: 'wrok' } }]) {
      assert.throws(
        () => resolveSettings({ ...options, configDir: dir }),
        (error: unknown) =>
          error instanceof MlaasError &&
          error.code === 'INVALID_SETTING' &&
          exitCodeFor(error.code) === 2 &&
          /unknown profile "wrok" \(known: "default", "work"\)/.test(error.message),
      );
    }
  });

  it('strip a trailing slash from URLs', () => {
    const s = resolveSettings({ env: { MLAAS_KEYCLOAK_URL: 'https://sso.example.org/auth/' }, configDir: configDir() });
    assert.equal(s.issuer, 'https://sso.example.org/auth/realms/mlaas');
  });

  it('reject malformed values, naming where they came from', () => {
    assert.throws(
      () => resolveSettings({ env: { MLAAS_HELPER_URL: 'not a url' }, configDir: configDir() }),
      (error: unknown) => isCode('INVALID_SETTING')(error) && /MLAAS_HELPER_URL/.test((error as Error).message),
    );
    assert.throws(
      () => resolveSettings({ env: {}, flags: { keycloakUrl: 'ftp://x' }, configDir: configDir() }),
      isCode('INVALID_SETTING'),
    );
    assert.throws(
      () => resolveSettings({ env: {}, flags: { keycloakUrl: 'https://u:p@x' }, configDir: configDir() }),
      isCode('INVALID_SETTING'),
    );
    assert.throws(
      () => resolveSettings({ env: { MLAAS_PROFILE: '../etc' }, configDir: configDir() }),
      isCode('INVALID_SETTING'),
    );
    assert.throws(
      () => resolveSettings({ env: { MLAAS_TOKEN_STORE: 'cloud' }, configDir: configDir() }),
      isCode('INVALID_SETTING'),
    );
    assert.throws(
      () => resolveSettings({ env: { MLAAS_ALLOW_INSECURE_HTTP: 'maybe' }, configDir: configDir() }),
      isCode('INVALID_SETTING'),
    );
  });

  it('reject a config file that is not JSON or has unknown settings', () => {
    assert.throws(
      () => resolveSettings({ env: {}, configDir: configDir('{ nope') }),
      (error: unknown) => isCode('INVALID_SETTING')(error) && /not valid JSON/.test((error as Error).message),
    );
    assert.throws(
      () => resolveSettings({ env: {}, configDir: configDir({ profiles: { default: { 'keycloak-uri': 'x' } } }) }),
      /unknown setting "keycloak-uri"/,
    );
  });
});

describe('config directory', () => {
  it('is MLAAS_CONFIG_DIR, else $XDG_CONFIG_HOME/mlaas, else ~/.config/mlaas', () => {
    assert.equal(resolveConfigDir({ MLAAS_CONFIG_DIR: '/a/b', XDG_CONFIG_HOME: '/x' }), '/a/b');
    assert.equal(resolveConfigDir({ XDG_CONFIG_HOME: '/x' }), '/x/mlaas');
    assert.equal(
      resolveConfigDir({ XDG_CONFIG_HOME: 'relative' }, () => '/home/me'),
      '/home/me/.config/mlaas',
    );
    assert.equal(
      resolveConfigDir({}, () => '/home/me'),
      '/home/me/.config/mlaas',
    );
  });
});

describe('plain HTTP', () => {
  it('is allowed to this machine only, unless explicitly allowed', () => {
    assert.doesNotThrow(() => assertSecureUrl('http://127.0.0.1:5000', 'x', false));
    assert.doesNotThrow(() => assertSecureUrl('http://localhost:5000', 'x', false));
    assert.doesNotThrow(() => assertSecureUrl('http://[::1]:5000', 'x', false));
    assert.doesNotThrow(() => assertSecureUrl('https://mlaas.example.org', 'x', false));
    assert.throws(
      () => assertSecureUrl('http://mlaas.example.org', 'The helper URL', false),
      (error: unknown) =>
        isCode('INVALID_SETTING')(error) && /--allow-insecure-http/.test((error as MlaasError).hint ?? ''),
    );
    assert.doesNotThrow(() => assertSecureUrl('http://mlaas.example.org', 'x', true));
  });
});
