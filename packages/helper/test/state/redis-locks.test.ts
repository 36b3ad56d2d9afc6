/**
 * Locks shared through a real Redis: one holder at a time across clients, a crashed holder's lock expires,
 * waiters are woken by a release (not by polling) and look again before taking the lock, and an unreachable
 * Redis refuses the lock (so provisioning answers 503).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisLocks } from '../../src/state/redis-locks.js';
import type { LockService } from '../../src/state/shared-state.js';
import { redisSkipReason, startRedis, type TestRedis } from '../support/redis-server.js';

const skip = redisSkipReason();

describe('redis locks', { skip }, () => {
  let server: TestRedis;
  const clients: Redis[] = [];
  const services: LockService[] = [];
  const locksOn = (options: Parameters<typeof createRedisLocks>[0]) => {
    const locks = createRedisLocks(options);
    services.push(locks);
    return locks;
  };
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
    for (const locks of services) await locks.close();
    for (const redis of clients) redis.disconnect();
    await server.stop();
  });

  it('lets one holder at a time in, across separate clients', async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const locksA = locksOn({ redis: a, keyPrefix: 't1:' });
    const locksB = locksOn({ redis: b, keyPrefix: 't1:' });
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
    const locks = locksOn({ redis: survivor, keyPrefix: 't2:', waitMs: 5_000 });
    const result = await locks.withLock('job', 5_000, async () => 'ran');
    assert.equal(result, 'ran');
    assert.equal(await survivor.exists('t2:lock:job'), 0, 'released after the work');
  });

  it('keeps the lease of a holder whose work outlasts the expiry', async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const slow = locksOn({ redis: a, keyPrefix: 't3:' });
    const other = locksOn({ redis: b, keyPrefix: 't3:', waitMs: 5_000 });
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
    const locks = locksOn({ redis, keyPrefix: 't4:' });
    await server.stop();
    await assert.rejects(
      locks.withLock('k', 1_000, async () => 'never'),
      { code: 'UPSTREAM_UNAVAILABLE' },
    );
    await server.start();
    await ready(redis);
    assert.equal(await locks.withLock('k', 1_000, async () => 'again'), 'again');
  });

  it('wakes a waiter when the lock is released, long before the lease would run out', async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const holder = locksOn({ redis: a, keyPrefix: 't5:' });
    const waiter = locksOn({ redis: b, keyPrefix: 't5:' });
    const events: string[] = [];
    let release: () => void = () => {};
    const held = holder.withLock('k', 60_000, async () => {
      events.push('holder');
      await new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((r) => setTimeout(r, 100));
    // With a 60 s lease, only the release announcement can let the waiter in before the test times out.
    const waited = waiter.withLock('k', 60_000, async () => events.push('waiter'));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(events, ['holder'], 'the waiter waits while the lock is held');
    release();
    await Promise.all([held, waited]);
    assert.deepEqual(events, ['holder', 'waiter']);
  });

  it('answers a waiter from its recheck, without the lock, once the holder is done', async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const holder = locksOn({ redis: a, keyPrefix: 't6:' });
    const waiter = locksOn({ redis: b, keyPrefix: 't6:' });
    let stored: string | null = null;
    let waiterWorked = false;
    const held = holder.withLock('k', 60_000, async () => {
      await new Promise((r) => setTimeout(r, 200));
      stored = 'made by the holder';
    });
    await new Promise((r) => setTimeout(r, 50));
    const answer = await waiter.withLock(
      'k',
      60_000,
      async () => {
        waiterWorked = true;
        return 'made again';
      },
      { recheck: async () => stored },
    );
    await held;
    assert.equal(answer, 'made by the holder');
    assert.equal(waiterWorked, false);
  });

  it("takes over a dead holder's lock within one lease", async () => {
    const a = client();
    await ready(a);
    // A holder that died holding a 1 s lease; nobody will announce its release.
    await a.set('t7:lock:k', 'dead-holder', 'PX', 1_000, 'NX');
    const locks = locksOn({ redis: a, keyPrefix: 't7:', waitMs: 10_000 });
    const started = Date.now();
    await locks.withLock('k', 1_000, async () => 'ran');
    // Generous bound: the point is that it is the lease (1 s), not the wait limit (10 s), that frees it.
    assert.ok(Date.now() - started < 5_000);
  });

  it('confirms a mark only when nobody took the lock since, across clients and after a flush', async () => {
    const a = client();
    const b = client();
    const admin = client();
    await Promise.all([ready(a), ready(b), ready(admin)]);
    const locksA = locksOn({ redis: a, keyPrefix: 'tm:' });
    const locksB = locksOn({ redis: b, keyPrefix: 'tm:' });
    const take = (locks: LockService, mark: Awaited<ReturnType<LockService['mark']>>) =>
      locks.withLock('pair', 5_000, async (held) => held.untouchedSinceMark, { mark });

    assert.equal(await locksA.mark('pair'), null, 'a Redis just started gives no mark the first time');
    const never = await locksA.mark('pair');
    assert.notEqual(never, null, 'a lock never taken has a mark');
    assert.equal(await take(locksA, never), true, 'nobody took it since');
    const mark = await locksA.mark('pair');
    assert.notEqual(mark, null);
    assert.equal(await take(locksB, mark), true, 'nobody took it since the mark');
    assert.equal(await take(locksA, mark), false, 'B took it after that mark');

    const before = await locksB.mark('pair');
    await take(locksA, null);
    assert.equal(await take(locksB, before), false, 'A took it in between');

    // Held: no mark.
    let release: () => void = () => {};
    const holding = locksA.withLock('pair', 5_000, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await locksB.mark('pair'), null, 'a held lock gives no mark');
    release();
    await holding;

    // Redis restarted empty (or a failover that lost the writes): an old mark is never confirmed.
    const old = await locksA.mark('pair');
    assert.notEqual(old, null);
    await admin.flushall();
    assert.equal(await locksA.mark('pair'), null, 'no mark right after a flush');
    assert.notEqual(await locksA.mark('pair'), null, 'a new epoch from then on');
    assert.equal(await take(locksB, old), false, 'an old mark is not confirmed after a flush');
    const flushedMidway = await locksA.mark('pair');
    await admin.flushall();
    assert.equal(await take(locksB, flushedMidway), false, 'nor one taken before a flush that came before the take');
  });
});
