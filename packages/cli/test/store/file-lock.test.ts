/**
 * @module test/store/file-lock
 * The cross-process lock: exclusive while held, released for the next waiter, taken over when its owner
 * is dead or it is too old.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { acquireLock } from '../../src/store/file-lock.js';
import { MlaasError } from '../../src/lib/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'mlaas-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const lockPath = () => join(dir, `lock-${(n += 1)}`);

describe('file lock', () => {
  it('is exclusive: a second taker waits until the first releases', async () => {
    const path = lockPath();
    const first = await acquireLock(path);
    const order: string[] = [];
    const second = acquireLock(path).then((lock) => {
      order.push('second acquired');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('first releases');
    first.release();
    (await second).release();
    assert.deepEqual(order, ['first releases', 'second acquired']);
    assert.ok(!existsSync(path));
  });

  it('gives up after its timeout with STORAGE_ERROR when a live process holds it', async () => {
    const path = lockPath();
    const held = await acquireLock(path);
    await assert.rejects(
      acquireLock(path, { timeoutMs: 100 }),
      (error: unknown) => error instanceof MlaasError && error.code === 'STORAGE_ERROR',
    );
    held.release();
  });

  it('takes over a lock whose owner has died', async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: 999_999, createdAt: Date.now(), token: 'dead' }));
    const lock = await acquireLock(path, { timeoutMs: 1_000, isAlive: () => false });
    lock.release();
    assert.ok(!existsSync(path));
  });

  it('takes over a lock older than the stale limit even if its owner lives', async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: process.pid, createdAt: Date.now() - 120_000, token: 'old' }));
    const lock = await acquireLock(path, { timeoutMs: 1_000, staleMs: 60_000 });
    lock.release();
  });

  it('release does not remove a lock that someone else took over', async () => {
    const path = lockPath();
    const mine = await acquireLock(path);
    writeFileSync(path, JSON.stringify({ pid: process.pid, createdAt: Date.now(), token: 'theirs' }));
    mine.release();
    assert.ok(existsSync(path));
  });
});
