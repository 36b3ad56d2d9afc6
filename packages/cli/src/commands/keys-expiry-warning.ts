/**
 * @module commands/keys-expiry-warning
 * A warning when one of your keys expires soon — on any command, never at the cost of an extra call. Commands
 * that fetch keys (list, init, rotate, revoke, keys list) note each key's expiry in a small file of the
 * profile (`key-expiries.json` in the config directory: service ids and dates, never a key) and warn from what
 * they fetched; every other command warns from that note.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { writeFileAtomic } from '../store/atomic-write.js';

/** Keys expiring within this window are announced. */
export const EXPIRY_WARNING_MS = 7 * 86_400_000;

const NOTE_FILE = 'key-expiries.json';

/** Expiry dates by profile, then by service id; null = the key never expires (or is gone). */
type ExpiryNote = Record<string, Record<string, string | null>>;

interface KeyExpiry {
  service: string;
  expiresAt: string | null | undefined;
}

const warned = new WeakSet<CommandContext>();

/**
 * Warns on stderr about each key, given as (service, expires_at), that expires within seven days, and notes the
 * dates for later commands. `complete`: the keys are all the keys of the profile (a list), so notes of other
 * services are dropped.
 * @example warnExpiringKeys(ctx, [{ service: 'sentiment-analysis', expiresAt: '2026-01-08T00:00:00Z' }]);
 */
export function warnExpiringKeys(
  ctx: CommandContext,
  keys: readonly KeyExpiry[],
  options: { complete?: boolean; now?: number } = {},
): void {
  warned.add(ctx);
  announce(ctx, keys, options.now ?? Date.now());
  noteExpiries(ctx, keys, options.complete === true);
}

/** After a command that fetched no keys: warns from the dates the last fetching command noted. */
export function warnFromNotedExpiries(ctx: CommandContext, now = Date.now()): void {
  if (warned.has(ctx)) return;
  try {
    const noted = readNote(ctx)[ctx.settings().profile.value] ?? {};
    announce(
      ctx,
      Object.entries(noted).map(([service, expiresAt]) => ({ service, expiresAt })),
      now,
    );
  } catch {
    // A warning is a courtesy: settings that do not resolve, or an unreadable note, are the command's business.
  }
}

function announce(ctx: CommandContext, keys: readonly KeyExpiry[], now: number): void {
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

function notePath(ctx: CommandContext): string {
  return join(ctx.settings().configDir, NOTE_FILE);
}

function readNote(ctx: CommandContext): ExpiryNote {
  try {
    const parsed: unknown = JSON.parse(readFileSync(notePath(ctx), 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ExpiryNote) : {};
  } catch {
    return {};
  }
}

function noteExpiries(ctx: CommandContext, keys: readonly KeyExpiry[], complete: boolean): void {
  try {
    const note = readNote(ctx);
    const profile = ctx.settings().profile.value;
    const dates: Record<string, string | null> = complete ? {} : { ...(note[profile] ?? {}) };
    for (const { service, expiresAt } of keys) {
      if (typeof expiresAt === 'string' && !Number.isNaN(Date.parse(expiresAt))) dates[service] = expiresAt;
      else delete dates[service];
    }
    writeFileAtomic(notePath(ctx), `${JSON.stringify({ ...note, [profile]: dates })}\n`, 0o600);
  } catch {
    // Not noted (a read-only config directory, say): later commands simply do not warn.
  }
}
