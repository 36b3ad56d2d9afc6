/**
 * @module store/open-store
 * Chooses where tokens live. `file` and `keyring` are explicit; `auto` (the default) uses the OS keyring
 * when one answers a write/read/delete probe in time, else the 0600 file. On Linux the keyring is tried
 * only inside a desktop session (DBUS_SESSION_BUS_ADDRESS set): elsewhere the addon would fall back to the
 * kernel keyring, which forgets tokens at logout.
 */
import type { Env } from '../config/paths.js';
import type { TokenStoreKind } from '../config/settings.js';
import { MlaasError } from '../lib/errors.js';
import { createFileTokenStore } from './file-store.js';
import type { KeyringEntryFactory } from './keyring-store.js';
import type { TokenStore } from './token-store.js';

/** Options of {@link openTokenStore}. */
export interface OpenTokenStoreOptions {
  kind: TokenStoreKind;
  configDir: string;
  env: Env;
  platform?: NodeJS.Platform;
  warn?: (message: string) => void;
  /** Loads the keyring addon (injected by tests). */
  loadKeyring?: () => Promise<KeyringEntryFactory | null>;
}

/**
 * Whether the OS keyring is worth trying on this machine.
 *
 * @example
 * ```ts
 * isKeyringCandidate('linux', process.env); // true only in a desktop session
 * ```
 */
export function isKeyringCandidate(platform: NodeJS.Platform, env: Env): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return platform === 'linux' && Boolean(env.DBUS_SESSION_BUS_ADDRESS);
}

/**
 * Opens the token store the settings ask for.
 * @throws MlaasError STORAGE_ERROR when `keyring` is required and does not work.
 *
 * @example
 * ```ts
 * const store = await openTokenStore({ kind: 'auto', configDir, env: process.env, warn: console.error });
 * ```
 */
export async function openTokenStore(options: OpenTokenStoreOptions): Promise<TokenStore> {
  const file = createFileTokenStore({ configDir: options.configDir, ...(options.warn ? { warn: options.warn } : {}) });
  if (options.kind === 'file') return file;
  if (options.kind === 'auto' && !isKeyringCandidate(options.platform ?? process.platform, options.env)) return file;
  // Loaded only where a keyring may be used, to keep the common (file) case fast.
  const { createKeyringTokenStore, loadKeyring, probeKeyring } = await import('./keyring-store.js');
  const load = options.loadKeyring ?? loadKeyring;
  if (options.kind === 'keyring') {
    const factory = await load();
    if (factory === null || !(await probeKeyring(factory))) {
      throw new MlaasError('STORAGE_ERROR', 'the OS keyring is not available here', {
        hint: 'Unlock or start your keyring (Secret Service), or set MLAAS_TOKEN_STORE=file.',
      });
    }
    return createKeyringTokenStore(factory);
  }
  return createAutoStore(file, async () => {
    const factory = await load();
    return factory !== null && (await probeKeyring(factory)) ? createKeyringTokenStore(factory) : null;
  });
}

function createAutoStore(file: TokenStore, openKeyring: () => Promise<TokenStore | null>): TokenStore {
  let keyring: Promise<TokenStore | null> | undefined;
  let current: TokenStore = file;
  // Loaded and probed once per process, and only when tokens are not already in the file.
  const usableKeyring = () => (keyring ??= openKeyring());

  return {
    get kind() {
      return current.kind;
    },
    get location() {
      return current.location;
    },
    async read(profile) {
      const fromFile = await file.read(profile);
      if (fromFile !== null) {
        current = file;
        return fromFile;
      }
      const store = await usableKeyring();
      if (store === null) return null;
      current = store;
      return store.read(profile).catch(() => null);
    },
    async write(profile, tokens) {
      const store = await usableKeyring();
      if (store === null) {
        current = file;
        return file.write(profile, tokens);
      }
      await store.write(profile, tokens);
      current = store;
      await file.delete(profile);
    },
    async delete(profile) {
      const fromFile = await file.delete(profile);
      const store = await usableKeyring();
      const fromKeyring = store === null ? false : await store.delete(profile).catch(() => false);
      return fromFile || fromKeyring;
    },
  };
}
