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

interface Entry<T> {
  value: T;
  loadedAt: number;
}

/** Bound on entries; the oldest are evicted first. */
const MAX_ENTRIES = 10_000;

/**
 * Creates a cache.
 * @example const services = createSwrCache<ApiService[]>({ ttlMs: 300_000, staleMs: 3_600_000 });
 *          const list = await services.get('all', () => fetchServices());
 */
export function createSwrCache<T>(options: SwrCacheOptions): SwrCache<T> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<T>>();
  const loading = new Map<string, Promise<T>>();

  function load(key: string, loader: () => Promise<T>): Promise<T> {
    const inFlight = loading.get(key);
    if (inFlight !== undefined) return inFlight;
    // A load dropped by `delete` or `clear` while it ran answers its own callers but stores nothing: what it
    // read may predate the write that dropped it.
    const pending: Promise<T> = loader()
      .then((value) => {
        if (loading.get(key) === pending) {
          entries.delete(key);
          entries.set(key, { value, loadedAt: now() });
          if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
        }
        return value;
      })
      .finally(() => {
        if (loading.get(key) === pending) loading.delete(key);
      });
    loading.set(key, pending);
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
      loading.delete(key);
    },
    clear() {
      entries.clear();
      loading.clear();
    },
  };
}
