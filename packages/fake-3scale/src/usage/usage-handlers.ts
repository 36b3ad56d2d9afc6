/**
 * @module usage/usage-handlers
 * Service Metric List (`GET /admin/api/services/{service_id}/metrics`), Limits List per Application Plan
 * (`GET /admin/api/application_plans/{application_plan_id}/limits`, paginated by 50) and the Analytics API's
 * Application Traffic by Metric (`GET /stats/applications/{application_id}/usage`), with porta's shapes and
 * refusals: an unknown application is a 404 `{"error":"Application not found"}`, a missing `metric_name` a
 * plain-text 400, a bad period, granularity, date or range a 400 `{"error":…}`. The fake counts in UTC
 * whatever `timezone` says, and answers usage in JSON only.
 */
import type { Handler } from '../handlers/admin-request.js';
import { assertSeesService } from '../handlers/admin-request.js';
import { pageOf } from '../http/paging.js';
import { paramString } from '../http/params.js';
import { type Reply, ok } from '../http/reply.js';
import { formatTime, toJson } from '../represent/_json.js';
import { el } from '../represent/_xml.js';
import { type RenderContext, type Rendered, adminUrl, collectionBody } from '../represent/representation.js';
import { parseId } from '../tenant/tenant.js';
import { type LimitRecord, type MetricRecord, usageBookOf } from './usage-book.js';
import { StatsParamError, usageRange } from './stats-range.js';

/** Limits per page: porta's default and maximum for this list. */
const LIMITS_PER_PAGE = 50;

function renderMetric(ctx: RenderContext, metric: MetricRecord): Rendered {
  return {
    json: {
      id: metric.id,
      name: metric.systemName,
      system_name: metric.systemName,
      friendly_name: metric.friendlyName,
      description: metric.description ?? undefined,
      unit: metric.unit,
      created_at: formatTime(metric.createdAt),
      updated_at: formatTime(metric.updatedAt),
      links: [
        { rel: 'service', href: adminUrl(ctx, `services/${metric.serviceId}`) },
        { rel: 'self', href: adminUrl(ctx, `services/${metric.serviceId}/metrics/${metric.id}`) },
      ],
    },
    xml: {
      name: 'metric',
      content: [
        ...el('id', metric.id),
        ...el('name', metric.systemName),
        ...el('system_name', metric.systemName),
        ...el('friendly_name', metric.friendlyName),
        ...el('service_id', metric.serviceId),
        ...el('description', metric.description ?? undefined),
        ...el('unit', metric.unit),
      ],
    },
  };
}

function renderLimit(ctx: RenderContext, limit: LimitRecord, serviceId: number): Rendered {
  return {
    json: {
      id: limit.id,
      period: limit.period,
      value: limit.value,
      metric_id: limit.metricId,
      plan_id: limit.planId,
      created_at: formatTime(limit.createdAt),
      updated_at: formatTime(limit.updatedAt),
      links: [
        { rel: 'metric', href: adminUrl(ctx, `services/${serviceId}/metrics/${limit.metricId}`) },
        {
          rel: 'self',
          href: adminUrl(ctx, `application_plans/${limit.planId}/metrics/${limit.metricId}/limits/${limit.id}`),
        },
        { rel: 'plan', href: adminUrl(ctx, `services/${serviceId}/application_plans/${limit.planId}`) },
      ],
    },
    xml: {
      name: 'limit',
      content: [
        ...el('id', limit.id),
        ...el('metric_id', limit.metricId),
        ...el('plan_id', limit.planId),
        ...el('period', limit.period),
        ...el('value', limit.value),
      ],
    },
  };
}

/** `GET /admin/api/services/{service_id}/metrics`: every metric of the product, unpaginated. */
export const listMetrics: Handler = (request) => {
  const { pathParams, ctx } = request;
  const service = ctx.tenant.getService(parseId(pathParams.service_id));
  assertSeesService(request, service.id);
  const metrics = usageBookOf(ctx.tenant).metricsOf(service);
  return ok(
    collectionBody(
      'metrics',
      'metric',
      metrics.map((m) => renderMetric(ctx, m)),
    ),
  );
};

/** `GET /admin/api/application_plans/{application_plan_id}/limits`: paginated (default and max 50). */
export const listPlanLimits: Handler = (request) => {
  const { pathParams, params, ctx } = request;
  const plan = ctx.tenant.getPlan(parseId(pathParams.application_plan_id));
  assertSeesService(request, plan.serviceId);
  const all = usageBookOf(ctx.tenant).limitsOf(plan);
  const { items, meta } = pageOf(all, params, LIMITS_PER_PAGE);
  return ok(
    collectionBody(
      'limits',
      'limit',
      items.map((l) => renderLimit(ctx, l, plan.serviceId)),
      meta,
    ),
  );
};

const jsonReply = (status: number, value: unknown): Reply => ({
  status,
  body: { json: () => toJson(value as never), xml: () => '' },
});

const plainReply = (status: number, text: string): Reply => ({
  status,
  body: { json: () => text, xml: () => text },
  headers: { 'content-type': 'text/plain; charset=utf-8' },
});

/** `GET /stats/applications/{application_id}/usage`: hits of one metric over a range, per interval. */
export const applicationUsage: Handler = (request) => {
  const { pathParams, params, ctx } = request;
  const id = parseId(pathParams.application_id);
  const app = ctx.tenant.listApplications().find((a) => a.id === id);
  if (app === undefined) return jsonReply(404, { error: 'Application not found' });
  assertSeesService(request, app.serviceId);
  const metricName = paramString(params, 'metric_name');
  if (metricName === undefined || metricName.trim() === '')
    return plainReply(400, 'Required parameter missing: metric_name');
  const period = paramString(params, 'period');
  if (period === undefined || period === '') {
    for (const required of ['granularity', 'since']) {
      const value = paramString(params, required);
      if (value === undefined || value === '') return plainReply(400, `Required parameter missing: ${required}`);
    }
  }
  const book = usageBookOf(ctx.tenant);
  const { service, plan, account } = ctx.tenant.contextOf(app);
  try {
    const range = usageRange(
      {
        period,
        since: paramString(params, 'since'),
        until: paramString(params, 'until'),
        granularity: paramString(params, 'granularity'),
      },
      ctx.tenant.time(),
    );
    const metric = book.metricsOf(service).find((m) => m.systemName === metricName);
    if (metric === undefined) throw new StatsParamError(`metric ${metricName} not found`);
    const values = range.buckets.map(([from, to]) => book.sum(app.id, metric.systemName, from, to));
    return jsonReply(200, {
      metric: { id: metric.id, name: metric.friendlyName, system_name: metric.systemName, unit: metric.unit },
      period: {
        name: period === undefined || period === '' ? null : period,
        since: new Date(range.since).toISOString(),
        until: new Date(range.until).toISOString(),
        timezone: 'Etc/UTC',
        granularity: range.granularity,
      },
      total: values.reduce((a, b) => a + b, 0),
      values,
      application: {
        id: app.id,
        name: app.name,
        state: app.state,
        link: `${ctx.baseUrl}/apiconfig/applications/${app.id}`,
        description: app.description,
        plan: { id: plan.id, name: plan.name },
        account: { id: account.id, name: account.orgName, link: `${ctx.baseUrl}/buyers/accounts/${account.id}` },
        service: { id: service.id },
      },
    });
  } catch (error) {
    if (error instanceof StatsParamError) return jsonReply(400, { error: error.message });
    throw error;
  }
};
