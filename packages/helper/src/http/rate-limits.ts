/**
 * @module http/rate-limits
 * Per-client-IP, per-user and per-user-init request limits, counted in @fastify/rate-limit's store
 * (in memory, or shared when the store is). A limit of 0 turns that limit off.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HelperError } from '../errors/helper-error.js';
import type { HelperMetrics } from '../metrics/metrics.js';

export type LimitScope = 'ip' | 'user' | 'init';

/** Window of every limit: the limits are "per minute". */
const WINDOW_MS = 60_000;

export type Check = (request: FastifyRequest) => Promise<void>;

/**
 * Creates a check that throws RATE_LIMITED (with Retry-After) once `max` requests were made in the window;
 * null when `max` is 0 (the limit is off). Must be called after `@fastify/rate-limit` is registered on `app`.
 */
export function createLimit(
  app: FastifyInstance,
  scope: LimitScope,
  max: number,
  metrics: HelperMetrics,
): Check | null {
  if (max === 0) return null;
  const apply = app.createRateLimit({
    max,
    timeWindow: WINDOW_MS,
    ...(scope === 'ip'
      ? {}
      : { keyGenerator: (request: FastifyRequest) => `${scope}:${request.identity?.subject ?? request.ip}` }),
  });
  return async (request) => {
    const result = await apply(request);
    if (result.isAllowed || !result.isExceeded) return;
    metrics.rateLimited.inc({ scope });
    throw new HelperError('RATE_LIMITED', tooManyMessage(scope), { retryAfterSeconds: result.ttlInSeconds });
  };
}

function tooManyMessage(scope: LimitScope): string {
  switch (scope) {
    case 'ip':
      return 'Too many requests from this address; wait and try again.';
    case 'user':
      return 'Too many requests for this user; wait and try again.';
    case 'init':
      return 'Too many key requests for this user; wait and try again.';
  }
}
