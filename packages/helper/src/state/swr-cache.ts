/**
 * @module state/swr-cache
 * An in-memory cache with a time to live, stale-while-revalidate and single-flight loading: concurrent
 * misses for one key share one load; an entry past its TTL is still served (and reloaded behind the request)
 * until it is older than TTL + stale window; a failed reload keeps serving the stale value in that window.
 */

export interface SwrCacheOptions {
  /** Fresh for this long after loading. */
  ttlMs: number;
  /** After the TTL, served stale (and revalidated) for this much longer; also how long a failing source is papered over. */
  staleMs: number;
  /** Bound on entries; the oldest are evicted first. */
  maxEntries?: number;
  now?: () => number;
  onEvent?: (event: 'hit' | 'stale' | 'miss') => void;
}

export interface SwrCache<T> {
  /** The value for `key`, loading it with `load` when missing or expired. */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /** Loads `key` now, whatever its age (joining a load in flight); the value stays until this one replaces it. */
  refresh(key: string, load: () => Promise<T>): Promise<T>;
  delete(key: string): void;
  clear(): void;
}

interface Entry<T> {
  value: T;
  loadedAt: number;
}

/** Default bound on entries. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Creates a cache.
 * @example const services = createSwrCache<ApiService[]>({ ttlMs: 300_000, staleMs: 3_600_000 });
 *          const list = await services.get('all', () => fetchServices());
 */
export function createSwrCache<T>(options: SwrCacheOptions): SwrCache<T> {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new Map<string, Entry<T>>();
  const loading = new Map<string, Promise<T>>();

  function load(key: string, loader: () => Promise<T>): Promise<T> {
    let pending = loading.get(key);
    if (pending === undefined) {
      pending = loader()
        .then((value) => {
          entries.delete(key);
          entries.set(key, { value, loadedAt: now() });
          if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
          return value;
        })
        .finally(() => loading.delete(key));
      loading.set(key, pending);
    }
    return pending;
  }

  return {
    async get(key, loader) {
      const entry = entries.get(key);
      if (entry !== undefined) {
        const age = now() - entry.loadedAt;
        if (age <= options.ttlMs) {
          options.onEvent?.('hit');
          return entry.value;
        }
        if (age <= options.ttlMs + options.staleMs) {
          options.onEvent?.('stale');
          load(key, loader).catch(() => {});
          return entry.value;
        }
      }
      options.onEvent?.('miss');
      return load(key, loader);
    },
    refresh: load,
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
}
