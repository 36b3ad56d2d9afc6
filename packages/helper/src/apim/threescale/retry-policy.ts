/**
 * @module apim/threescale/retry-policy
 * When a 3scale call is tried again, as data. Only reads are retried: a write that failed may still have
 * been applied (3scale has no idempotency keys), so writes are never repeated blindly.
 */

import { retryAfterMs } from '@mlaas/contract';

/** Statuses worth another try of a GET. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([
  429, // too many requests: honour Retry-After
  500, // a transient server error
  502, // bad gateway in front of 3scale
  503, // unavailable (maintenance, restarts)
  504, // gateway timeout in front of 3scale
]);

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  /** First backoff; doubled each attempt, with full jitter. */
  baseDelayMs: number;
  /** No single wait is longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 2, baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * Milliseconds to wait before attempt `attempt` (1 = first retry): the server's Retry-After when it gives
 * one within the cap, else exponential backoff with full jitter. Null when Retry-After asks for longer than
 * the cap (better to fail now than hold the user's request).
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfter: string | null,
  random: () => number,
  now: () => number = Date.now,
): number | null {
  // A Retry-After that cannot be read falls back to the backoff.
  const ms = retryAfterMs(retryAfter, now());
  if (ms !== null) return ms > policy.maxDelayMs ? null : ms;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
