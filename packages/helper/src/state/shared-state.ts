/**
 * @module state/shared-state
 * The shared-state port: locks that serialise work across requests (and, with a shared implementation,
 * across helper replicas).
 */

/** Serialises work per key. */
export interface LockService {
  /**
   * Runs `work` while holding the lock named `key`; callers with the same key run one after another.
   * The lock is released when `work` settles, or after `ttlMs` if its holder vanished.
   */
  withLock<T>(key: string, ttlMs: number, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
