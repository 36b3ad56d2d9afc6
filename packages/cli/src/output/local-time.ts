/**
 * @module output/local-time
 * Times for people: the local time zone, with its offset, so a time can be read without converting it.
 * (JSON output keeps ISO 8601 in UTC, for programs.)
 */

/**
 * A date as `YYYY-MM-DD HH:MM:SS ±HH:MM` in the local time zone.
 *
 * @example
 * ```ts
 * localTime(new Date('2026-01-01T00:00:00Z')); // '2026-01-01 01:00:00 +01:00' in Central Europe
 * ```
 */
export function localTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zone}`;
}
