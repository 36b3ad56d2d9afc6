/**
 * @module apim/threescale/threescale-usage
 * Usage and limits of one application on 3scale. The plan's limits come from the Account Management API
 * (`/admin/api/application_plans/{id}/limits`, metric names from `/admin/api/services/{id}/metrics`), cached
 * like the catalog; the counts from the Analytics API (`/stats/applications/{id}/usage`), whose answers are
 * cached briefly per application and window, so a person asking again soon costs 3scale nothing.
 *
 * Cold, a report takes two rounds of concurrent calls: metrics, limits and the chart's series together, then
 * one count per limit (which needs the metric names). A failed or slow Analytics call does not fail the
 * report: its counts are reported unknown (and not cached), the limits still listed; when the first round's
 * series fails, the second round does not ask the Analytics API again, so the answer takes one timeout at most
 * for it.
 */
import { isHelperError } from '../../errors/helper-error.js';
import type { LogSink } from '../../log/logger.js';
import { createSwrCache } from '../../state/swr-cache.js';
import { periodEnd, periodStart, type LimitPeriod, type UsageWindow } from '../../usage/periods.js';
import { isLimitPeriod } from '../../usage/periods.js';
import type { Application, ApplicationUsage, LimitUsage } from '../api-manager.js';
import { unwrapCollection } from './mappers.js';
import type { ThreescaleHttp } from './threescale-http.js';

/** 3scale's page size for limits (its default and maximum). */
const LIMITS_PAGE_SIZE = 50;
const MAX_LIMIT_PAGES = 20;
/** The metric every 3scale product has, counting every call. */
const HITS = 'hits';

export interface ThreescaleUsageSettings {
  /** How long metrics and limits are reused (they change when an administrator edits a plan). */
  limitsTtlMs: number;
  limitsStaleMs: number;
  /** How long counts are reused for one application and window. */
  usageTtlMs: number;
}

export interface ThreescaleUsage {
  getUsage(application: Application, window: UsageWindow, now: Date): Promise<ApplicationUsage>;
  clear(): void;
}

interface PlanLimit {
  metricId: string;
  period: LimitPeriod;
  max: number;
}

/**
 * @example const usage = createThreescaleUsage(http, { limitsTtlMs: 300_000, limitsStaleMs: 3_600_000, usageTtlMs: 30_000 });
 */
export function createThreescaleUsage(
  http: ThreescaleHttp,
  settings: ThreescaleUsageSettings,
  log?: LogSink,
): ThreescaleUsage {
  const metrics = createSwrCache<ReadonlyMap<string, string>>({
    ttlMs: settings.limitsTtlMs,
    staleMs: settings.limitsStaleMs,
  });
  const limits = createSwrCache<readonly PlanLimit[]>({ ttlMs: settings.limitsTtlMs, staleMs: settings.limitsStaleMs });
  const reports = createSwrCache<ApplicationUsage>({ ttlMs: settings.usageTtlMs, staleMs: 0 });

  function metricNames(serviceId: string): Promise<ReadonlyMap<string, string>> {
    return metrics.get(serviceId, async () => {
      const body = await http.get(`/admin/api/services/${encodeURIComponent(serviceId)}/metrics`);
      const names = new Map<string, string>();
      if (body === null) return names;
      for (const metric of unwrapCollection(body, 'metrics', 'metric')) {
        if (typeof metric.system_name === 'string') names.set(String(metric.id), metric.system_name);
      }
      return names;
    });
  }

  function planLimits(planId: string): Promise<readonly PlanLimit[]> {
    return limits.get(planId, async () => {
      const found: PlanLimit[] = [];
      for (let page = 1; page <= MAX_LIMIT_PAGES; page++) {
        const body = await http.get(`/admin/api/application_plans/${encodeURIComponent(planId)}/limits`, {
          page,
          per_page: LIMITS_PAGE_SIZE,
        });
        if (body === null) break;
        const items = unwrapCollection(body, 'limits', 'limit');
        for (const item of items) {
          const max = Number(item.value);
          if (isLimitPeriod(item.period) && Number.isSafeInteger(max) && max >= 0)
            found.push({ metricId: String(item.metric_id), period: item.period, max });
        }
        if (items.length < LIMITS_PAGE_SIZE) break;
      }
      return found;
    });
  }

  /** Hits of a metric over a range, as the Analytics API counts them; null when it cannot say now. */
  async function count(
    applicationId: string,
    metric: string,
    range: { since: Date; until: Date; granularity: 'hour' | 'day' | 'month' } | 'eternity',
  ): Promise<{ total: number; values: number[] } | null> {
    const params =
      range === 'eternity'
        ? { metric_name: metric, period: 'eternity', granularity: 'eternity' }
        : {
            metric_name: metric,
            since: stamp(range.since),
            // The last second of the range: 3scale rounds the range out to whole intervals.
            until: stamp(new Date(range.until.getTime() - 1000)),
            granularity: range.granularity,
          };
    try {
      const body = await http.get(`/stats/applications/${encodeURIComponent(applicationId)}/usage`, {
        ...params,
        timezone: 'UTC',
        skip_change: 'true',
      });
      const values = (body as { values?: unknown } | null)?.values;
      if (!Array.isArray(values) || !values.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
        throw new TypeError('3scale sent usage in an unexpected shape');
      }
      return { total: (values as number[]).reduce((a, b) => a + b, 0), values: values as number[] };
    } catch (error) {
      log?.warn(
        { application_id: applicationId, metric, reason: isHelperError(error) ? error.code : 'UPSTREAM_ERROR' },
        'could not read usage from the 3scale Analytics API; reporting it as unavailable',
      );
      return null;
    }
  }

  async function load(application: Application, window: UsageWindow, now: Date): Promise<ApplicationUsage> {
    const [names, planLimitList, series] = await Promise.all([
      metricNames(application.serviceId),
      planLimits(application.planId),
      count(application.id, HITS, window),
    ]);
    const used = await Promise.all(
      planLimitList.map(async (limit): Promise<LimitUsage | null> => {
        const metric = names.get(limit.metricId);
        if (metric === undefined) return null;
        // When the series could not be read, the Analytics API is not asked again: the answer stays within
        // one timeout.
        const used = series === null ? null : await usedIn(application.id, metric, limit.period, now);
        return { metric, period: limit.period, max: limit.max, used };
      }),
    );
    return {
      hits: series === null || series.values.length !== window.intervals ? null : series.values,
      limits: used.filter((limit): limit is LimitUsage => limit !== null),
    };
  }

  /** What the current period of a limit has used; null where the Analytics API has no fine enough count. */
  async function usedIn(applicationId: string, metric: string, period: LimitPeriod, now: Date): Promise<number | null> {
    // The Analytics API counts by the hour at the finest: a limit per minute cannot be read from it.
    if (period === 'minute') return null;
    if (period === 'eternity') return (await count(applicationId, metric, 'eternity'))?.total ?? null;
    const granularity = period === 'hour' || period === 'day' ? 'hour' : period === 'year' ? 'month' : 'day';
    const until = periodEnd(period, now) as Date;
    return (await count(applicationId, metric, { since: periodStart(period, now), until, granularity }))?.total ?? null;
  }

  return {
    async getUsage(application, window, now) {
      const key = `${application.id}\u0000${window.since.toISOString()}\u0000${window.granularity}`;
      const report = await reports.get(key, () => load(application, window, now));
      // A report with unknown counts is not reused: the next request asks 3scale again.
      if (report.hits === null || report.limits.some((limit) => limit.used === null && limit.period !== 'minute'))
        reports.delete(key);
      return report;
    },
    clear() {
      metrics.clear();
      limits.clear();
      reports.clear();
    },
  };
}

/** `2026-12-06 00:00:00`: the form the Analytics API parses in the time zone it is given. */
function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
