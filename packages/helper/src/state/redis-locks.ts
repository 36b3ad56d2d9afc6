/**
 * @module state/redis-locks
 * A `LockService` shared by every helper replica through Redis. A lock is a key set with NX and a short
 * lease, holding a token unique to its holder: only the holder can renew or release it, a live holder renews
 * it while it works, and a crashed holder's lock runs out within one lease. A release is announced on a
 * pub/sub channel, so waiters wake at once instead of polling; a waiter that hears nothing (its holder died,
 * or the message was lost) looks again when the holder's lease would have run out.
 * When Redis cannot be reached the lock is refused — provisioning then answers 503.
 *
 * The lock is an optimisation, not the guarantee: Redis may restart empty or fail over and let a second
 * holder in. Provisioning converges duplicates after every create, so a lost lock costs a wasted create,
 * never a second key.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HelperError } from '../errors/helper-error.js';
import type { LockService, LockWaitOptions } from './shared-state.js';

/** Longest a caller waits for a lock held by someone else. */
export const DEFAULT_LOCK_WAIT_MS = 15_000;
/** Shortest pause before looking again at a lock whose release was not heard. */
const MIN_LOOK_AGAIN_MS = 20;
/** How often a waiter looks again while the release channel is not subscribed. */
const UNHEARD_LOOK_AGAIN_MS = 100;

// Renew or release only while the lock still holds our token; a release is announced to the waiters.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) redis.call('publish', KEYS[2], KEYS[1]) return 1 else return 0 end`;

export interface RedisLocksOptions {
  redis: Redis;
  keyPrefix: string;
  waitMs?: number;
}

/**
 * Creates the shared lock service. It opens one more connection to Redis, for the release channel; `close`
 * closes it.
 * @example const locks = createRedisLocks({ redis, keyPrefix: 'mlaas:' });
 */
export function createRedisLocks(options: RedisLocksOptions): LockService {
  const { redis, keyPrefix } = options;
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const channel = `${keyPrefix}lock-released`;
  /** Waiters on this process, by lock key: woken when a release of that key is heard. */
  const waiters = new Map<string, Set<() => void>>();
  let listening = false;
  // The release channel, on a connection of its own (a subscribed connection runs no other command).
  // Subscribed again after every reconnect; until it is, waiters look again at a short interval.
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {
    // Reported by the main connection.
  });
  subscriber.on('close', () => (listening = false));
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => (listening = true),
      () => {},
    );
  });
  subscriber.on('message', (_channel: string, lockKey: string) => {
    for (const wake of waiters.get(lockKey) ?? []) wake();
  });

  async function command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new HelperError(
        'UPSTREAM_UNAVAILABLE',
        'Keys cannot be issued safely right now (shared state is unreachable); try again shortly.',
        { cause: error, retryAfterSeconds: 2 },
      );
    }
  }

  /** Registers at once for the next heard release of `lockKey`; `until` waits for it, at most `ms`. */
  function nextRelease(lockKey: string): { until: (ms: number) => Promise<void>; cancel: () => void } {
    let wake: () => void = () => {};
    const heard = new Promise<void>((resolve) => (wake = resolve));
    const set = waiters.get(lockKey) ?? new Set();
    set.add(wake);
    waiters.set(lockKey, set);
    const cancel = () => {
      set.delete(wake);
      if (set.size === 0 && waiters.get(lockKey) === set) waiters.delete(lockKey);
      wake();
    };
    const until = async (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([heard, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
      cancel();
    };
    return { until, cancel };
  }

  return {
    async withLock<T>(key: string, ttlMs: number, work: () => Promise<T>, wait: LockWaitOptions<T> = {}) {
      const lockKey = `${keyPrefix}lock:${key}`;
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      for (;;) {
        // Listen before trying, so a release between a failed try and the wait is not missed.
        const release = nextRelease(lockKey);
        let taken: string | null;
        try {
          taken = await command(() => redis.set(lockKey, token, 'PX', ttlMs, 'NX'));
        } catch (error) {
          release.cancel();
          throw error;
        }
        if (taken === 'OK') {
          release.cancel();
          break;
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          release.cancel();
          throw new HelperError(
            'UPSTREAM_UNAVAILABLE',
            'Another request for the same key is taking too long; try again shortly.',
            { retryAfterSeconds: 2 },
          );
        }
        // Unheard releases (a dead holder, a lost message) are caught when the holder's lease would end.
        const lease = await command(() => redis.pttl(lockKey)).catch(() => ttlMs);
        const untilLeaseEnds = Math.max(MIN_LOOK_AGAIN_MS, lease > 0 ? lease : MIN_LOOK_AGAIN_MS);
        const lookAgain = Math.min(left, listening ? untilLeaseEnds : Math.min(untilLeaseEnds, UNHEARD_LOOK_AGAIN_MS));
        await release.until(lookAgain);
        if (wait.recheck !== undefined) {
          const found = await wait.recheck();
          if (found !== null) return found;
        }
      }
      // Renew the lease while the work runs, so a slow upstream does not let a second holder in.
      const renew = setInterval(
        () => {
          redis.eval(RENEW, 1, lockKey, token, String(ttlMs)).catch(() => {});
        },
        Math.max(50, Math.floor(ttlMs / 3)),
      );
      renew.unref();
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 2, lockKey, channel, token).catch(() => {
          // Unreleased, the lock runs out by itself within one lease.
        });
      }
    },
    async close() {
      for (const set of waiters.values()) for (const wake of set) wake();
      waiters.clear();
      listening = false;
      subscriber.disconnect();
    },
  };
}
