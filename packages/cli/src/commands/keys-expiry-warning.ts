/**
 * @module commands/keys-expiry-warning
 * A warning when one of your keys expires soon, from data a command has already fetched (never an extra call).
 */
import type { CommandContext } from '../cli/context.js';

/** Keys expiring within this window are announced. */
export const EXPIRY_WARNING_MS = 7 * 86_400_000;

/**
 * Warns on stderr about each key, given as (service, expires_at), that expires within seven days.
 * @example warnExpiringKeys(ctx, [{ service: 'sentiment-analysis', expiresAt: '2026-01-08T00:00:00Z' }]);
 */
export function warnExpiringKeys(
  ctx: CommandContext,
  keys: readonly { service: string; expiresAt: string | null | undefined }[],
  now = Date.now(),
): void {
  for (const { service, expiresAt } of keys) {
    if (expiresAt === null || expiresAt === undefined) continue;
    const left = Date.parse(expiresAt) - now;
    if (!(left > 0 && left <= EXPIRY_WARNING_MS)) continue;
    const days = Math.max(1, Math.ceil(left / 86_400_000));
    ctx.warn(
      `your key for ${service} expires in ${days} day${days === 1 ? '' : 's'} (${expiresAt}); ` +
        `rotate it with: mlaas keys rotate ${service}`,
    );
  }
}
