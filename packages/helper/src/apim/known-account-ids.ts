/**
 * @module apim/known-account-ids
 * Remembers which account id each user's account lookup found, in front of any `ApiManager`, and answers
 * `knownAccountId` from that memory without an upstream call: in this process, and, given a shared hint
 * store (Redis), what any replica found. A rotation or a revocation uses it to read the account's
 * applications alongside the fresh lookup that confirms the id, instead of after it.
 *
 * It is a hint, never a decision: an account id never changes, so a remembered id at worst names an account
 * that is no longer the user's (deleted, or the lookup now finds another); the fresh lookup made alongside
 * reveals that, and the caller reads again with the right id. So it outlives the account cache, and stays on
 * when that cache is turned off.
 */
import type { HintStore } from '../state/shared-state.js';
import type { ApiManager, Identity } from './api-manager.js';

export interface KnownAccountIdsOptions {
  /** How long an id is remembered after its last lookup. */
  ttlMs?: number;
  /** How many users' ids this process remembers; the least recently looked up go first. */
  maxEntries?: number;
  /** Where replicas share what they found; none = this process only. */
  shared?: HintStore | null;
  now?: () => number;
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Wraps `inner` so the ids its `findAccount` and `createAccount` answer are remembered for `knownAccountId`.
 * @example const apiManager = withKnownAccountIds(withAccountCache(backend, { ttlMs: 30_000 }));
 */
export function withKnownAccountIds(inner: ApiManager, options: KnownAccountIdsOptions = {}): ApiManager {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const shared = options.shared ?? null;
  const now = options.now ?? Date.now;
  const known = new Map<string, { id: string; at: number }>();
  // The same key the lookup uses: the user id, and the email only when it may be used (verified).
  const keyOf = (identity: Identity) => `account-id\u0000${identity.userId}\u0000${identity.email ?? ''}`;

  function keep(key: string, id: string): void {
    known.delete(key);
    known.set(key, { id, at: now() });
    if (known.size > maxEntries) known.delete(known.keys().next().value as string);
  }

  /** Remembers (or forgets) an id; what is shared is written in the background, never delaying the lookup. */
  function remember(identity: Identity, id: string | null): void {
    const key = keyOf(identity);
    const before = known.get(key)?.id;
    if (id === null) {
      known.delete(key);
      if (shared !== null) void shared.delete(key);
      return;
    }
    keep(key, id);
    // Shared when new to this process: the other replicas' copies expire on their own.
    if (shared !== null && before !== id) void shared.set(key, id, ttlMs);
  }

  return {
    ...inner,
    async findAccount(identity, read) {
      const account = await inner.findAccount(identity, read);
      remember(identity, account?.id ?? null);
      return account;
    },
    async createAccount(identity) {
      const account = await inner.createAccount(identity);
      remember(identity, account.id);
      return account;
    },
    async knownAccountId(identity) {
      const key = keyOf(identity);
      const entry = known.get(key);
      if (entry !== undefined && now() - entry.at <= ttlMs) return entry.id;
      known.delete(key);
      const id = shared === null ? null : await shared.get(key);
      if (id !== null) keep(key, id);
      return id;
    },
  };
}
