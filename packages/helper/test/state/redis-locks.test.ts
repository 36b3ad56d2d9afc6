/**
 * Locks shared through a real Redis: one holder at a time across clients, a crashed holder's lock expires,
 * and an unreachable Redis refuses the lock (so provisioning answers 503 instead of risking duplicates).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisLocks } from '../../src/state/redis-locks.js';
import { redisSkipReason, startRedis, type TestRedis } from '../support/redis-server.js';

const skip = redisSkipReason();

describe('redis locks', { skip }, () => {
  let server: TestRedis;
  const clients: Redis[] = [];
  const client = () => {
    const redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  };
  const ready = (redis: Redis) =>
    new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    for (const redis of clients) redis.disconnect();
    await server.stop();
  });

  it('lets one holder at a time in, across separate clients', async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const locksA = createRedisLocks({ redis: a, keyPrefix: 't1:' });
    const locksB = createRedisLocks({ redis: b, keyPrefix: 't1:' });
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? locksA : locksB).withLock('same', 5_000, async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 5));
          order.push(i);
          inside -= 1;
        }),
      ),
    );
    assert.equal(maxInside, 1);
    assert.equal(order.length, 20);
  });

  it("takes over a crashed holder's lock once it expires", async () => {
    const crashed = client();
    const survivor = client();
    await Promise.all([ready(crashed), ready(survivor)]);
    // The crashed holder took the lock and vanished without releasing it.
    await crashed.set('t2:lock:job', 'dead-holder', 'PX', 300, 'NX');
    crashed.disconnect();
    const locks = createRedisLocks({ redis: survivor, keyPrefix: 't2:', waitMs: 5_000 });
    const result = await locks.withLock('job', 5_000, async () => 'ran');
    assert.equal(result, 'ran');
    assert.equal(await survivor.exists('t2:lock:job'), 0, 'released after the work');
  });

  it('keeps the lease of a holder whose work outlasts the expiry', async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const slow = createRedisLocks({ redis: a, keyPrefix: 't3:' });
    const other = createRedisLocks({ redis: b, keyPrefix: 't3:', waitMs: 5_000 });
    const events: string[] = [];
    const first = slow.withLock('k', 200, async () => {
      events.push('slow start');
      await new Promise((r) => setTimeout(r, 700));
      events.push('slow end');
    });
    await new Promise((r) => setTimeout(r, 50));
    await other.withLock('k', 200, async () => {
      events.push('other');
    });
    await first;
    assert.deepEqual(events, ['slow start', 'slow end', 'other']);
  });

  it('refuses the lock with UPSTREAM_UNAVAILABLE when Redis is down, and works again when it is back', async () => {
    const redis = client();
    await ready(redis);
    const locks = createRedisLocks({ redis, keyPrefix: 't4:' });
    await server.stop();
    await assert.rejects(
      locks.withLock('k', 1_000, async () => 'never'),
      { code: 'UPSTREAM_UNAVAILABLE' },
    );
    await server.start();
    await ready(redis);
    assert.equal(await locks.withLock('k', 1_000, async () => 'again'), 'again');
  });
});
