/**
 * @module sdk/retry-policy
 * When a helper call is tried again. Only idempotent requests (GET) are retried; POST never is.
 */

import { retryAfterMs } from '@mlaas/contract/retry-after';

/** The retry policy as data. */
export const RETRY_POLICY = {
  /** Tries in total, the first included. */
  attempts: 3,
  /** Statuses worth another try. */
  retryStatuses: new Set([
    429, // rate limited: wait as long as Retry-After says, when that is short
    502, // a proxy in front of the helper could not reach it
    503, // not ready yet, or a dependency briefly down
    504, // a proxy timed out
  ]),
  /** First backoff; doubles per try, with full jitter. */
  baseDelayMs: 200,
  /** A Retry-After longer than this is not waited for: the error is shown instead. */
  maxRetryAfterMs: 5_000,
} as const;

/**
 * How long to wait before try number `attempt + 1`, or `null` to give up.
 *
 * @example
 * ```ts
 * retryDelayMs('GET', 503, null, 1); // between 0 and 200
 * ```
 */
export function retryDelayMs(
  method: string,
  status: number,
  retryAfter: string | null,
  attempt: number,
  random: () => number = Math.random,
  now: () => number = Date.now,
): number | null {
  if (method !== 'GET' || attempt >= RETRY_POLICY.attempts || !RETRY_POLICY.retryStatuses.has(status)) return null;
  if (retryAfter !== null) {
    // A Retry-After that cannot be read, or asks for too long, is not waited for: the error is shown.
    const ms = retryAfterMs(retryAfter, now());
    return ms === null || ms > RETRY_POLICY.maxRetryAfterMs ? null : ms;
  }
  if (status === 429) return null;
  return Math.round(random() * RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1));
}
