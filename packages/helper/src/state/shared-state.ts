/**
 * @module state/shared-state
 * The shared-state port: locks that serialise work across requests (and, with a shared implementation,
 * across helper replicas).
 */

/** What a caller may do while it waits for a lock. */
export interface LockWaitOptions<T> {
  /**
   * Run each time the lock frees or its holder's lease runs out, before trying to take it: a value other
   * than null is answered at once, without the lock (the holder may have done the work already).
   */
  recheck?: () => Promise<T | null>;
}

/** Serialises work per key. */
export interface LockService {
  /**
   * Runs `work` while holding the lock named `key`; callers with the same key run one after another.
   * The lock is released when `work` settles. `ttlMs` is the lease: a holder that vanished loses the lock
   * that long after it last renewed it (a live holder renews it while it works).
   */
  withLock<T>(key: string, ttlMs: number, work: () => Promise<T>, options?: LockWaitOptions<T>): Promise<T>;
  close(): Promise<void>;
}
