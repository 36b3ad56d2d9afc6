/**
 * @module apim/instrument-api-manager
 * Wraps any `ApiManager` so each call is counted and timed by operation and outcome.
 */
import { isMlaasError } from '../errors/mlaas-error.js';
import type { HelperMetrics } from '../metrics/metrics.js';
import type { ApiManager } from './api-manager.js';

const OPERATIONS = [
  'findAccount',
  'createAccount',
  'listServices',
  'listPlans',
  'listApplications',
  'createApplication',
  'checkReady',
] as const;

/**
 * Returns an `ApiManager` that records `mlaas_upstream_calls_total` and `mlaas_upstream_call_duration_seconds`.
 * @example const apiManager = instrumentApiManager(createEmbeddedStore(options), metrics);
 */
export function instrumentApiManager<T extends ApiManager>(inner: T, metrics: HelperMetrics): T {
  const wrapped: ApiManager = { ...inner, close: () => inner.close() };
  for (const operation of OPERATIONS) {
    const call = inner[operation].bind(inner) as (...args: unknown[]) => Promise<unknown>;
    // Label sets bound once, not looked up on every call.
    const duration = metrics.upstreamDuration.labels(operation);
    const ok = metrics.upstreamCalls.labels(operation, 'ok');
    (wrapped as unknown as Record<string, unknown>)[operation] = async (...args: unknown[]) => {
      const stop = duration.startTimer();
      try {
        const result = await call(...args);
        ok.inc();
        return result;
      } catch (error) {
        metrics.upstreamCalls.inc({ operation, outcome: isMlaasError(error) ? error.code.toLowerCase() : 'error' });
        throw error;
      } finally {
        stop();
      }
    };
  }
  return wrapped as T;
}
