/**
 * @module store/token-store
 * Where a profile's tokens live: the OS keyring or a 0600 file. Callers that read, change and write tokens
 * (sign-in, refresh, sign-out) hold the config directory's lock around it; the stores themselves do not lock.
 */
import type { StoredTokens } from './token-set.js';

/** A place to keep tokens per profile. */
export interface TokenStore {
  /** `file` or `keyring` (or a combination, for the automatic choice). */
  readonly kind: string;
  /** Human-readable location, for `whoami` and `config show`. */
  readonly location: string;
  read(profile: string): Promise<StoredTokens | null>;
  write(profile: string, tokens: StoredTokens): Promise<void>;
  /** Removes a profile's tokens; resolves whether there were any. */
  delete(profile: string): Promise<boolean>;
}
