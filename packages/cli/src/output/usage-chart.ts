/**
 * @module output/usage-chart
 * A service's usage for people: one bar per day (or per hour, for a day) drawn with block characters, the
 * total, and one bar per plan limit with used / max and when it resets. Colours come from the stream's
 * style, so they appear only on a colour terminal.
 */
import type { UsageData, UsageLimit } from '@mlaas/contract';
import { localTime } from './local-time.js';
import type { Style } from './style.js';

/** Widest bar, in characters. */
export const BAR_WIDTH = 40;
const LIMIT_BAR_WIDTH = 20;
/** A full block and the eighths below it, widest first. */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A bar `value / max` of `width` characters, in eighths of a character; at least a sliver for any value
 * above zero, so a small count never looks like none.
 * @example bar(3, 4, 8) // '██████'
 */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] ?? '');
}

function label(start: string, granularity: UsageData['granularity']): string {
  // Intervals start on UTC boundaries: label them in UTC, as they were counted.
  return granularity === 'hour' ? `${start.slice(11, 16)}` : start.slice(5, 10);
}

const SPAN: Record<UsageData['period'], string> = {
  day: 'last 24 hours, by hour (UTC)',
  week: 'last 7 days, by day (UTC)',
  month: 'last 30 days, by day (UTC)',
};

/** The chart and the limits of one service, as lines. */
export function renderUsage(data: UsageData, style: Style): string {
  const lines = [style.bold(`${data.service_id} · plan ${data.plan.name} · ${SPAN[data.period]}`)];
  if (!data.usage_available) {
    lines.push('  usage unavailable right now: the API manager did not report it; try again shortly');
  } else {
    const peak = Math.max(0, ...data.intervals.map((i) => i.hits));
    const width = String(peak).length;
    for (const interval of data.intervals) {
      const drawn = bar(interval.hits, peak, BAR_WIDTH);
      lines.push(`  ${label(interval.start, data.granularity)} ${String(interval.hits).padStart(width)} ${drawn}`);
    }
    lines.push(`  total ${data.total ?? 0}`);
  }
  if (data.limits.length === 0) {
    lines.push('  no limits on this plan');
  } else {
    lines.push('  limits');
    const widest = Math.max(...data.limits.map((l) => describe(l).length));
    for (const limit of data.limits) lines.push(`  ${renderLimit(limit, widest, style)}`);
  }
  return `${lines.join('\n')}\n`;
}

function describe(limit: UsageLimit): string {
  return `${limit.metric} per ${limit.period}`;
}

function renderLimit(limit: UsageLimit, pad: number, style: Style): string {
  const name = describe(limit).padEnd(pad);
  const reset = limit.resets_at === null ? 'never resets' : `resets ${localTime(new Date(limit.resets_at))}`;
  if (limit.used === null) return `${name} ${'·'.repeat(LIMIT_BAR_WIDTH)} ? / ${limit.max}  ${reset}`;
  const share = limit.max === 0 ? 1 : limit.used / limit.max;
  const filled = bar(limit.used, limit.max, LIMIT_BAR_WIDTH);
  const empty = '░'.repeat(Math.max(0, LIMIT_BAR_WIDTH - [...filled].length));
  const color = share >= 1 ? 'red' : share >= 0.8 ? 'yellow' : 'green';
  return `${name} ${style.color(filled, color)}${empty} ${limit.used} / ${limit.max}  ${reset}`;
}
