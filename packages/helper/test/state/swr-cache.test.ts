/**
 * The catalog cache: single-flight loading, TTL, stale-while-revalidate, and stale values kept while the
 * source fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSwrCache } from '../../src/state/swr-cache.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createSwrCache', () => {
  it('shares one load among concurrent misses', async () => {
    const cache = createSwrCache<number>({ ttlMs: 1_000, staleMs: 0 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    };
    const values = await Promise.all(Array.from({ length: 100 }, () => cache.get('k', load)));
    assert.equal(loads, 1);
    assert.deepEqual(new Set(values), new Set([42]));
  });

  it('serves a stale value at once and refreshes it behind the request', async () => {
    const c = clock();
    const cache = createSwrCache<string>({ ttlMs: 100, staleMs: 1_000, now: c.now });
    await cache.get('k', async () => 'v1');
    c.advance(200);
    let resolveLoad: (v: string) => void = () => {};
    const slow = () => new Promise<string>((r) => (resolveLoad = r));
    assert.equal(await cache.get('k', slow), 'v1', 'stale served without waiting');
    resolveLoad('v2');
    await new Promise((r) => setImmediate(r));
    assert.equal(await cache.get('k', async () => 'unused'), 'v2');
  });

  it('keeps serving the stale value while the source fails, and reloads once it is too old', async () => {
    const c = clock();
    const cache = createSwrCache<string>({ ttlMs: 100, staleMs: 500, now: c.now });
    await cache.get('k', async () => 'good');
    c.advance(300);
    const failing = async (): Promise<string> => {
      throw new Error('down');
    };
    assert.equal(await cache.get('k', failing), 'good');
    await new Promise((r) => setImmediate(r));
    assert.equal(await cache.get('k', failing), 'good', 'still within the stale window');
    c.advance(400);
    await assert.rejects(cache.get('k', failing), /down/);
  });

  it('reloads after delete', async () => {
    const cache = createSwrCache<number>({ ttlMs: 10_000, staleMs: 0 });
    await cache.get('k', async () => 1);
    cache.delete('k');
    assert.equal(await cache.get('k', async () => 2), 2);
  });

  it('does not hand a load that began before a delete to reads after it, nor store what it read', async () => {
    const cache = createSwrCache<string>({ ttlMs: 10_000, staleMs: 0 });
    let finishOld: (v: string) => void = () => {};
    const before = cache.get('apps', () => new Promise<string>((r) => (finishOld = r)));
    cache.delete('apps'); // a write happened while the read above was in flight
    const after = cache.get('apps', async () => 'after the write');
    finishOld('before the write');
    assert.equal(await before, 'before the write', 'the old read still answers its own caller');
    assert.equal(await after, 'after the write');
    assert.equal(await cache.get('apps', async () => 'unused'), 'after the write', 'the old read was not stored');
  });

  it('after clear, neither joins nor stores a load that was in flight', async () => {
    const cache = createSwrCache<string>({ ttlMs: 10_000, staleMs: 0 });
    let finishOld: (v: string) => void = () => {};
    const before = cache.get('k', () => new Promise<string>((r) => (finishOld = r)));
    cache.clear();
    finishOld('old');
    await before;
    assert.equal(await cache.get('k', async () => 'new'), 'new');
  });
});
