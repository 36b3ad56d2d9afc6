/**
 * In-process locks: a mark is confirmed to the next holder only when no lock was taken since it was read,
 * and a held lock gives no mark.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLocks } from '../../src/state/memory-locks.js';
import type { LockMark } from '../../src/state/shared-state.js';

describe('memory locks', () => {
  it('confirms a mark only when nobody took a lock since it was read', async () => {
    const locks = createMemoryLocks();
    const take = (key: string, mark: LockMark | null) =>
      locks.withLock(key, 1_000, async (held) => held.untouchedSinceMark, { mark });

    const first = await locks.mark('pair');
    assert.notEqual(first, null);
    assert.equal(await take('pair', first), true);
    assert.equal(await take('pair', first), false, 'taken since that mark');
    assert.equal(await take('pair', null), false, 'no mark, nothing confirmed');

    const mark = await locks.mark('pair');
    await take('other', null);
    assert.equal(await take('pair', mark), false, 'any take since the mark spoils it');

    let release: () => void = () => {};
    const holding = locks.withLock('pair', 1_000, () => new Promise<void>((resolve) => (release = resolve)));
    assert.equal(await locks.mark('pair'), null, 'a held lock gives no mark');
    const waiter = take('pair', await locks.mark('free'));
    release();
    await holding;
    assert.equal(await waiter, false, 'a holder that waited is never confirmed');
  });
});
