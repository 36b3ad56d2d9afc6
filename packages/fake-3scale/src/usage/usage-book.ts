/**
 * @module usage/usage-book
 * What the fake knows about traffic: the metrics of each product (every product has `hits`, as in 3scale),
 * the usage limits of each application plan (seeded: 1,000 hits a day and 20,000 a month), and the hits each
 * application reported, per metric and minute. One book belongs to one tenant, so re-seeding the tenant
 * starts an empty book. Times are UTC.
 */
import type { PlanRecord, ServiceRecord } from '../tenant/records.js';
import type { Tenant } from '../tenant/tenant.js';

/** Limit periods 3scale knows. */
export const LIMIT_PERIODS = ['eternity', 'year', 'month', 'week', 'day', 'hour', 'minute'] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

export interface MetricRecord {
  id: number;
  serviceId: number;
  systemName: string;
  friendlyName: string;
  unit: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LimitRecord {
  id: number;
  planId: number;
  metricId: number;
  period: LimitPeriod;
  value: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The limits every seeded plan gets on `hits`. */
export const SEEDED_LIMITS: readonly { period: LimitPeriod; value: number }[] = [
  { period: 'day', value: 1_000 },
  { period: 'month', value: 20_000 },
];

const MINUTE_MS = 60_000;
/** First id of usage limits (3scale-like large integers, a range of their own). */
const LIMIT_ID_BASE = 2555421000001;

export class UsageBook {
  private readonly limits = new Map<number, LimitRecord[]>();
  /** application id → metric system name → minute start (ms) → hits. */
  private readonly hits = new Map<number, Map<string, Map<number, number>>>();
  private nextLimitId = LIMIT_ID_BASE;

  constructor(private readonly tenant: Tenant) {
    for (const service of tenant.allServices()) {
      for (const plan of tenant.anyPlansOf(service.id)) this.seedLimits(service, plan);
    }
  }

  /** The metrics of a product: `hits`, with the id the product was built with. */
  metricsOf(service: ServiceRecord): MetricRecord[] {
    return [
      {
        id: service.metricId,
        serviceId: service.id,
        systemName: 'hits',
        friendlyName: 'Hits',
        unit: 'hit',
        description: 'Number of API hits',
        createdAt: service.createdAt,
        updatedAt: service.createdAt,
      },
    ];
  }

  /** A plan's limits, ordered by id. */
  limitsOf(plan: PlanRecord): LimitRecord[] {
    return this.limits.get(plan.id) ?? this.seedLimits(this.tenant.getService(plan.serviceId), plan);
  }

  /** Replaces a plan's limits (for tests): `[{ period: 'minute', value: 5 }]` on `hits`. */
  setLimits(plan: PlanRecord, limits: readonly { period: LimitPeriod; value: number; metric?: string }[]): void {
    const service = this.tenant.getService(plan.serviceId);
    const at = this.tenant.time();
    this.limits.set(
      plan.id,
      limits.map((limit) => ({
        id: this.nextLimitId++,
        planId: plan.id,
        metricId: this.metricId(service, limit.metric ?? 'hits'),
        period: limit.period,
        value: limit.value,
        createdAt: at,
        updatedAt: at,
      })),
    );
  }

  /** Adds reported usage of an application at a time. */
  record(applicationId: number, metric: string, value: number, at: Date): void {
    const byMetric = this.hits.get(applicationId) ?? new Map<string, Map<number, number>>();
    const byMinute = byMetric.get(metric) ?? new Map<number, number>();
    const minute = at.getTime() - (at.getTime() % MINUTE_MS);
    byMinute.set(minute, (byMinute.get(minute) ?? 0) + value);
    byMetric.set(metric, byMinute);
    this.hits.set(applicationId, byMetric);
  }

  /** Hits of a metric in `[from, to)` (minute resolution: a minute counts when it starts inside). */
  sum(applicationId: number, metric: string, from: number, to: number): number {
    let total = 0;
    for (const [minute, value] of this.hits.get(applicationId)?.get(metric) ?? []) {
      if (minute >= from && minute < to) total += value;
    }
    return total;
  }

  private metricId(service: ServiceRecord, systemName: string): number {
    const metric = this.metricsOf(service).find((m) => m.systemName === systemName);
    if (metric === undefined) throw new TypeError(`no metric ${systemName} on service ${service.id}`);
    return metric.id;
  }

  private seedLimits(service: ServiceRecord, plan: PlanRecord): LimitRecord[] {
    const records = SEEDED_LIMITS.map((limit) => ({
      id: this.nextLimitId++,
      planId: plan.id,
      metricId: service.metricId,
      period: limit.period,
      value: limit.value,
      createdAt: plan.createdAt,
      updatedAt: plan.createdAt,
    }));
    this.limits.set(plan.id, records);
    return records;
  }
}

const books = new WeakMap<Tenant, UsageBook>();

/** The usage book of a tenant (made on first use). */
export function usageBookOf(tenant: Tenant): UsageBook {
  let book = books.get(tenant);
  if (book === undefined) {
    book = new UsageBook(tenant);
    books.set(tenant, book);
  }
  return book;
}
