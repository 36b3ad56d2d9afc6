/**
 * @module bench/threescale-key-lifecycle
 * Upstream round trips of key lifecycle operations on the 3scale adapter, against the fake 3scale with 20 ms
 * of latency on every call: for a rotation (targets <= 4 sequential round trips) and a revocation (<= 2), for
 * each authentication mode and grace, and the calls of a deadline sweep with nothing due (<= 1 per 100
 * applications). "Sequential" is the longest chain of calls each starting after the previous one ended, from
 * the start and end of every call; "calls" is the fake's count.
 *
 * Then the whole HTTP requests (`POST /api/services/{id}/key/rotate`, `DELETE /api/services/{id}/key`) through
 * an in-process helper on the same fake, with the same targets: round trips counted at the fake as in
 * `first-key` (calls arriving within one latency of the first call of a round belong to it, so concurrent
 * calls count once and a busy machine can only add rounds), for user_key and app_id/app_key services, grace 0
 * and > 0, in-process and Redis locks, and with the person's account id known to the measuring helper (it
 * looked the account up a moment before), known from a replica (one sharing its Redis did), or not known (the
 * person's earlier requests went to a helper that shares nothing with it).
 *
 * Run: `node --import tsx bench/threescale-key-lifecycle.ts [--runs 3] [--check]`. Prints a markdown report
 * on stdout; `--check` exits 1 when an HTTP row misses its target.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createFake3scale } from '@mlaas/fake-3scale';
import type { ApiManager, Application, Identity } from '../packages/helper/src/apim/api-manager.js';
import { createThreescaleApiManager } from '../packages/helper/src/apim/threescale/threescale-api-manager.js';
import { createThreescaleHttp } from '../packages/helper/src/apim/threescale/threescale-http.js';
import { startRedis, type TestRedis } from '../packages/helper/test/support/redis-server.js';
import { startThreescaleHarness } from '../packages/helper/test/support/threescale-harness.js';
import { timeUpstream, type TimedRun } from './threescale-list.js';

const LATENCY_MS = 20;
const IDLE_APPLICATIONS = 2_000;
export const TARGET_ROTATE_ROUND_TRIPS = 4;
export const TARGET_REVOKE_ROUND_TRIPS = 2;

/** One row of the whole-request table: the runs of one operation in one setting. */
interface HttpCell {
  locks: 'memory' | 'redis';
  /**
   * Whether the measuring helper knows the person's account id: it looked the account up itself a moment
   * before, another replica sharing its Redis did, or no helper it shares anything with did.
   */
  accountId: 'known here' | 'known from a replica' | 'not known';
  method: 'api_key' | 'app_id_app_key';
  operation: string;
  target: number;
  runs: TimedRun[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;

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

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: 'string' }, check: { type: 'boolean' } },
  });
  const runs = Number(values.runs ?? 3);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('--runs must be a whole number >= 1');
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

    // The whole HTTP requests, through a helper on the same fake: the core's own reads come on top of the
    // adapter's writes.
    fake.setLatency('*', null);
    const httpCells = await measureHttp(fake, services, runs);
    const httpMet = httpCells.every((cell) => Math.max(...cell.runs.map((r) => r.waves)) <= cell.target);

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
        'Adapter rows: the longest chain of calls each starting after the previous ended.',
        '',
        '| operation | sequential round trips | calls | time | target |',
        '|---|---|---|---|---|',
        ...rows,
        '',
        `Whole HTTP requests (${runs} runs per row): sequential round trips counted at the fake.`,
        '',
        '| locks | account id | service | request | round trips (median / max) | target | wall ms (median) | upstream calls (first run) |',
        '|---|---|---|---|---:|---:|---:|---|',
        ...httpCells.map((cell) => {
          const waves = cell.runs.map((r) => r.waves);
          const max = Math.max(...waves);
          const first = cell.runs[0];
          const calls =
            first === undefined
              ? ''
              : Object.entries(first.calls)
                  .filter(([, n]) => (n ?? 0) > 0)
                  .map(([endpoint, n]) => `${endpoint}${n === 1 ? '' : ` ×${n}`}`)
                  .join(', ');
          return `| ${cell.locks} | ${cell.accountId} | ${cell.method} | ${cell.operation} | ${median(waves)} / ${max} | ${cell.target}${max <= cell.target ? '' : ' (missed)'} | ${median(cell.runs.map((r) => r.wallMs)).toFixed(0)} | ${calls} |`;
        }),
        '',
        '',
        `Whole-request targets (rotate <= ${TARGET_ROTATE_ROUND_TRIPS}, revoke <= ${TARGET_REVOKE_ROUND_TRIPS}): ${httpMet ? 'met in every row' : 'MISSED in the rows marked'}.`,
        '',
      ].join('\n'),
    );
    if (values.check === true && !httpMet) process.exitCode = 1;
  } finally {
    await apiManager.close();
    await fake.close();
  }
}

/**
 * Rotations and revocations through the helper's HTTP API, each timed at the fake (see `timeUpstream`). Every
 * measured request is by a new person, whose first key (and the rotation before, where the row says so) is
 * made just before, unmeasured: by the measuring helper itself ("known here"), by a replica sharing its Redis
 * ("known from a replica"), or by a helper on the same fake sharing nothing with it ("not known").
 */
async function measureHttp(
  fake: ReturnType<typeof createFake3scale>,
  services: readonly { id: string; authenticationMethod: string }[],
  runs: number,
): Promise<HttpCell[]> {
  const cells = new Map<string, HttpCell>();
  const cellOf = (key: Omit<HttpCell, 'runs'>) => {
    const name = `${key.locks}|${key.accountId}|${key.method}|${key.operation}`;
    let cell = cells.get(name);
    if (cell === undefined) {
      cell = { ...key, runs: [] };
      cells.set(name, cell);
    }
    return cell;
  };
  const measured = (['api_key', 'app_id_app_key'] as const).map((method) => {
    const service = services.find((s) => s.authenticationMethod === method);
    if (service === undefined) throw new Error(`no ${method} service`);
    return { method, service };
  });
  let redis: TestRedis | null = null;
  let user = 0;
  try {
    redis = await startRedis();
    for (const locks of ['memory', 'redis'] as const) {
      const env = {
        RECONCILE_INTERVAL_SECONDS: '0',
        THREESCALE_CATALOG_PRELOAD: 'false',
        ...(locks === 'redis' ? { REDIS_URL: redis.url } : {}),
      };
      const helpers: Awaited<ReturnType<typeof startThreescaleHarness>>[] = [];
      try {
        helpers.push(await startThreescaleHarness({ fake, env }));
        // Another helper on the same fake that shares nothing with the measuring one (its own Redis prefix).
        helpers.push(await startThreescaleHarness({ fake, env: { ...env, REDIS_KEY_PREFIX: 'bench-apart:' } }));
        // A replica of the measuring one: the same Redis prefix (only with Redis locks).
        if (locks === 'redis') helpers.push(await startThreescaleHarness({ fake, env }));
        const [measuring, apart, replica] = helpers as [(typeof helpers)[0], (typeof helpers)[0], (typeof helpers)[0]];
        type Harness = typeof measuring;
        const call = async (
          h: Harness,
          username: string,
          httpMethod: 'POST' | 'DELETE',
          url: string,
          payload?: object,
        ) => {
          const response = await h.helper.app.inject({
            method: httpMethod,
            url,
            headers: { authorization: `Bearer ${await h.token(username)}` },
            ...(payload ? { payload } : {}),
          });
          if (response.statusCode !== 200) {
            throw new Error(`${httpMethod} ${url}: HTTP ${response.statusCode} ${response.body.slice(0, 200)}`);
          }
        };
        // A warm-up person per helper: its first requests load the catalog and check the lifecycle fields.
        for (const h of helpers) {
          const username = `bench-http-warm-${user++}`;
          for (const { service } of measured) {
            await call(h, username, 'POST', '/api/services/init', { service_id: service.id });
            await call(h, username, 'POST', `/api/services/${service.id}/key/rotate`, { grace_seconds: 0 });
          }
        }
        const settings =
          locks === 'redis'
            ? (['known here', 'known from a replica', 'not known'] as const)
            : (['known here', 'not known'] as const);
        for (const accountId of settings) {
          const setup = accountId === 'known here' ? measuring : accountId === 'not known' ? apart : replica;
          for (const { method, service } of measured) {
            const init = (h: Harness, username: string) =>
              call(h, username, 'POST', '/api/services/init', { service_id: service.id });
            const rotate = (h: Harness, username: string, grace: number) =>
              call(h, username, 'POST', `/api/services/${service.id}/key/rotate`, { grace_seconds: grace });
            const revoke = (h: Harness, username: string) =>
              call(h, username, 'DELETE', `/api/services/${service.id}/key`);
            for (const grace of [0, 3600]) {
              const operations = [
                {
                  operation: `rotate, grace ${grace} s`,
                  target: TARGET_ROTATE_ROUND_TRIPS,
                  rotations: 0,
                  act: 'rotate',
                },
                ...(grace > 0
                  ? [
                      {
                        operation: 'rotate during a grace',
                        target: TARGET_ROTATE_ROUND_TRIPS,
                        rotations: 1,
                        act: 'rotate',
                      },
                    ]
                  : []),
                {
                  operation: `revoke after a rotation with grace ${grace} s`,
                  target: TARGET_REVOKE_ROUND_TRIPS,
                  rotations: 1,
                  act: 'revoke',
                },
              ] as const;
              for (const { operation, target, rotations, act } of operations) {
                for (let run = 0; run < runs; run += 1) {
                  const username = `bench-http-${user++}`;
                  await init(setup, username);
                  for (let i = 0; i < rotations; i += 1) await rotate(setup, username, grace);
                  fake.setLatency('*', LATENCY_MS);
                  try {
                    const timedRun = await timeUpstream(
                      // The same fake, typed from its sources there and from its build here.
                      fake as unknown as Parameters<typeof timeUpstream>[0],
                      LATENCY_MS,
                      () => (act === 'rotate' ? rotate(measuring, username, grace) : revoke(measuring, username)),
                    );
                    cellOf({ locks, accountId, method, operation, target }).runs.push(timedRun);
                  } finally {
                    fake.setLatency('*', null);
                  }
                }
              }
            }
          }
        }
      } finally {
        for (const h of helpers) await h.close();
      }
    }
  } finally {
    await redis?.stop();
  }
  return [...cells.values()];
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
