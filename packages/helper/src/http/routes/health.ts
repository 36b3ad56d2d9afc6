/**
 * @module http/routes/health
 * `GET /api/health` (liveness: no dependency is called) and `GET /api/ready` (the issuer's keys and the
 * API-management backend answer).
 */
import { ErrorEnvelope, HealthResponse, ReadyResponse } from '@mlaas/contract';
import type { FastifyInstance } from 'fastify';
import { HelperError, isHelperError } from '../../errors/helper-error.js';

/** A dependency readiness depends on. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Longest a readiness check may take before the dependency counts as down. */
const READINESS_TIMEOUT_MS = 3_000;

export function registerHealthRoutes(app: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Liveness: the process serves requests',
        tags: ['health'],
        response: { 200: HealthResponse, '5xx': ErrorEnvelope },
      },
    },
    async () => ({ status: 'success' as const, data: { status: 'healthy' as const } }),
  );

  app.get(
    '/api/ready',
    {
      schema: {
        summary: "Readiness: the token issuer's keys and the API-management backend are reachable",
        tags: ['health'],
        response: { 200: ReadyResponse, '5xx': ErrorEnvelope },
      },
    },
    async () => {
      const results = await Promise.all(checks.map(runCheck));
      const failing = results.filter((r) => !r.ok);
      if (failing.length > 0) {
        throw new HelperError('NOT_READY', `Not ready: ${failing.map((r) => `${r.name} (${r.detail})`).join('; ')}.`, {
          retryAfterSeconds: 5,
        });
      }
      return { status: 'success' as const, data: { status: 'ready' as const, checks: results } };
    },
  );
}

async function runCheck(check: ReadinessCheck): Promise<{ name: string; ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HelperError('UPSTREAM_TIMEOUT', 'no answer in time')), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { name: check.name, ok: true };
  } catch (error) {
    return { name: check.name, ok: false, detail: isHelperError(error) ? error.message : 'unavailable' };
  } finally {
    clearTimeout(timer);
  }
}
