/**
 * @module metrics/metrics
 * The helper's Prometheus instruments, in one registry per process (or per test).
 * Labels are closed sets (route patterns, codes, reasons) — never user input, tokens or keys.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HelperMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  keysIssued: Counter<never>;
  /** Items seen by the reconcile loop, by outcome (due, done, failed) and kind (expired, grace_ended, duplicate). */
  reconcileDeadlines: Counter<'outcome' | 'kind'>;
  /** Offboarding changes by action (suspend, resume, change_plan) and outcome (done, failed). */
  offboardingChanges: Counter<'action' | 'outcome'>;
  /** Offboarding runs by outcome: ok, directory_error (nothing suspended), backend_error. */
  offboardingRuns: Counter<'outcome'>;
  rateLimited: Counter<'scope'>;
  tokenFailures: Counter<'reason'>;
  upstreamCalls: Counter<'operation' | 'outcome'>;
  upstreamDuration: Histogram<'operation'>;
  /**
   * A counter of one cache's lookups in `mlaas_cache_events_total`. Caches are consulted several times per
   * request, so lookups are tallied in plain numbers and added to the counter when it is read (a scrape).
   * @example const count = metrics.countCache('token'); count('hit');
   */
  countCache(cache: string): (event: string) => void;
}

/**
 * Creates the instruments in a fresh registry.
 * @example const metrics = createMetrics(); metrics.keysIssued.inc();
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): HelperMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const flushes: Array<() => void> = [];
  const cacheEvents = new Counter({
    name: 'mlaas_cache_events_total',
    help: 'Cache lookups, by cache and hit or miss.',
    labelNames: ['cache', 'event'],
    registers,
    collect() {
      for (const flush of flushes) flush();
    },
  });
  return {
    registry,
    requestDuration: new Histogram({
      name: 'mlaas_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    keysIssued: new Counter({
      name: 'mlaas_keys_issued_total',
      help: 'API keys created (new applications).',
      registers,
    }),
    reconcileDeadlines: new Counter({
      name: 'mlaas_reconcile_deadlines_total',
      help:
        'Items seen by the reconcile loop (expired key, end of a grace period, duplicate application), ' +
        'by outcome (due, done, failed) and kind (expired, grace_ended, duplicate).',
      labelNames: ['outcome', 'kind'],
      registers,
    }),
    offboardingChanges: new Counter({
      name: 'mlaas_offboarding_changes_total',
      help: 'Keys suspended, resumed or moved to another plan by offboarding, by action and outcome (done, failed).',
      labelNames: ['action', 'outcome'],
      registers,
    }),
    offboardingRuns: new Counter({
      name: 'mlaas_offboarding_runs_total',
      help: 'Offboarding runs: ok, directory_error (the directory could not answer; nothing suspended), backend_error.',
      labelNames: ['outcome'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'mlaas_rate_limit_rejections_total',
      help: 'Requests rejected by a rate limit, by limit (ip, user, init).',
      labelNames: ['scope'],
      registers,
    }),
    tokenFailures: new Counter({
      name: 'mlaas_token_failures_total',
      help: 'Access tokens refused, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    upstreamCalls: new Counter({
      name: 'mlaas_upstream_calls_total',
      help: 'HTTP calls to 3scale (operation: method and path pattern) and to the token issuer, by outcome.',
      labelNames: ['operation', 'outcome'],
      registers,
    }),
    upstreamDuration: new Histogram({
      name: 'mlaas_upstream_call_duration_seconds',
      help: 'Duration of HTTP calls to 3scale, by operation (method and path pattern).',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    countCache(cache) {
      const tallies = new Map<string, number>();
      flushes.push(() => {
        for (const [event, count] of tallies) cacheEvents.inc({ cache, event }, count);
        tallies.clear();
      });
      return (event) => {
        tallies.set(event, (tallies.get(event) ?? 0) + 1);
      };
    },
  };
}
