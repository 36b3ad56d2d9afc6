/**
 * @module state/memory-locks
 * In-process `LockService`: a promise chain per key. Correct for one helper process; several replicas
 * need a shared implementation.
 */
import type { LockService } from './shared-state.js';

/**
 * Creates an in-memory lock service.
 * @example const locks = createMemoryLocks(); await locks.withLock('a', 5_000, async () => work());
 */
export function createMemoryLocks(): LockService {
  const tails = new Map<string, Promise<unknown>>();

  return {
    async withLock<T>(key: string, _ttlMs: number, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(work, work);
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
