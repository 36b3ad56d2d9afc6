/**
 * The reconcile loop on a backend whose listing reads everything whatever its limit (`listsDueDeadlinesWhole`,
 * as 3scale's does): read once per run instead of once per page, with the completions in flight bounded by
 * the concurrency.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiManager, DueDeadline } from '../../src/apim/api-manager.js';
import { reconcileOnce } from '../../src/provisioning/reconcile.js';

const DUE = 1_200;

/** A backend holding `DUE` passed expiries, counting its listings and completions in flight. */
function backend(whole: boolean) {
  const due = new Map<string, DueDeadline>();
  for (let i = 0; i < DUE; i += 1) {
    const ref = `expired:a${i}:${i}`;
    due.set(ref, {
      kind: 'expired',
      accountId: `a${i}`,
      userId: `u${i}`,
      serviceId: 's',
      applicationId: String(i),
      keyPreview: '…',
      at: new Date(0),
      ref,
    });
  }
  const counts = { lists: 0, inFlight: 0, peak: 0 };
  const apiManager = {
    ...(whole ? { listsDueDeadlinesWhole: true } : {}),
    listDueDeadlines: async (_now: Date, limit: number) => {
      counts.lists += 1;
      return [...due.values()].slice(0, limit);
    },
    completeDeadline: async (deadline: DueDeadline) => {
      counts.inFlight += 1;
      counts.peak = Math.max(counts.peak, counts.inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      counts.inFlight -= 1;
      return due.delete(deadline.ref);
    },
  } as unknown as ApiManager;
  return { apiManager, counts, due };
}

describe('reconcile loop: a backend that lists whole', () => {
  const run = (apiManager: ApiManager) =>
    reconcileOnce({ apiManager, audit: { record: async () => {} }, callsPerMinute: 6_000_000, concurrency: 4 });

  it('is read once for everything due, not once per page of 500', async () => {
    const { apiManager, counts, due } = backend(true);
    const report = await run(apiManager);
    assert.deepEqual([report.due, report.done, report.failed, report.skipped], [DUE, DUE, 0, 0]);
    assert.equal(counts.lists, 1);
    assert.equal(due.size, 0);
    assert.ok(counts.peak <= 4, `peak ${counts.peak}`);
  });

  it('a backend that lists by the limit is still read a page at a time', async () => {
    const { apiManager, counts } = backend(false);
    const report = await run(apiManager);
    assert.equal(report.done, DUE);
    assert.equal(counts.lists, 3);
  });
});
