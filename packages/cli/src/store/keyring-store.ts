/**
 * @module store/keyring-store
 * Tokens in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
 * through the optional `@napi-rs/keyring` addon, one entry per profile. Every call has a timeout: a
 * keyring that does not answer must not hang the CLI.
 */
import { MlaasError } from '../lib/errors.js';
import { isStoredTokens, type StoredTokens } from './token-set.js';
import type { TokenStore } from './token-store.js';

/** Keyring service name under which entries are kept. */
export const KEYRING_SERVICE = 'mlaas-cli';
/** Time allowed for one keyring call. */
export const KEYRING_TIMEOUT_MS = 3_000;

/** The part of `@napi-rs/keyring`'s `AsyncEntry` this store uses. */
export interface KeyringEntry {
  setPassword(password: string, signal?: AbortSignal | null): Promise<void>;
  getPassword(signal?: AbortSignal | null): Promise<string | null>;
  deletePassword(signal?: AbortSignal | null): Promise<boolean>;
}

/** Creates the entry for a service and account. */
export type KeyringEntryFactory = (service: string, account: string) => KeyringEntry;

/**
 * Loads the keyring addon; `null` when it is not installed or cannot load (e.g. inside the single-file
 * binary, or on a platform without a prebuilt addon).
 *
 * @example
 * ```ts
 * const factory = await loadKeyring();
 * if (factory) createKeyringTokenStore(factory);
 * ```
 */
export async function loadKeyring(): Promise<KeyringEntryFactory | null> {
  try {
    const specifier = '@napi-rs/keyring';
    const mod = (await import(specifier)) as {
      AsyncEntry?: new (s: string, a: string) => KeyringEntry;
      default?: { AsyncEntry?: new (s: string, a: string) => KeyringEntry };
    };
    const AsyncEntry = mod.AsyncEntry ?? mod.default?.AsyncEntry;
    if (AsyncEntry === undefined) return null;
    return (service, account) => new AsyncEntry(service, account);
  } catch {
    return null;
  }
}

/**
 * Checks the keyring really works here: writes, reads back and deletes a probe entry, each within the
 * timeout. Desktop sessions without an unlocked Secret Service fail here rather than at sign-in.
 *
 * @example
 * ```ts
 * if (await probeKeyring(factory)) store = createKeyringTokenStore(factory);
 * ```
 */
export async function probeKeyring(factory: KeyringEntryFactory, timeoutMs = KEYRING_TIMEOUT_MS): Promise<boolean> {
  const value = `probe-${process.pid}-${Date.now()}`;
  try {
    const entry = factory(KEYRING_SERVICE, `probe-${process.pid}`);
    await entry.setPassword(value, AbortSignal.timeout(timeoutMs));
    const read = await entry.getPassword(AbortSignal.timeout(timeoutMs));
    await entry.deletePassword(AbortSignal.timeout(timeoutMs));
    return read === value;
  } catch {
    return false;
  }
}

/**
 * The keyring token store.
 *
 * @example
 * ```ts
 * const store = createKeyringTokenStore(factory);
 * await store.write('default', tokens);
 * ```
 */
export function createKeyringTokenStore(factory: KeyringEntryFactory, timeoutMs = KEYRING_TIMEOUT_MS): TokenStore {
  const entry = (profile: string) => factory(KEYRING_SERVICE, profile);
  const fail = (action: string, error: unknown) =>
    new MlaasError('STORAGE_ERROR', `cannot ${action} the OS keyring: ${(error as Error).message ?? String(error)}`, {
      cause: error,
      hint: 'Set MLAAS_TOKEN_STORE=file to keep tokens in a 0600 file instead.',
    });
  return {
    kind: 'keyring',
    location: `OS keyring (service "${KEYRING_SERVICE}")`,
    async read(profile) {
      let text: string | null;
      try {
        text = await entry(profile).getPassword(AbortSignal.timeout(timeoutMs));
      } catch (error) {
        throw fail('read from', error);
      }
      if (text === null) return null;
      try {
        const parsed: unknown = JSON.parse(text);
        return isStoredTokens(parsed) ? parsed : null;
      } catch {
        return null;
      }
    },
    async write(profile, tokens: StoredTokens) {
      try {
        await entry(profile).setPassword(JSON.stringify(tokens), AbortSignal.timeout(timeoutMs));
      } catch (error) {
        throw fail('write to', error);
      }
    },
    async delete(profile) {
      try {
        return await entry(profile).deletePassword(AbortSignal.timeout(timeoutMs));
      } catch (error) {
        throw fail('delete from', error);
      }
    },
  };
}
