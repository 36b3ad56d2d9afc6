/**
 * @module state/swr-cache
 * An in-memory cache with a time to live, stale-while-revalidate and single-flight loading, on lru-cache's
 * `fetch`: concurrent misses for one key share one load; an entry past its TTL is still served (and reloaded
 * behind the request) until it is older than TTL + stale window; a failed reload keeps serving the stale
 * value in that window. What lru-cache has no option for, this file adds: the end of the stale window, and
 * the events for metrics.
 */
import { LRUCache } from 'lru-cache';

export interface SwrCacheOptions {
  /** Fresh for this long after loading. */
  ttlMs: number;
  /** After the TTL, served stale (and revalidated) for this much longer; also how long a failing source is papered over. */
  staleMs: number;
  now?: () => number;
  onEvent?: (event: 'hit' | 'stale' | 'miss') => void;
}

export interface SwrCache<T> {
  /** The value for `key`, loading it with `load` when missing or expired. */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /** Loads `key` now, whatever its age (joining a load in flight); the value stays until this one replaces it. */
  refresh(key: string, load: () => Promise<T>): Promise<T>;
  /** Forgets `key`, and any load of it in flight: the next `get` loads afresh (after a write, say). */
  delete(key: string): void;
  /** Forgets every key and every load in flight. */
  clear(): void;
}

/** Bound on entries; the least recently used are evicted first. */
const MAX_ENTRIES = 10_000;

/** lru-cache cannot hold `null` or `undefined`, which are values here (no account, say). */
interface Box<T> {
  value: T;
}

/**
 * Creates a cache.
 * @example const services = createSwrCache<ApiService[]>({ ttlMs: 300_000, staleMs: 3_600_000 });
 *          const list = await services.get('all', () => fetchServices());
 */
export function createSwrCache<T>(options: SwrCacheOptions): SwrCache<T> {
  const now = options.now ?? (() => performance.now());
  const cache = new LRUCache<string, Box<T>, () => Promise<T>>({
    max: MAX_ENTRIES,
    // lru-cache reads a TTL of 0 as "forever"; 1 ms is as good as none.
    ttl: Math.max(1, options.ttlMs),
    // Read the clock on every call: a clock injected by tests moves without real time passing.
    ttlResolution: 0,
    // lru-cache reads a start time of 0 as "no TTL", and an injected clock may start there.
    perf: { now: () => now() + 1 },
    // A failed reload leaves the stale value in place (`get` decides whether it may still be served).
    noDeleteOnFetchRejection: true,
    // A load dropped by `delete` or `clear` still answers its own callers, but stores nothing: what it read
    // may predate the write that dropped it, and lru-cache keeps only the result of the current load.
    ignoreFetchAbort: true,
    // A stale entry read by `get` stays: `get` decides whether it may still be served.
    noDeleteOnStaleGet: true,
    fetchMethod: (_key, _stale, { context }) => context().then((value) => ({ value })),
  });

  async function fetch(
    key: string,
    load: () => Promise<T>,
    extra: LRUCache.FetchOptions<string, Box<T>, () => Promise<T>>,
  ) {
    const box = await cache.fetch(key, { ...extra, context: load });
    // Only a rejection allowed to fall back on a stale value could resolve without one, and it has one.
    if (box === undefined) throw new TypeError(`swr-cache: no value for ${key}`);
    return box.value;
  }

  return {
    async get(key, load) {
      const fresh = cache.get(key);
      if (fresh !== undefined) {
        options.onEvent?.('hit');
        return fresh.value;
      }
      const held = cache.peek(key, { allowStale: true }) !== undefined;
      // Remaining time to live: negative once stale, 0 when absent.
      const remaining = held ? cache.getRemainingTTL(key) : 0;
      if (held && remaining >= 0) {
        options.onEvent?.('hit');
        return fetch(key, load, { allowStale: true, allowStaleOnFetchRejection: true });
      }
      if (held && remaining >= -options.staleMs) {
        options.onEvent?.('stale');
        return fetch(key, load, { allowStale: true, allowStaleOnFetchRejection: true });
      }
      // Past the stale window (or never loaded): forget it, so neither it nor a reload that would fall back
      // on it can answer.
      if (held) cache.delete(key);
      options.onEvent?.('miss');
      return fetch(key, load, { allowStale: false, allowStaleOnFetchRejection: false });
    },
    refresh(key, load) {
      return fetch(key, load, { forceRefresh: true, allowStale: false, allowStaleOnFetchRejection: false });
    },
    delete(key) {
      cache.delete(key);
    },
    clear() {
      cache.clear();
    },
  };
}
