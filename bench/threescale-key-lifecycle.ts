/**
 * @module bench/threescale-key-lifecycle
 * Upstream round trips of key lifecycle operations on the 3scale adapter, against the fake 3scale with 20 ms
 * of latency on every call: for a rotation (targets <= 4 sequential round trips) and a revocation (<= 2), for
 * each authentication mode and grace, and the calls of a deadline sweep with nothing due (<= 1 per 100
 * applications). "Sequential" is the longest chain of calls each starting after the previous one ended, from
 * the start and end of every call; "calls" is the fake's count. Prints a markdown report on stdout.
 */
import { loadavg } from 'node:os';
import { createFake3scale } from '@mlaas/fake-3scale';
import type { ApiManager, Application, Identity } from '../packages/helper/src/apim/api-manager.js';
import { createThreescaleApiManager } from '../packages/helper/src/apim/threescale/threescale-api-manager.js';
import { createThreescaleHttp } from '../packages/helper/src/apim/threescale/threescale-http.js';
import { startThreescaleHarness } from '../packages/helper/test/support/threescale-harness.js';

const LATENCY_MS = 20;
const IDLE_APPLICATIONS = 2_000;

interface Span {
  start: number;
  end: number;
}

/** The longest chain of calls where each starts after the one before ended. */
function sequentialDepth(spans: readonly Span[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((span, j) => {
    let best = 0;
    for (let i = 0; i < j; i += 1) if ((sorted[i] as Span).end <= span.start) best = Math.max(best, depth[i] ?? 0);
    depth[j] = best + 1;
  });
  return Math.max(0, ...depth);
}

export async function main(): Promise<void> {
  const fake = createFake3scale();
  const url = await fake.listen();
  const spans: Span[] = [];
  const http = createThreescaleHttp({
    baseUrl: url,
    accessToken: fake.accessToken,
    timeoutMs: 10_000,
    // Each finished call as a span, so sequential round trips can be counted from their overlaps.
    onCall: (_operation, _outcome, seconds) => {
      const end = performance.now();
      spans.push({ start: end - seconds * 1000, end });
    },
  });
  const apiManager: ApiManager = createThreescaleApiManager({
    http,
    cache: { catalogTtlMs: 600_000, catalogStaleMs: 600_000 },
  });
  const rows: string[] = [];
  try {
    const services = await apiManager.listServices();
    const identity: Identity = {
      userId: 'bench-user',
      email: 'bench-user@example.test',
      emailVerified: true,
      subject: 'bench-sub',
      roles: [],
      groups: [],
    };
    const account = (await apiManager.findAccount(identity)) ?? (await apiManager.createAccount(identity));
    // One warm-up write defines the lifecycle fields (once per process).
    const first = services[0];
    if (first === undefined) throw new Error('the seed has no service');
    const fresh = async (method: 'api_key' | 'app_id_app_key'): Promise<Application> => {
      const service = services.find((s) => s.authenticationMethod === method);
      if (service === undefined) throw new Error(`no ${method} service`);
      await apiManager.revokeKeys(account.id, service.id, new Date());
      const plans = await apiManager.listPlans(service.id);
      const plan = plans.find((p) => p.isDefault) ?? plans[0];
      if (plan === undefined) throw new Error('no plan');
      return apiManager.createApplication({ account, service, plan, name: 'bench', description: 'bench' });
    };
    await fresh('api_key');
    fake.setLatency('*', LATENCY_MS);

    const measure = async (label: string, target: number, work: () => Promise<unknown>) => {
      spans.length = 0;
      fake.reset({ keepState: true });
      fake.setLatency('*', LATENCY_MS);
      const started = performance.now();
      await work();
      const ms = performance.now() - started;
      const calls = Object.entries(fake.stats()).reduce((sum, [, n]) => sum + n, 0);
      const depth = sequentialDepth(spans);
      rows.push(
        `| ${label} | ${depth} | ${calls} | ${ms.toFixed(0)} ms | <= ${target} ${depth <= target ? '' : '(missed)'} |`,
      );
    };

    /** Sequential depth of the calls the fake saw, from its request log times (ms resolution). */
    const measureRequests = async (label: string, work: () => Promise<{ statusCode: number }>) => {
      fake.reset({ keepState: true });
      fake.setLatency('*', LATENCY_MS);
      const started = performance.now();
      const response = await work();
      const ms = performance.now() - started;
      if (response.statusCode !== 200) throw new Error(`${label}: HTTP ${response.statusCode}`);
      const calls = Object.values(fake.stats()).reduce((sum, n) => sum + n, 0);
      rows.push(`| ${label} | ~${Math.round(ms / single0)} | ${calls} | ${ms.toFixed(0)} ms | (whole request) |`);
    };
    const single0 = await (async () => {
      fake.setLatency('*', LATENCY_MS);
      const started = performance.now();
      await http.get('/admin/api/services', { page: 1, per_page: 1 });
      fake.setLatency('*', null);
      return performance.now() - started;
    })();

    for (const method of ['api_key', 'app_id_app_key'] as const) {
      for (const grace of [0, 3600]) {
        fake.setLatency('*', null);
        const app = await fresh(method);
        const now = new Date();
        await measure(`rotate, ${method}, grace ${grace} s`, 4, () =>
          apiManager.rotateKey({
            application: app,
            graceUntil: new Date(now.getTime() + grace * 1000),
            expiresAt: null,
            now,
          }),
        );
        fake.setLatency('*', null);
        // A rotation during the grace of the one before (ends that grace at once).
        const current = (await apiManager.listApplications(account.id)).find((a) => a.serviceId === app.serviceId);
        if (current !== undefined && grace > 0) {
          await measure(`rotate during a grace, ${method}`, 4, () =>
            apiManager.rotateKey({
              application: current,
              graceUntil: new Date(now.getTime() + 60_000),
              expiresAt: null,
              now,
            }),
          );
        }
        fake.setLatency('*', null);
        await measure(`revoke after it, ${method}`, 2, () =>
          apiManager.revokeKeys(account.id, app.serviceId, new Date()),
        );
      }
    }

    // A sweep with nothing due over many applications.
    fake.setLatency('*', null);
    const service = services.find((s) => s.authenticationMethod === 'api_key');
    const plan = service === undefined ? undefined : (await apiManager.listPlans(service.id))[0];
    if (plan === undefined) throw new Error('no plan');
    const accountId = Number(account.id);
    for (let i = 0; i < IDLE_APPLICATIONS; i += 1) fake.state.createApplication(accountId, { planId: String(plan.id) });
    await measure(`deadline sweep, nothing due, ${IDLE_APPLICATIONS} applications`, IDLE_APPLICATIONS / 100, () =>
      apiManager.listDueDeadlines(new Date(), 500),
    );

    // The whole HTTP requests, through a helper on the same fake: the core's own reads (the account, the
    // applications before and under the lock) come on top of the adapter's.
    fake.setLatency('*', null);
    const h = await startThreescaleHarness({
      fake,
      env: { RECONCILE_INTERVAL_SECONDS: '0', THREESCALE_CATALOG_PRELOAD: 'false' },
    });
    try {
      const token = await h.token('bench-http');
      const headers = { authorization: `Bearer ${token}` };
      for (const method of ['api_key', 'app_id_app_key'] as const) {
        const service = services.find((s) => s.authenticationMethod === method);
        if (service === undefined) continue;
        const call = (httpMethod: 'POST' | 'DELETE', url: string, payload?: object) =>
          h.helper.app.inject({ method: httpMethod, url, headers, ...(payload ? { payload } : {}) });
        await call('POST', '/api/services/init', { service_id: service.id });
        await call('POST', `/api/services/${service.id}/key/rotate`, { grace_seconds: 0 });
        await measureRequests(`HTTP rotate request, ${method}, grace 3600 s`, () =>
          call('POST', `/api/services/${service.id}/key/rotate`, { grace_seconds: 3600 }),
        );
        await measureRequests(`HTTP revoke request, ${method}`, () =>
          call('DELETE', `/api/services/${service.id}/key`),
        );
      }
    } finally {
      await h.close();
    }

    const single = { start: 0, end: 0 };
    fake.reset({ keepState: true });
    fake.setLatency('*', LATENCY_MS);
    single.start = performance.now();
    await http.get('/admin/api/services', { page: 1, per_page: 1 });
    single.end = performance.now();
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
    process.stdout.write(
      [
        `## threescale-key-lifecycle (fake 3scale, ${LATENCY_MS} ms per call)`,
        '',
        `load average ${load}; one GET round trip took ${(single.end - single.start).toFixed(0)} ms (baseline)`,
        '',
        'Adapter rows: the longest chain of calls each starting after the previous ended. HTTP rows: the time',
        "divided by one round trip (an estimate that includes the helper's own work).",
        '',
        '| operation | sequential round trips | calls | time | target |',
        '|---|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await apiManager.close();
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
