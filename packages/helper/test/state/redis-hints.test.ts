/**
 * Hints shared through a real Redis: what one replica keeps another reads, keys are hashed (no user id in
 * Redis), values expire, and a stopped Redis answers "not known" at once instead of failing or waiting.
 * Also the known account ids over it: an id one replica found is known to another.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Identity } from '../../src/apim/api-manager.js';
import { createEmbeddedStore, type EmbeddedStore } from '../../src/apim/embedded/index.js';
import { withKnownAccountIds } from '../../src/apim/known-account-ids.js';
import { createRedisHints } from '../../src/state/redis-hints.js';
import { redisSkipReason, startRedis, type TestRedis } from '../support/redis-server.js';

const skip = redisSkipReason();

describe('redis hints', { skip }, () => {
  let server: TestRedis;
  const clients: Redis[] = [];
  let dataDir: string;
  let store: EmbeddedStore;
  const client = async () => {
    const redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    clients.push(redis);
    if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    return redis;
  };
  before(async () => {
    server = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-hints-'));
    store = createEmbeddedStore({ dataDir, encryptionKey: Buffer.alloc(32, 4) });
  });
  after(async () => {
    for (const redis of clients) redis.disconnect();
    await server.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shares values between clients under hashed keys, and lets them expire', async () => {
    const [a, b] = [await client(), await client()];
    const hintsA = createRedisHints({ redis: a, keyPrefix: 'h1:' });
    const hintsB = createRedisHints({ redis: b, keyPrefix: 'h1:' });
    await hintsA.set('account-id\u0000alice', '42', 60_000);
    assert.equal(await hintsB.get('account-id\u0000alice'), '42');
    const keys = await a.keys('h1:*');
    assert.equal(keys.length, 1);
    assert.match(keys[0] as string, /^h1:hint:[0-9a-f]{64}$/, 'no user id in the key');
    await hintsB.delete('account-id\u0000alice');
    assert.equal(await hintsA.get('account-id\u0000alice'), null);
    await hintsA.set('short', 'x', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await hintsA.get('short'), null, 'expired');
  });

  it('an id one replica found is known to another', async () => {
    const identity: Identity = {
      userId: 'ivan',
      email: 'ivan@example.org',
      emailVerified: true,
      subject: 's-ivan',
      roles: [],
      groups: [],
    };
    const [a, b] = [await client(), await client()];
    const replicaA = withKnownAccountIds(store, { shared: createRedisHints({ redis: a, keyPrefix: 'h2:' }) });
    const replicaB = withKnownAccountIds(store, { shared: createRedisHints({ redis: b, keyPrefix: 'h2:' }) });
    assert.equal(await replicaB.knownAccountId?.(identity), null);
    const created = await replicaA.createAccount(identity);
    // Shared in the background: wait until it lands.
    for (let i = 0; i < 50 && (await a.keys('h2:*')).length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await replicaB.knownAccountId?.(identity), created.id);
  });

  it('answers "not known" when Redis is down, without failing', async () => {
    const redis = await client();
    const hints = createRedisHints({ redis, keyPrefix: 'h3:' });
    await hints.set('k', 'v', 60_000);
    await server.stop();
    try {
      assert.equal(await hints.get('k'), null);
      await hints.set('k', 'w', 60_000);
      await hints.delete('k');
    } finally {
      await server.start();
    }
  });
});
