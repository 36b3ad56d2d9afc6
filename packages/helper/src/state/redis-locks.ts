/**
 * @module state/redis-locks
 * A `LockService` shared by every helper replica through Redis. A lock is a key set with NX and an expiry,
 * holding a token unique to its holder (a fencing token from a shared counter): only the holder can extend
 * or release it, a crashed holder's lock expires, and a slow holder keeps its lease alive while it works.
 * When Redis cannot be reached the lock is refused — provisioning then fails with 503 instead of risking a
 * duplicate key.
 */
import type { Redis } from 'ioredis';
import { HelperError } from '../errors/helper-error.js';
import type { LockService } from './shared-state.js';

/** Longest a caller waits for a lock held by someone else. */
export const DEFAULT_LOCK_WAIT_MS = 15_000;
/** Pause between attempts to take a busy lock (jittered). */
const RETRY_PAUSE_MS = 40;

// Extend or release only while the lock still holds our token.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisLocksOptions {
  redis: Redis;
  keyPrefix: string;
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Creates the shared lock service.
 * @example const locks = createRedisLocks({ redis, keyPrefix: 'mlaas:' });
 */
export function createRedisLocks(options: RedisLocksOptions): LockService {
  const { redis, keyPrefix } = options;
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new HelperError(
        'UPSTREAM_UNAVAILABLE',
        'Keys cannot be issued safely right now (shared state is unreachable); try again shortly.',
        {
          cause: error,
          retryAfterSeconds: 2,
        },
      );
    }
  }

  return {
    async withLock(key, ttlMs, work) {
      const lockKey = `${keyPrefix}lock:${key}`;
      const fence = await command(() => redis.incr(`${keyPrefix}lock-fence`));
      const token = `${fence}:${process.pid}`;
      const deadline = Date.now() + waitMs;
      while ((await command(() => redis.set(lockKey, token, 'PX', ttlMs, 'NX'))) !== 'OK') {
        if (Date.now() >= deadline) {
          throw new HelperError(
            'UPSTREAM_UNAVAILABLE',
            'Another request for the same key is taking too long; try again shortly.',
            { retryAfterSeconds: 2 },
          );
        }
        await sleep(RETRY_PAUSE_MS + Math.floor(Math.random() * RETRY_PAUSE_MS));
      }
      // Keep the lease while the work runs, so a slow upstream does not let a second holder in.
      const renew = setInterval(
        () => {
          redis.eval(EXTEND, 1, lockKey, token, String(ttlMs)).catch(() => {});
        },
        Math.max(50, Math.floor(ttlMs / 3)),
      );
      renew.unref();
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 1, lockKey, token).catch(() => {
          // Unreleased, the lock expires by itself after ttlMs.
        });
      }
    },
    async close() {},
  };
}
