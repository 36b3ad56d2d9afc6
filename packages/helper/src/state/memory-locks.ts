/**
 * @module state/memory-locks
 * In-process `LockService`: a promise chain per key. Correct for one helper process; several replicas
 * need a shared implementation. A waiter runs the moment the previous holder settles — first its recheck,
 * then, when that finds nothing, its work.
 *
 * Marks count every take of any lock of this service: a mark is still current when no lock at all was taken
 * since. Coarser than per key (another key's take spoils it, costing the caller one more read), but it keeps
 * nothing per key once a lock is released, however many keys are ever locked.
 */
import type { HeldLock, LockMark, LockService, LockWaitOptions } from './shared-state.js';

/**
 * Creates an in-memory lock service.
 * @example const locks = createMemoryLocks(); await locks.withLock('a', 5_000, async () => work());
 */
export function createMemoryLocks(): LockService {
  const tails = new Map<string, Promise<unknown>>();
  /** Takes of any lock so far. */
  let takes = 0;

  return {
    async withLock<T>(
      key: string,
      _ttlMs: number,
      work: (held: HeldLock) => Promise<T>,
      options: LockWaitOptions<T> = {},
    ) {
      const previous = tails.get(key);
      // Taken now (the chain is joined synchronously), at the first try when nobody holds it.
      const held: HeldLock = {
        untouchedSinceMark:
          previous === undefined &&
          options.mark !== undefined &&
          options.mark !== null &&
          options.mark.value === String(takes),
      };
      takes += 1;
      const turn = async (): Promise<T> => {
        if (previous !== undefined && options.recheck !== undefined) {
          const found = await options.recheck();
          if (found !== null) return found;
        }
        return work(held);
      };
      const run = (previous ?? Promise.resolve()).then(turn, turn);
      const tail = run.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      try {
        return await run;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
    async mark(key: string): Promise<LockMark | null> {
      return tails.has(key) ? null : { value: String(takes) };
    },
    async close() {
      tails.clear();
    },
  };
}
