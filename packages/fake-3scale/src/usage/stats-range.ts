/**
 * @module usage/stats-range
 * The range and intervals of an Analytics API usage query, as porta works them out: with `period`
 * (`day`, `week`, `month`, `year` or `eternity`) the range is one period from `since` (default: one period
 * ago) with that period's default granularity; without it, `since`, `until` and `granularity` (`hour`,
 * `day`, `month`, `21600` or `eternity`) are all needed. The range is widened to whole intervals and may not
 * be longer than the granularity allows (90 days by the hour, a year by the day). UTC only.
 */

/** A parameter porta refuses with a 400 `{"error": message}`. */
export class StatsParamError extends Error {}

type Granularity = 'hour' | 'day' | 'month' | '21600' | 'eternity';

const PERIODS = ['eternity', 'year', 'month', 'week', 'day'] as const;
type Period = (typeof PERIODS)[number];
const DEFAULT_GRANULARITY: Record<Period, Granularity> = {
  eternity: 'eternity',
  year: 'month',
  month: 'day',
  week: '21600',
  day: 'hour',
};
const ALLOWED = ['eternity', 'month', 'day', '21600', 'hour'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Longest range per granularity (porta `ALLOWED_TIME_RANGES`). */
const MAX_RANGE: Partial<Record<Granularity, number>> = {
  hour: 90 * DAY,
  '21600': 183 * DAY,
  day: 366 * DAY,
  month: 3653 * DAY,
};
const TOO_LONG: Partial<Record<Granularity, string>> = {
  hour: '90 days',
  '21600': '6 months',
  day: '1 year',
  month: '10 years',
};

export interface UsageRange {
  since: number;
  until: number;
  granularity: Granularity | 21600;
  /** `[from, to)` of each interval, in order. */
  buckets: [number, number][];
}

/** Parses a date as porta's time zone parser would, in UTC; throws the 400 porta gives otherwise. */
export function parseStatsTime(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  if (match === null) throw new StatsParamError('Date parameters should have valid date/time format.');
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = match;
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * HOUR + Number(digits.slice(2)) * 60_000);
  }
  if (Number.isNaN(time)) throw new StatsParamError('Date parameters should have valid date/time format.');
  return time;
}

function startOf(granularity: Granularity, t: number): number {
  const date = new Date(t);
  switch (granularity) {
    case 'hour':
      return t - (t % HOUR);
    case '21600':
      return t - (t % (6 * HOUR));
    case 'day':
      return t - (t % DAY);
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'eternity':
      return 0;
  }
}

function next(granularity: Granularity, t: number): number {
  const date = new Date(t);
  switch (granularity) {
    case 'hour':
      return t + HOUR;
    case '21600':
      return t + 6 * HOUR;
    case 'day':
      return t + DAY;
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    case 'eternity':
      return Number.MAX_SAFE_INTEGER;
  }
}

function periodLength(period: Exclude<Period, 'eternity'>, since: number): number {
  const date = new Date(since);
  if (period === 'day') return DAY;
  if (period === 'week') return 7 * DAY;
  if (period === 'month')
    return (
      Date.UTC(
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
      ) - since
    );
  return (
    Date.UTC(
      date.getUTCFullYear() + 1,
      date.getUTCMonth(),
      date.getUTCDate(),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
    ) - since
  );
}

/** The range and intervals of a usage query; throws {@link StatsParamError} with porta's message. */
export function usageRange(
  query: {
    period: string | undefined;
    since: string | undefined;
    until: string | undefined;
    granularity: string | undefined;
  },
  now: Date,
): UsageRange {
  const period = query.period === '' ? undefined : query.period;
  if (query.granularity === 'eternity' && period !== 'eternity')
    throw new StatsParamError("Granularity 'eternity' is only supported for period 'eternity'");
  let since: number;
  let until: number;
  let granularity: Granularity;
  if (period !== undefined) {
    if (!(PERIODS as readonly string[]).includes(period))
      throw new StatsParamError(
        `Period must be one of ${JSON.stringify(PERIODS).replace(/,/g, ', ')} not ${JSON.stringify(period)}`,
      );
    granularity = (query.granularity as Granularity | undefined) ?? DEFAULT_GRANULARITY[period as Period];
    if (period === 'eternity') {
      if (granularity !== 'eternity')
        throw new StatsParamError("Only 'eternity' granularity is supported for period 'eternity'");
      return {
        since: 0,
        until: now.getTime() - (now.getTime() % DAY) + DAY - 1000,
        granularity,
        buckets: [[0, Number.MAX_SAFE_INTEGER]],
      };
    }
    if (!ALLOWED.includes(granularity))
      throw new StatsParamError(
        `Granularity must be one of [:eternity, :month, :day, 21600, :hour], not ${granularity}`,
      );
    const length = periodLength(period as Exclude<Period, 'eternity'>, 0);
    since = query.since
      ? parseStatsTime(query.since)
      : now.getTime() - (period === 'day' ? DAY : period === 'week' ? 7 * DAY : length);
    const span = periodLength(period as Exclude<Period, 'eternity'>, since);
    until = since + span - 1000;
    until = until - (until % 60_000) + 59_999;
  } else {
    const given = query.granularity ?? '';
    if (!ALLOWED.includes(given))
      throw new StatsParamError(`Granularity must be one of [:eternity, :month, :day, 21600, :hour], not ${given}`);
    granularity = given as Granularity;
    if (!query.since || !query.until)
      throw new StatsParamError("You need to specify either 'range' or 'since' and 'until'");
    since = parseStatsTime(query.since);
    until = parseStatsTime(query.until);
  }
  const first = startOf(granularity, since);
  const end = next(granularity, startOf(granularity, until));
  const max = MAX_RANGE[granularity];
  if (max !== undefined && end - first > max)
    throw new StatsParamError(`Time range for the granularity must be less than ${TOO_LONG[granularity]}`);
  const buckets: [number, number][] = [];
  for (let t = first; t < end; t = next(granularity, t)) buckets.push([t, next(granularity, t)]);
  return { since: first, until: end - 1000, granularity: granularity === '21600' ? 21600 : granularity, buckets };
}
