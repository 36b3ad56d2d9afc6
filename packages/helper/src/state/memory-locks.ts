/**
 * @module state/memory-locks
 * In-process `LockService`: a promise chain per key. Correct for one helper process; several replicas
 * need a shared implementation. A waiter runs the moment the previous holder settles — first its recheck,
 * then, when that finds nothing, its work.
 */
import type { LockService, LockWaitOptions } from './shared-state.js';

/**
 * Creates an in-memory lock service.
 * @example const locks = createMemoryLocks(); await locks.withLock('a', 5_000, async () => work());
 */
export function createMemoryLocks(): LockService {
  const tails = new Map<string, Promise<unknown>>();

  return {
    async withLock<T>(key: string, _ttlMs: number, work: () => Promise<T>, options: LockWaitOptions<T> = {}) {
      const previous = tails.get(key);
      const turn = async (): Promise<T> => {
        if (previous !== undefined && options.recheck !== undefined) {
          const found = await options.recheck();
          if (found !== null) return found;
        }
        return work();
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
    async close() {
      tails.clear();
    },
  };
}
