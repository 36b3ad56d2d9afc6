/**
 * @module usage/periods
 * Calendar periods in UTC, as usage limits count them: a limit per day counts from midnight UTC and resets at
 * the next midnight; weeks start on Monday. Also the windows of a usage chart: the last 24 hours by hour, the
 * last 7 or 30 days by day. Pure date arithmetic, shared by the core and the adapters.
 */

/** The spans a usage chart covers. */
export const USAGE_PERIODS = ['day', 'week', 'month'] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];

/** The periods a plan limit can have (3scale's set). */
export const LIMIT_PERIODS = ['minute', 'hour', 'day', 'week', 'month', 'year', 'eternity'] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

export type Granularity = 'hour' | 'day';

/** The span of a usage chart: `intervals` buckets of one `granularity` from `since` (inclusive) to `until` (exclusive). */
export interface UsageWindow {
  since: Date;
  until: Date;
  granularity: Granularity;
  intervals: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export function isUsagePeriod(value: unknown): value is UsagePeriod {
  return typeof value === 'string' && (USAGE_PERIODS as readonly string[]).includes(value);
}

export function isLimitPeriod(value: unknown): value is LimitPeriod {
  return typeof value === 'string' && (LIMIT_PERIODS as readonly string[]).includes(value);
}

/** Milliseconds of one interval of a granularity. */
export function granularityMs(granularity: Granularity): number {
  return granularity === 'hour' ? HOUR_MS : DAY_MS;
}

/**
 * The start of the calendar period that holds `at` (the epoch for `eternity`).
 * @example periodStart('day', new Date('2026-12-06T23:40:00Z')) // 2026-12-06T00:00:00Z
 */
export function periodStart(period: LimitPeriod, at: Date): Date {
  const t = at.getTime();
  switch (period) {
    case 'minute':
      return new Date(t - (t % MINUTE_MS));
    case 'hour':
      return new Date(t - (t % HOUR_MS));
    case 'day':
      return new Date(t - (t % DAY_MS));
    case 'week': {
      const day = new Date(t - (t % DAY_MS));
      // getUTCDay: 0 = Sunday; weeks start on Monday.
      return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
    }
    case 'month':
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
    case 'year':
      return new Date(Date.UTC(at.getUTCFullYear(), 0, 1));
    case 'eternity':
      return new Date(0);
  }
}

/**
 * When the calendar period that holds `at` ends, which is when a limit of that period resets; null for
 * `eternity`, which never does.
 * @example periodEnd('month', new Date('2026-12-06T23:40:00Z')) // 2027-01-01T00:00:00Z
 */
export function periodEnd(period: LimitPeriod, at: Date): Date | null {
  const start = periodStart(period, at);
  switch (period) {
    case 'minute':
      return new Date(start.getTime() + MINUTE_MS);
    case 'hour':
      return new Date(start.getTime() + HOUR_MS);
    case 'day':
      return new Date(start.getTime() + DAY_MS);
    case 'week':
      return new Date(start.getTime() + 7 * DAY_MS);
    case 'month':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    case 'year':
      return new Date(Date.UTC(start.getUTCFullYear() + 1, 0, 1));
    case 'eternity':
      return null;
  }
}

/**
 * The window of a usage chart ending with the interval that holds `now`: 24 hours by hour for a day, 7 days
 * by day for a week, 30 days by day for a month.
 * @example usageWindow('week', now).intervals // 7
 */
export function usageWindow(period: UsagePeriod, now: Date): UsageWindow {
  const granularity: Granularity = period === 'day' ? 'hour' : 'day';
  const intervals = period === 'day' ? 24 : period === 'week' ? 7 : 30;
  const step = granularityMs(granularity);
  const until = new Date(periodStart(granularity, now).getTime() + step);
  return { since: new Date(until.getTime() - intervals * step), until, granularity, intervals };
}
