/**
 * @module test/store/open-store
 * Choosing the token store: the OS keyring only where it can work and answers a probe, else the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { KeyringEntry, KeyringEntryFactory } from '../../src/store/keyring-store.js';
import { isKeyringCandidate, openTokenStore } from '../../src/store/open-store.js';
import type { StoredTokens } from '../../src/store/token-set.js';
import { MlaasError } from '../../src/lib/errors.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlaas-open-store-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** An in-memory keyring; `broken` makes every call fail. */
function fakeKeyring(broken = false): { factory: KeyringEntryFactory; entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const factory: KeyringEntryFactory = (service, account): KeyringEntry => {
    const key = `${service}/${account}`;
    const check = async () => {
      if (broken) throw new Error('no Secret Service');
    };
    return {
      setPassword: async (password) => void (await check(), entries.set(key, password)),
      getPassword: async () => (await check(), entries.get(key) ?? null),
      deletePassword: async () => (await check(), entries.delete(key)),
    };
  };
  return { factory, entries };
}

const tokens: StoredTokens = {
  issuer: 'https://sso.example.org/realms/x',
  clientId: 'mlaas-cli',
  accessToken: 'a',
  refreshToken: 'r',
  idToken: null,
  tokenType: 'Bearer',
  scope: null,
  expiresAt: 1,
  obtainedAt: 0,
};

describe('token store choice', () => {
  it('tries the keyring only in a desktop session on Linux, and always on macOS and Windows', () => {
    assert.equal(isKeyringCandidate('linux', {}), false);
    assert.equal(isKeyringCandidate('linux', { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }), true);
    assert.equal(isKeyringCandidate('darwin', {}), true);
    assert.equal(isKeyringCandidate('win32', {}), true);
  });

  it('auto without a session bus: the file, without loading the addon', async () => {
    let loaded = false;
    const store = await openTokenStore({
      kind: 'auto',
      configDir: tempDir(),
      env: {},
      platform: 'linux',
      loadKeyring: async () => ((loaded = true), null),
    });
    assert.equal(store.kind, 'file');
    assert.equal(loaded, false);
  });

  it('auto with a working keyring: tokens go to the keyring, not the file', async () => {
    const { factory, entries } = fakeKeyring();
    const dir = tempDir();
    const store = await openTokenStore({
      kind: 'auto',
      configDir: dir,
      env: { DBUS_SESSION_BUS_ADDRESS: 'x' },
      platform: 'linux',
      loadKeyring: async () => factory,
    });
    await store.write('default', tokens);
    assert.equal(store.kind, 'keyring');
    assert.deepEqual(JSON.parse(entries.get('mlaas-cli/default') ?? 'null'), tokens);
    assert.deepEqual(await store.read('default'), tokens);
    assert.equal(await store.delete('default'), true);
    assert.equal(entries.size, 0, 'the probe entry is gone too');
  });

  it('auto with a keyring that fails its probe: the file', async () => {
    const { factory } = fakeKeyring(true);
    const warnings: string[] = [];
    const store = await openTokenStore({
      kind: 'auto',
      configDir: tempDir(),
      env: { DBUS_SESSION_BUS_ADDRESS: 'x' },
      platform: 'linux',
      loadKeyring: async () => factory,
      warn: (m) => warnings.push(m),
    });
    await store.write('default', tokens);
    assert.equal(store.kind, 'file');
    assert.match(warnings.join('\n'), /plain file/);
    assert.deepEqual(await store.read('default'), tokens);
  });

  it('keyring required but not available: STORAGE_ERROR with a way out', async () => {
    await assert.rejects(
      openTokenStore({
        kind: 'keyring',
        configDir: tempDir(),
        env: {},
        platform: 'linux',
        loadKeyring: async () => null,
      }),
      (error: unknown) =>
        error instanceof MlaasError &&
        error.code === 'STORAGE_ERROR' &&
        /MLAAS_TOKEN_STORE=file/.test(error.hint ?? ''),
    );
  });

  it('file forced: never the keyring', async () => {
    const { factory } = fakeKeyring();
    const store = await openTokenStore({
      kind: 'file',
      configDir: tempDir(),
      env: { DBUS_SESSION_BUS_ADDRESS: 'x' },
      platform: 'linux',
      loadKeyring: async () => factory,
    });
    assert.equal(store.kind, 'file');
  });
});
