/**
 * @module state/redis-locks
 * A `LockService` shared by every helper replica through Redis. A lock is a key set with NX and a short
 * lease, holding a token unique to its holder: only the holder can renew or release it, a live holder renews
 * it while it works, and a crashed holder's lock runs out within one lease. A release is announced on a
 * pub/sub channel, so waiters wake at once instead of polling; a waiter that hears nothing (its holder died,
 * or the message was lost) looks again when the holder's lease would have run out.
 * When Redis cannot be reached the lock is refused — provisioning then answers 503.
 *
 * Each take also records the taker's token under `<lock>:taken` (kept for `MARK_TTL_MS`), and Redis holds one
 * random epoch for all locks (`<prefix>lock-epoch`, written once, never expiring). A mark is the epoch and
 * the last taker, read while the lock is free; a holder whose take saw exactly the marked epoch and taker
 * knows nobody held the lock since the mark. A Redis that restarted empty has lost its epoch: the mark that
 * finds it missing writes a new one and gives no mark, and a take never confirms a mark of another epoch —
 * tokens and epochs are random, so nothing old is confirmed by chance.
 *
 * The lock is an optimisation, not the guarantee: Redis may restart empty or fail over and let a second
 * holder in. Provisioning converges duplicates after every create, so a lost lock costs a wasted create,
 * never a second key.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HelperError } from '../errors/helper-error.js';
import type { HeldLock, LockMark, LockService, LockWaitOptions } from './shared-state.js';

/** Longest a caller waits for a lock held by someone else. */
export const DEFAULT_LOCK_WAIT_MS = 15_000;
/** Shortest pause before looking again at a lock whose release was not heard. */
const MIN_LOOK_AGAIN_MS = 20;
/** How often a waiter looks again while the release channel is not subscribed. */
const UNHEARD_LOOK_AGAIN_MS = 100;
/** How long who took a lock last is remembered: far longer than a caller's read between mark and take. */
const MARK_TTL_MS = 600_000;

// Renew or release only while the lock still holds our token; a release is announced to the waiters.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
// Take the lock; on success record the taker and answer who took it before ('' when nobody is remembered).
const ACQUIRE = `if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then local last = redis.call('get', KEYS[2]) redis.call('set', KEYS[2], ARGV[1], 'PX', ARGV[3]) return (redis.call('get', KEYS[3]) or '') .. '/' .. (last or '') else return false end`;
// The lock's mark: epoch/last taker while the lock is free; nothing while it is held or when the epoch is
// missing (then a new one is written: Redis started empty, and what happened before cannot be vouched for).
const MARK = `local epoch = redis.call('get', KEYS[3]) if not epoch then redis.call('set', KEYS[3], ARGV[1], 'NX') return false end if redis.call('exists', KEYS[1]) == 1 then return false end return epoch .. '/' .. (redis.call('get', KEYS[2]) or '')`;
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
  const epochKey = `${keyPrefix}lock-epoch`;
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
    async withLock<T>(key: string, ttlMs: number, work: (held: HeldLock) => Promise<T>, wait: LockWaitOptions<T> = {}) {
      const lockKey = `${keyPrefix}lock:${key}`;
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      let untouchedSinceMark = false;
      for (let attempt = 0; ; attempt++) {
        // Listen before trying, so a release between a failed try and the wait is not missed.
        const release = nextRelease(lockKey);
        let previous: unknown;
        try {
          previous = await command(() =>
            redis.eval(ACQUIRE, 3, lockKey, `${lockKey}:taken`, epochKey, token, String(ttlMs), String(MARK_TTL_MS)),
          );
        } catch (error) {
          release.cancel();
          throw error;
        }
        if (typeof previous === 'string') {
          release.cancel();
          const mark = wait.mark;
          // Confirmed only at the first try, in the marked epoch (a missing epoch reads as '/…', never marked).
          untouchedSinceMark =
            attempt === 0 &&
            mark !== undefined &&
            mark !== null &&
            !previous.startsWith('/') &&
            previous === mark.value;
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
        return await work({ untouchedSinceMark });
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 2, lockKey, channel, token).catch(() => {
          // Unreleased, the lock runs out by itself within one lease.
        });
      }
    },
    async mark(key: string): Promise<LockMark | null> {
      const lockKey = `${keyPrefix}lock:${key}`;
      try {
        const value = await redis.eval(MARK, 3, lockKey, `${lockKey}:taken`, epochKey, randomUUID());
        return typeof value === 'string' ? { value } : null;
      } catch {
        return null;
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
