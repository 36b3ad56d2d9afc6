/**
 * @module lib/bounded
 * Bounds on work that calls other systems: at most N calls in flight, and at most N started per minute.
 */

/** Runs `work` on every item with at most `limit` running at once; resolves with the results in item order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A pacer: each call of the returned function waits its turn, so that at most `perMinute` start in any minute
 * (evenly spaced; waits under a millisecond are skipped, as timers cannot honour them).
 */
export function createPacer(
  perMinute: number,
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
): () => Promise<void> {
  const interval = 60_000 / perMinute;
  let next = 0;
  return async () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + interval;
    if (at - now >= 1) await sleep(at - now);
  };
}
