/**
 * @module state/shared-state
 * The shared-state port: locks that serialise work across requests (and, with a shared implementation,
 * across helper replicas), and marks that tell a holder nobody took its lock since the caller last looked.
 */

/**
 * What `LockService.mark` saw: the lock free, and who took it last (opaque; never repeats). A caller takes a
 * mark before a read and passes it to `withLock`, which tells `work` whether the lock was taken by anyone in
 * between — if not, nothing done under the lock can have happened since the read.
 */
export interface LockMark {
  readonly value: string;
}

/** What `work` is told about the lock it holds. */
export interface HeldLock {
  /**
   * True only when the caller passed a mark, the lock was taken at the first try, and nobody took it between
   * the mark and this holder (so nobody held it at any moment since the mark). False whenever that cannot
   * be confirmed (no mark, a wait, shared state restarted empty, an error).
   */
  readonly untouchedSinceMark: boolean;
}

/** What a caller may do while it waits for a lock. */
export interface LockWaitOptions<T> {
  /**
   * Run each time the lock frees or its holder's lease runs out, before trying to take it: a value other
   * than null is answered at once, without the lock (the holder may have done the work already).
   */
  recheck?: () => Promise<T | null>;
  /** A mark taken before the caller's own read (see `HeldLock.untouchedSinceMark`). */
  mark?: LockMark | null;
}

/** Serialises work per key. */
export interface LockService {
  /**
   * Runs `work` while holding the lock named `key`; callers with the same key run one after another.
   * The lock is released when `work` settles. `ttlMs` is the lease: a holder that vanished loses the lock
   * that long after it last renewed it (a live holder renews it while it works).
   */
  withLock<T>(
    key: string,
    ttlMs: number,
    work: (held: HeldLock) => Promise<T>,
    options?: LockWaitOptions<T>,
  ): Promise<T>;
  /**
   * The lock's mark now: null when it is held, or when who took it last is not known (never taken recently,
   * shared state restarted empty, unreachable). Never throws.
   */
  mark(key: string): Promise<LockMark | null>;
  close(): Promise<void>;
}

/**
 * Small values every replica may read, each kept for a while: account ids found by lookups, shared so that a
 * replica knows an id another one found. Hints only: a value missing or unreachable is "not known".
 */
export interface HintStore {
  /** The value, or null when none is kept (or the store cannot answer at once). Never throws. */
  get(key: string): Promise<string | null>;
  /** Keeps the value for `ttlMs`. Never throws. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Forgets the value. Never throws. */
  delete(key: string): Promise<void>;
}
