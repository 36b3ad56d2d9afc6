/**
 * @module retry-after
 * Reading an HTTP `Retry-After` header (seconds, or an HTTP date). Both the helper (calling 3scale) and the
 * CLI (calling the helper) honour it, each with its own limit on how long it is worth waiting.
 */

/**
 * Milliseconds a `Retry-After` value asks to wait (never negative), or null when the header is absent or
 * is neither a number of seconds nor a date.
 *
 * @example
 * ```ts
 * retryAfterMs('2', Date.now()); // 2000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()); // 0 (already past)
 * ```
 */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowMs;
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}
