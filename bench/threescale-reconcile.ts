/**
 * @module bench/threescale-reconcile
 * The reconcile loop on 3scale at scale, against the fake 3scale with 20 ms of latency on every call:
 * - 10,000 due deadlines (90 % expired keys, 10 % ended grace periods: replaced user-key applications and
 *   app-id applications holding a replaced key) done by one `reconcileOnce` with concurrency 8 and pacing
 *   high enough not to matter (target: <= 60 s, <= 8 upstream calls in flight);
 * - then a run with nothing due over the same tenant (target: <= 1 upstream call per 100 keys).
 * The tenant is seeded through the fake's own state (no HTTP), so seeding costs no upstream calls.
 * "In flight" is counted by a wrapper around the adapter's 3scale client; "calls" is the fake's count.
 * The fake runs in this thread, or with `--fake-thread` in a worker thread of its own (its work then no
 * longer shares an event loop with the helper's side, as with a remote 3scale).
 * `node --import tsx bench/threescale-reconcile.ts [--deadlines N] [--fake-thread]`. Prints a markdown report.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createFake3scale, type Fake3scale } from '@mlaas/fake-3scale';
import type { ApiManager } from '../packages/helper/src/apim/api-manager.js';
import { FIELD, keyStamp } from '../packages/helper/src/apim/threescale/lifecycle-fields.js';
import { createThreescaleApiManager } from '../packages/helper/src/apim/threescale/threescale-api-manager.js';
import { createThreescaleHttp, type ThreescaleHttp } from '../packages/helper/src/apim/threescale/threescale-http.js';
import type { AuditTrail } from '../packages/helper/src/audit/audit-log.js';
import { reconcileOnce, type ReconcileReport } from '../packages/helper/src/provisioning/reconcile.js';

const LATENCY_MS = 20;
const DEFAULT_DEADLINES = 10_000;
const CONCURRENCY = 8;
/** Pacing far above what 8 calls in flight at 20 ms can reach (400 calls per second): never the limit. */
const UNPACED = 1_000_000;
/** The helper's default RECONCILE_CALLS_PER_MINUTE. */
const DEFAULT_CALLS_PER_MINUTE = 600;
const TARGET_SECONDS = 60;
const HOUR_MS = 3_600_000;

/** The adapter's client, counting calls in flight and their peak. */
function countInFlight(http: ThreescaleHttp): {
  http: ThreescaleHttp;
  peak: () => number;
  busyMs: () => number;
  reset: () => void;
} {
  let now = 0;
  let peak = 0;
  let busy = 0;
  const wrap =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      now += 1;
      peak = Math.max(peak, now);
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        now -= 1;
        busy += performance.now() - started;
      }
    };
  return {
    http: {
      get: wrap(http.get),
      post: wrap(http.post),
      put: wrap(http.put),
      delete: wrap(http.delete),
      close: () => http.close(),
    },
    peak: () => peak,
    busyMs: () => busy,
    reset: () => {
      peak = now;
      busy = 0;
    },
  };
}

const hex = () => randomBytes(16).toString('hex');

/**
 * Seeds `deadlines` due deadlines over accounts holding three MLaaS applications each (two user-key products,
 * one app-id product); every tenth account's applications have an ended grace period instead of an expired
 * key. Returns how many applications (keys) the tenant holds.
 */
function seed(fake: Fake3scale, deadlines: number, now: number): { applications: number; grace: number } {
  const state = fake.state;
  for (const name of Object.values(FIELD)) {
    state.createFieldsDefinition({ target: 'Cinstance', name, label: name, hidden: true, readOnly: true });
  }
  const byName = (name: string) => {
    const service = state.listServices().find((s) => s.name === name);
    const plan = service === undefined ? undefined : state.plansOf(service.id).find((p) => p.isDefault);
    if (plan === undefined) throw new Error(`the seed has no default plan of ${name}`);
    return String(plan.id);
  };
  const products = [
    { plan: byName('LLM Chat Completions'), userKey: true },
    { plan: byName('Image Classification'), userKey: false },
    { plan: byName('Speech to Text'), userKey: true },
  ];
  const past = new Date(now - HOUR_MS);
  const future = new Date(now + 30 * 24 * HOUR_MS);
  const issued = new Date(now - 31 * 24 * HOUR_MS);
  let grace = 0;
  for (let i = 0, account = 0; i < deadlines; account += 1) {
    const username = `bench-reconcile-${account}`;
    const created = state.signup({ orgName: username, username, email: `${username}@example.test` });
    // Signup subscribes the account to every product; the bench wants only MLaaS's applications.
    for (const app of state.applicationsOf(created.id)) state.deleteApplication(created.id, app.id);
    const inGrace = account % 10 === 0;
    for (const product of products) {
      if (i >= deadlines) break;
      i += 1;
      const first = hex();
      const base = { [FIELD.userId]: username };
      if (!inGrace) {
        state.createApplication(created.id, {
          planId: product.plan,
          ...(product.userKey ? { userKey: first } : { applicationKey: first }),
          extra: { ...base, [FIELD.currentKey]: keyStamp(first, issued), [FIELD.expiresAt]: past.toISOString() },
        });
        continue;
      }
      grace += 1;
      if (product.userKey) {
        // A replaced application past its grace, and its replacement holding the current key.
        const replaced = state.createApplication(created.id, {
          planId: product.plan,
          userKey: first,
          extra: { ...base, [FIELD.currentKey]: keyStamp(first, issued), [FIELD.graceUntil]: past.toISOString() },
        });
        const next = hex();
        state.createApplication(created.id, {
          planId: product.plan,
          userKey: next,
          extra: {
            ...base,
            [FIELD.currentKey]: keyStamp(next, past),
            [FIELD.expiresAt]: future.toISOString(),
            [FIELD.replaces]: String(replaced.id),
          },
        });
      } else {
        // An app-id application holding its current key and a replaced one past its grace.
        const app = state.createApplication(created.id, {
          planId: product.plan,
          applicationKey: first,
          extra: {
            ...base,
            [FIELD.expiresAt]: future.toISOString(),
            [FIELD.graceUntil]: past.toISOString(),
          },
        });
        const next = hex();
        state.addKey(created.id, app.id, next);
        state.updateApplication(created.id, app.id, { extra: { [FIELD.currentKey]: keyStamp(next, past, first) } });
      }
    }
  }
  return { applications: state.listApplications().length, grace };
}

/** Checks the tenant after the run: every expired key suspended and marked, every replaced key gone. */
function verify(fake: Fake3scale, now: number): string[] {
  const problems: string[] = [];
  const apps = fake.state.listApplications();
  const ids = new Set(apps.map((app) => String(app.id)));
  for (const app of apps) {
    const fields = app.extraFields;
    const expiry = fields[FIELD.expiresAt];
    const expires = expiry ? Date.parse(expiry) : Infinity;
    if (expires <= now && (app.state !== 'suspended' || fields[FIELD.suspendedBy] !== 'expiry'))
      problems.push(`application ${app.id}: expired but ${app.state}`);
    if (fields[FIELD.graceUntil]) problems.push(`application ${app.id}: grace mark left`);
    if (app.keys.length > 1) problems.push(`application ${app.id}: ${app.keys.length} keys`);
    const replaces = fields[FIELD.replaces];
    if (replaces !== undefined && ids.has(replaces)) problems.push(`application ${app.id}: replaced application left`);
  }
  return problems;
}

/** The fake as the bench drives it: in this thread, or in a worker thread of its own. */
interface FakeSide {
  url: string;
  accessToken: string;
  seeded: { applications: number; grace: number };
  reset(): Promise<void>;
  setLatency(ms: number): Promise<void>;
  calls(): Promise<number>;
  verify(now: number): Promise<string[]>;
  close(): Promise<void>;
}

type Request = { op: 'reset' | 'calls' | 'close' } | { op: 'latency'; ms: number } | { op: 'verify'; now: number };

/** Answers one request of the driving thread about its fake. */
async function serve(fake: Fake3scale, request: Request): Promise<unknown> {
  switch (request.op) {
    case 'reset':
      fake.reset({ keepState: true });
      return null;
    case 'latency':
      fake.setLatency('*', request.ms);
      return null;
    case 'calls':
      return Object.values(fake.stats()).reduce((sum, n) => sum + n, 0);
    case 'verify':
      return verify(fake, request.now);
    case 'close':
      await fake.close();
      return null;
  }
}

async function fakeHere(deadlines: number, now: number): Promise<FakeSide> {
  const fake = createFake3scale();
  const url = await fake.listen();
  const seeded = seed(fake, deadlines, now);
  const ask = async (request: Request) => serve(fake, request);
  return {
    url,
    accessToken: fake.accessToken,
    seeded,
    reset: async () => void (await ask({ op: 'reset' })),
    setLatency: async (ms) => void (await ask({ op: 'latency', ms })),
    calls: async () => (await ask({ op: 'calls' })) as number,
    verify: async (at) => (await ask({ op: 'verify', now: at })) as string[],
    close: async () => void (await ask({ op: 'close' })),
  };
}

/** The fake in a worker thread: its work no longer shares an event loop with the helper's side. */
async function fakeInThread(deadlines: number, now: number): Promise<FakeSide> {
  // A worker does not inherit the TypeScript loader: it registers it, then loads this file.
  const entry =
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(entry, { eval: true, workerData: { role: 'fake', deadlines, now } });
  const replies: Array<(value: unknown) => void> = [];
  const ready = new Promise<{ url: string; accessToken: string; seeded: FakeSide['seeded'] }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', resolve);
  });
  const started = await ready;
  worker.on('message', (value: unknown) => replies.shift()?.(value));
  const ask = (request: Request) =>
    new Promise<unknown>((resolve) => {
      replies.push(resolve);
      worker.postMessage(request);
    });
  return {
    ...started,
    reset: async () => void (await ask({ op: 'reset' })),
    setLatency: async (ms) => void (await ask({ op: 'latency', ms })),
    calls: async () => (await ask({ op: 'calls' })) as number,
    verify: async (at) => (await ask({ op: 'verify', now: at })) as string[],
    close: async () => {
      await ask({ op: 'close' });
      await worker.terminate();
    },
  };
}

/** The worker thread's side: seeds its fake, then answers requests. */
async function fakeWorker(data: { deadlines: number; now: number }): Promise<void> {
  const fake = createFake3scale();
  const url = await fake.listen();
  const seeded = seed(fake, data.deadlines, data.now);
  parentPort?.on('message', (request: Request) => {
    void serve(fake, request).then((reply) => parentPort?.postMessage(reply));
  });
  parentPort?.postMessage({ url, accessToken: fake.accessToken, seeded });
}

export async function main(argv: string[] = []): Promise<void> {
  const at = argv.indexOf('--deadlines');
  const deadlines = at >= 0 ? Number(argv[at + 1]) : DEFAULT_DEADLINES;
  const inThread = argv.includes('--fake-thread');
  const now = Date.now();
  const fake = inThread ? await fakeInThread(deadlines, now) : await fakeHere(deadlines, now);
  const counted = countInFlight(
    createThreescaleHttp({ baseUrl: fake.url, accessToken: fake.accessToken, timeoutMs: 30_000 }),
  );
  const apiManager: ApiManager = createThreescaleApiManager({
    http: counted.http,
    cache: { catalogTtlMs: 600_000, catalogStaleMs: 600_000 },
  });
  let events = 0;
  const audit: AuditTrail = {
    record: async () => {
      events += 1;
    },
  };
  try {
    let cpuSeconds = 0;
    const seeded = fake.seeded;
    const run = async (): Promise<{
      report: ReconcileReport;
      ms: number;
      calls: number;
      peak: number;
      busyMs: number;
    }> => {
      await fake.reset();
      await fake.setLatency(LATENCY_MS);
      counted.reset();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const report = await reconcileOnce({ apiManager, audit, callsPerMinute: UNPACED, concurrency: CONCURRENCY });
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      cpuSeconds = (used.user + used.system) / 1e6;
      const calls = await fake.calls();
      return { report, ms, calls, peak: counted.peak(), busyMs: counted.busyMs() };
    };
    // One round trip alone, as the baseline of this run.
    await fake.setLatency(LATENCY_MS);
    await counted.http.get('/admin/api/services', { page: 1, per_page: 1 });
    const single = performance.now();
    await counted.http.get('/admin/api/services', { page: 1, per_page: 1 });
    const singleMs = performance.now() - single;

    const due = await run();
    const dueCpu = cpuSeconds;
    const problems = await fake.verify(now);
    const idle = await run();
    const per100 = (idle.calls / seeded.applications) * 100;
    const ideal = (due.calls * singleMs) / CONCURRENCY / 1000;
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
    const { done, failed, skipped } = due.report;
    process.stdout.write(
      [
        `## threescale-reconcile (fake 3scale ${inThread ? 'in a worker thread' : 'in this thread'}, ${LATENCY_MS} ms ` +
          `per call, concurrency ${CONCURRENCY}, ${UNPACED} calls/min)`,
        '',
        `load average ${load}; one GET round trip took ${singleMs.toFixed(0)} ms (baseline); tenant: ` +
          `${seeded.applications} applications, ${deadlines} due (${deadlines - seeded.grace} expired, ` +
          `${seeded.grace} ended grace periods)`,
        '',
        '| run | time | upstream calls | calls per deadline | peak in flight | done / skipped / failed | target |',
        '|---|---|---|---|---|---|---|',
        `| ${deadlines} due | ${(due.ms / 1000).toFixed(1)} s | ${due.calls} | ${(due.calls / deadlines).toFixed(2)} | ` +
          `${due.peak} | ${done} / ${skipped} / ${failed} | <= ${TARGET_SECONDS} s, <= ${CONCURRENCY} in flight ` +
          `${due.ms <= TARGET_SECONDS * 1000 && due.peak <= CONCURRENCY ? '' : '(missed)'} |`,
        `| nothing due | ${(idle.ms / 1000).toFixed(1)} s | ${idle.calls} | ${per100.toFixed(2)} per 100 keys | ` +
          `${idle.peak} | ${idle.report.done} / ${idle.report.skipped} / ${idle.report.failed} | <= 1 per 100 keys ` +
          `${per100 <= 1 ? '' : '(missed)'} |`,
        '',
        `Time if only the calls' latency counted (calls x one round trip / ${CONCURRENCY}): ${ideal.toFixed(1)} s. ` +
          `On average ${(due.busyMs / due.ms).toFixed(2)} calls in flight, each taking ` +
          `${(due.busyMs / due.calls).toFixed(1)} ms. ` +
          `CPU of this process (the fake${inThread ? "'s thread" : ''} and the helper's side together) during the ` +
          `run: ${dueCpu.toFixed(1)} s. ` +
          `Audit events: ${events}. State after the run: ${problems.length === 0 ? 'every deadline enforced' : `${problems.length} problems, e.g. ${problems.slice(0, 3).join('; ')}`}.`,
        `At the default RECONCILE_CALLS_PER_MINUTE (${DEFAULT_CALLS_PER_MINUTE}) the loop's ${deadlines} completions ` +
          `alone take >= ${(deadlines / DEFAULT_CALLS_PER_MINUTE).toFixed(1)} min.`,
        '',
      ].join('\n'),
    );
  } finally {
    await apiManager.close();
    await fake.close();
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'fake')
  await fakeWorker(workerData as { deadlines: number; now: number });
else if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
