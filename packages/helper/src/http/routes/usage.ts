/**
 * @module http/routes/usage
 * `GET /api/services/{id}/usage?period=day|week|month`: the caller's own usage and limits on a service.
 * Authenticate, limit, call the usage core, shape the data.
 */
import { ErrorEnvelope, ServiceKeyParams, UsageQuery, UsageResponse, type UsageData } from '@mlaas/contract';
import type { FastifyInstance } from 'fastify';
import type { TokenVerifier } from '../../auth/token-verifier.js';
import type { HelperMetrics } from '../../metrics/metrics.js';
import type { UsageReader, UsageReport } from '../../usage/usage-report.js';
import { authenticate } from '../authenticate.js';
import { createLimit, type Check } from '../rate-limits.js';

export interface UsageRoutesOptions {
  reader: UsageReader;
  verifier: TokenVerifier;
  metrics: HelperMetrics;
  limits: { ipPerMinute: number; userPerMinute: number };
}

const DEFAULT_PERIOD = 'week';

export function registerUsageRoutes(app: FastifyInstance, options: UsageRoutesOptions): void {
  const limitIp = createLimit(app, 'ip', options.limits.ipPerMinute, options.metrics);
  const limitUser = createLimit(app, 'user', options.limits.userPerMinute, options.metrics);
  const signIn = authenticate(options.verifier);
  const onRequest = [limitIp, signIn, limitUser].filter((hook): hook is Check | typeof signIn => hook !== null);

  app.get(
    '/api/services/:id/usage',
    {
      onRequest,
      config: { validationHint: 'period is one of day, week (the default) or month.' },
      schema: {
        summary: "The caller's hits on a service per hour or day, and every limit of the plan with its use",
        tags: ['usage'],
        security: [{ bearerAuth: [] }],
        params: ServiceKeyParams,
        querystring: UsageQuery,
        response: { 200: UsageResponse, '4xx': ErrorEnvelope, '5xx': ErrorEnvelope },
      },
    },
    async (request) => {
      if (request.identity === null) throw new TypeError('route registered without authentication');
      const { id } = request.params as { id: string };
      const { period = DEFAULT_PERIOD } = request.query as UsageQuery;
      const report = await options.reader.usage(request.identity, id, period);
      return { status: 'success' as const, data: toUsageDto(report) };
    },
  );
}

export function toUsageDto(report: UsageReport): UsageData {
  return {
    service_id: report.service.id,
    application_id: report.application.id,
    plan: { id: report.application.planId, name: report.application.planName },
    period: report.period,
    granularity: report.window.granularity,
    since: report.window.since.toISOString(),
    until: report.window.until.toISOString(),
    usage_available: report.available,
    total: report.available ? report.intervals.reduce((sum, interval) => sum + interval.hits, 0) : null,
    intervals: report.intervals.map((interval) => ({ start: interval.start.toISOString(), hits: interval.hits })),
    limits: report.limits.map((limit) => ({
      metric: limit.metric,
      period: limit.period,
      max: limit.max,
      used: limit.used,
      resets_at: limit.resetsAt === null ? null : limit.resetsAt.toISOString(),
    })),
  };
}
