/**
 * @module state/redis-hints
 * A `HintStore` shared by every helper replica through Redis: `<prefix>hint:<sha-256 of the key>`, each with
 * its own expiry (the key is hashed, so no user id or email is written to Redis). A hint that Redis cannot
 * give within `waitMs` (unreachable, slow) is simply not known, and a failed write is dropped: nothing waits
 * on Redis longer than that, and nothing fails because of it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HintStore } from './shared-state.js';

export interface RedisHintsOptions {
  redis: Redis;
  keyPrefix: string;
  /** Longest a read waits for Redis before answering "not known". */
  waitMs?: number;
}

const DEFAULT_WAIT_MS = 50;

/**
 * Creates the shared hint store on an existing connection.
 * @example const hints = createRedisHints({ redis, keyPrefix: 'mlaas:' });
 */
export function createRedisHints(options: RedisHintsOptions): HintStore {
  const { redis, keyPrefix } = options;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const keyOf = (key: string) => `${keyPrefix}hint:${createHash('sha256').update(key).digest('hex')}`;

  return {
    async get(key) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
      try {
        return await Promise.race([redis.get(keyOf(key)).catch(() => null), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async set(key, value, ttlMs) {
      await redis.set(keyOf(key), value, 'PX', Math.max(1, Math.round(ttlMs))).catch(() => undefined);
    },
    async delete(key) {
      await redis.del(keyOf(key)).catch(() => undefined);
    },
  };
}
