/**
 * @module commands/keys-duration
 * Durations as people type them for `--grace`: `90s`, `30m`, `24h`, `7d`, or plain seconds (`0`).
 */
import { MlaasError } from '../lib/errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * @example parseDuration('24h') // 86400
 * @throws MlaasError USAGE_ERROR for anything else.
 */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (match === null) {
    throw new MlaasError('USAGE_ERROR', `--grace must be a duration such as 0, 90s, 30m, 24h or 7d (got "${text}")`);
  }
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] as number);
}
