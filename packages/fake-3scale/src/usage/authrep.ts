/**
 * @module usage/authrep
 * The fake's own authorise-and-report call, a small stand-in for 3scale's Service Management API (what
 * APIcast calls on every request): find the application by `application_id`, `user_key` or `app_id`,
 * refuse it unless live, refuse usage that would pass a limit of its plan (409, as 3scale's backend
 * answers `usage limits are exceeded`), otherwise record the usage. Tests use it to create traffic.
 */
import type { ApplicationRecord } from '../tenant/records.js';
import type { Tenant } from '../tenant/tenant.js';
import { type LimitPeriod, usageBookOf } from './usage-book.js';

export interface AuthrepInput {
  application_id?: number | string;
  user_key?: string;
  app_id?: string;
  /** Metric system name → amount; `{ hits: 1 }` when absent. */
  usage?: Record<string, number>;
  /** When the calls happened (ISO 8601); now when absent. */
  timestamp?: string;
}

export interface AuthrepResult {
  status: 200 | 403 | 404 | 409 | 400;
  body: { authorized: boolean; reason?: string; application_id?: number };
}

const MINUTE = 60_000;

/** Start and end (exclusive) of the calendar period (UTC) holding `t`. */
export function periodBounds(period: LimitPeriod, t: number): [number, number] {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = Date.UTC(y, m, d.getUTCDate());
  switch (period) {
    case 'minute':
      return [t - (t % MINUTE), t - (t % MINUTE) + MINUTE];
    case 'hour':
      return [t - (t % (60 * MINUTE)), t - (t % (60 * MINUTE)) + 60 * MINUTE];
    case 'day':
      return [day, day + 1440 * MINUTE];
    case 'week': {
      const monday = day - ((d.getUTCDay() + 6) % 7) * 1440 * MINUTE;
      return [monday, monday + 7 * 1440 * MINUTE];
    }
    case 'month':
      return [Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)];
    case 'year':
      return [Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)];
    case 'eternity':
      return [0, Number.MAX_SAFE_INTEGER];
  }
}

function findApplication(tenant: Tenant, input: AuthrepInput): ApplicationRecord | undefined {
  const apps = tenant.listApplications();
  if (input.application_id !== undefined) return apps.find((a) => String(a.id) === String(input.application_id));
  if (input.user_key !== undefined) return apps.find((a) => a.userKey === input.user_key);
  if (input.app_id !== undefined) return apps.find((a) => a.applicationId === input.app_id);
  return undefined;
}

/** Authorises and reports one batch of usage. */
export function authrep(tenant: Tenant, input: AuthrepInput, now: Date): AuthrepResult {
  const app = findApplication(tenant, input);
  if (app === undefined) return { status: 404, body: { authorized: false, reason: 'application not found' } };
  if (app.state !== 'live') return { status: 409, body: { authorized: false, reason: `application is ${app.state}` } };
  const at = input.timestamp === undefined ? now : new Date(input.timestamp);
  if (Number.isNaN(at.getTime())) return { status: 400, body: { authorized: false, reason: 'invalid timestamp' } };
  const usage = input.usage ?? { hits: 1 };
  const book = usageBookOf(tenant);
  const { service, plan } = tenant.contextOf(app);
  const metrics = book.metricsOf(service);
  for (const [name, value] of Object.entries(usage)) {
    if (!metrics.some((m) => m.systemName === name))
      return { status: 404, body: { authorized: false, reason: `metric ${name} is invalid` } };
    if (!Number.isSafeInteger(value) || value < 0)
      return { status: 400, body: { authorized: false, reason: `usage of ${name} must be a whole number` } };
  }
  for (const limit of book.limitsOf(plan)) {
    const metric = metrics.find((m) => m.id === limit.metricId);
    const value = metric === undefined ? undefined : usage[metric.systemName];
    if (metric === undefined || value === undefined) continue;
    const [from, to] = periodBounds(limit.period, at.getTime());
    if (book.sum(app.id, metric.systemName, from, to) + value > limit.value)
      return { status: 409, body: { authorized: false, reason: 'usage limits are exceeded' } };
  }
  for (const [name, value] of Object.entries(usage)) book.record(app.id, name, value, at);
  return { status: 200, body: { authorized: true, application_id: app.id } };
}
