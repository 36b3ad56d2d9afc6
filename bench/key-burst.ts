/**
 * @module bench/key-burst
 * A burst of first key requests over several helper replicas sharing one Redis, against the fake 3scale at
 * 20–60 ms per call: every user asks for a key on every service, several times at once, round-robin over the
 * replicas. Requirement: p50 ≤ 400 ms and p99 ≤ 1.5 s, every answer a 200, exactly one application per
 * (user, service) and one key per pair. Then the same burst for new users with one replica killed (SIGKILL)
 * while creates are in flight: no pair whose requests reached a surviving replica waits more than 5 s, and
 * still one application and one key per pair.
 *
 * Processes: this one (the fake 3scale in-process, a loopback test issuer, a redis-server child) and the
 * built helper replicas (`packages/helper/dist/bin/mlaas-helper.js`) with their defaults and REDIS_URL.
 *
 * The users have 3scale accounts (signed up before the burst) and no applications.
 *
 * Run: `node --import tsx bench/key-burst.ts [--replicas 3] [--users 30] [--services 4] [--concurrency 8]
 *       [--helper-env NAME=VALUE]... [--helper-bin PATH] [--check]`
 * Prints a markdown report on stdout, progress on stderr, and writes bench/results/key-burst.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFake3scale, defaultSeed, type Fake3scale } from '../packages/fake-3scale/src/index.js';
import { startRedis } from '../packages/helper/test/support/redis-server.js';
import { startTestIssuer, type TestIssuer } from '../packages/helper/test/support/test-issuer.js';
import type { ChildServer } from './lib/child-server.js';
import { ensureHelperBuilt } from './lib/helper-build.js';
import { SHARED_ARG_OPTIONS, readHelperOptions, wholeNumber, type HelperOptions } from './lib/options.js';
import { fmt, machineInfo, writeReport } from './lib/report.js';
import { runIfMain } from './lib/run-if-main.js';
import { startHelper } from './lib/start-helper.js';

export const TARGET_P50_MS = 400;
export const TARGET_P99_MS = 1_500;
export const TARGET_KILLED_MAX_MS = 5_000;
/** Upstream latency of every fake 3scale call, in ms. */
const UPSTREAM_LATENCY = { min: 20, max: 60 };
/** Creates reached 3scale before the replica is killed. */
const CREATES_BEFORE_KILL = 10;

const progress = (message: string) => process.stderr.write(`key-burst: ${message}\n`);

interface Answer {
  user: number;
  service: string;
  replica: number;
  ms: number;
  status: number | 'error';
  apiKey: string | null;
  /** The error code of a refused request (or the fetch failure). */
  code: string | null;
}

interface BurstResult {
  requests: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  pairs: number;
  applications: number;
  pairsWithOneApplication: number;
  pairsWithOneKey: number;
  creates: number;
  deletes: number;
  upstreamCalls: Record<string, number>;
}

/** The counters of a replica's /metrics this report reads: upstream calls by operation, CPU seconds. */
async function scrape(replica: ChildServer): Promise<Map<string, number>> {
  const text = await fetch(`${replica.baseUrl}/metrics`).then((r) => r.text());
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match =
      /^(mlaas_upstream_call_duration_seconds_(?:sum|count)\{operation="[^"]*"\}|process_cpu_seconds_total|nodejs_eventloop_lag_p99_seconds) ([\d.e+-]+)$/.exec(
        line,
      );
    if (match) values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

/**
 * Where the burst's time went, from the replicas' own metrics: each 3scale operation's calls and mean duration
 * as the helpers saw them (the fake answers in 20–60 ms; anything above is time the call waited in the
 * helper's event loop or the machine's run queue), and the replicas' CPU seconds against the wall time.
 */
function whereTimeWent(before: Map<string, number>[], after: Map<string, number>[], wallMs: number) {
  const operations = new Map<string, { calls: number; seconds: number }>();
  let cpuSeconds = 0;
  after.forEach((values, i) => {
    const earlier = before[i] ?? new Map<string, number>();
    const delta = (name: string) => (values.get(name) ?? 0) - (earlier.get(name) ?? 0);
    cpuSeconds += delta('process_cpu_seconds_total');
    for (const name of values.keys()) {
      const op = /_count\{operation="([^"]*)"\}/.exec(name)?.[1];
      if (op === undefined) continue;
      const entry = operations.get(op) ?? { calls: 0, seconds: 0 };
      entry.calls += delta(name);
      entry.seconds += delta(name.replace('_count{', '_sum{'));
      operations.set(op, entry);
    }
  });
  return {
    wallMs,
    replicaCpuSeconds: cpuSeconds,
    upstream: [...operations]
      .filter(([, v]) => v.calls > 0)
      .map(([operation, v]) => ({ operation, calls: v.calls, meanMs: (v.seconds / v.calls) * 1000 })),
  };
}

function failureLine(run: string, r: BurstResult): string {
  const entries = Object.entries(r.failures);
  return entries.length === 0
    ? ''
    : `\nNot 200 (${run}): ${entries.map(([what, n]) => `${what} × ${n}`).join(', ')}.\n`;
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * The clients' connections: node:http costs this process (which also runs the fake 3scale on the same two
 * cores) a fraction of the CPU of fetch, so less of the machine goes to the measuring side.
 */
const clientAgent = new Agent({ keepAlive: true, maxSockets: Infinity });

function postInit(baseUrl: string, token: string, service: string): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify({ service_id: service });
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}/api/services/init`, {
      method: 'POST',
      agent: clientAgent,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
      },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.end(payload);
  });
}

async function burst(
  replicas: readonly ChildServer[],
  tokens: readonly string[],
  services: readonly string[],
  concurrency: number,
  during?: (answers: Answer[]) => void,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  const calls: Promise<void>[] = [];
  for (let round = 0; round < concurrency; round++) {
    let pair = 0;
    tokens.forEach((token, user) => {
      for (const service of services) {
        // Round-robin that sends each pair's requests to every replica in turn.
        const replica = (round + pair++) % replicas.length;
        const started = performance.now();
        calls.push(
          postInit((replicas[replica] as ChildServer).baseUrl, token, service)
            .then(({ status, text }) => {
              const body = JSON.parse(text) as { data?: { api_key?: string }; error?: { code?: string } };
              return { status, apiKey: body.data?.api_key ?? null, code: body.error?.code ?? null };
            })
            .catch((error: unknown) => ({ status: 'error' as const, apiKey: null, code: String(error) }))
            .then(({ status, apiKey, code }) => {
              answers.push({ user, service, replica, ms: performance.now() - started, status, apiKey, code });
            }),
        );
      }
    });
  }
  during?.(answers);
  await Promise.all(calls);
  return answers;
}

function summarise(answers: Answer[], fake: Fake3scale, usernames: readonly string[], services: readonly string[]) {
  const times = answers.map((a) => a.ms).sort((x, y) => x - y);
  const keys = new Map<string, Set<string>>();
  for (const a of answers) {
    if (a.apiKey === null) continue;
    const pair = `${a.user}/${a.service}`;
    keys.set(pair, (keys.get(pair) ?? new Set()).add(a.apiKey));
  }
  let applications = 0;
  let pairsWithOneApplication = 0;
  for (const username of usernames) {
    let apps: { serviceId: number }[] = [];
    try {
      apps = fake.state.applicationsOf(fake.state.findAccount({ username }).id);
    } catch {
      // No account: the user got no key at all.
    }
    for (const service of services) {
      const n = apps.filter((app) => String(app.serviceId) === service).length;
      applications += n;
      if (n === 1) pairsWithOneApplication += 1;
    }
  }
  const stats = fake.stats();
  return {
    requests: answers.length,
    ok: answers.filter((a) => a.status === 200).length,
    failed: answers.filter((a) => a.status !== 200).length,
    /** Refused or failed requests by status and error code, e.g. `503 UPSTREAM_TIMEOUT: 12`. */
    failures: countBy(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.code ?? ''}`.trim())),
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: times[times.length - 1] ?? 0,
    pairs: usernames.length * services.length,
    applications,
    pairsWithOneApplication,
    pairsWithOneKey: [...keys.values()].filter((set) => set.size === 1).length,
    creates: stats['applications.create'] ?? 0,
    deletes: stats['applications.delete'] ?? 0,
    /** Every 3scale call of the burst, by endpoint. */
    upstreamCalls: stats,
  } satisfies BurstResult;
}

/** The users have 3scale accounts and no application yet, as in the scenario measured. */
function signUp(fake: Fake3scale, usernames: readonly string[]): void {
  for (const username of usernames) {
    // With a password the signup is activated at once (approved), as an account made by an admin is.
    fake.state.signup({ orgName: username, username, email: `${username}@example.test`, password: 'burst-Passw0rd!' });
  }
}

async function tokensFor(issuer: TestIssuer, usernames: readonly string[]): Promise<string[]> {
  return Promise.all(
    usernames.map((username) =>
      issuer.token({
        claims: { sub: `sub-${username}`, preferred_username: username, email: `${username}@example.test` },
        expiresIn: 3_600,
      }),
    ),
  );
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...SHARED_ARG_OPTIONS,
      replicas: { type: 'string' },
      users: { type: 'string' },
      services: { type: 'string' },
      concurrency: { type: 'string' },
    },
    strict: true,
  });
  const helper: HelperOptions = readHelperOptions(values);
  const replicaCount = wholeNumber('--replicas', values.replicas, 3, 2);
  const userCount = wholeNumber('--users', values.users, 30, 1);
  const serviceCount = wholeNumber('--services', values.services, 4, 1);
  const concurrency = wholeNumber('--concurrency', values.concurrency, 8, 1);
  ensureHelperBuilt(progress);

  const seed = defaultSeed();
  // Every first key request creates an application (no signup subscriptions), so the locks matter.
  for (const service of seed.services ?? []) service.service_plan = 'published';
  // Signup subscribes merely published service plans too, unless the service plans screen is shown.
  seed.settings = { ...seed.settings, service_plans_ui_visible: true };
  const fake = createFake3scale({ seed });
  await fake.listen(0, '127.0.0.1');
  const [issuer, redis] = await Promise.all([startTestIssuer(), startRedis()]);
  const workDir = mkdtempSync(join(tmpdir(), 'mlaas-key-burst-'));
  const replicas: ChildServer[] = [];
  try {
    const start = () =>
      startHelper({
        ...helper,
        helperEnv: { REDIS_URL: redis.url, ...helper.helperEnv },
        backend: { kind: 'threescale', adminApi: { url: fake.url, accessToken: fake.accessToken } },
        issuerUrl: issuer.url,
        workDir,
      });
    for (let i = 0; i < replicaCount; i++) replicas.push(await start());
    const services = (await fetch(`${replicas[0]?.baseUrl}/api/services`, {
      headers: { authorization: `Bearer ${(await tokensFor(issuer, ['warmup']))[0]}` },
    })
      .then((r) => r.json() as Promise<{ data: { services: { id: string }[] } }>)
      .then((body) => body.data.services.map((s) => s.id))) as string[];
    if (services.length < serviceCount) throw new Error(`the fake offers ${services.length} services`);
    const chosen = services.slice(0, serviceCount);
    fake.setLatency('*', UPSTREAM_LATENCY);

    // Warm every replica's catalog and token cache, so the burst measures key requests.
    const usernames = Array.from({ length: userCount }, (_, i) => `burst-user${i}`);
    signUp(fake, usernames);
    const tokens = await tokensFor(issuer, usernames);
    for (const replica of replicas) {
      await Promise.all(
        tokens.map((token) =>
          fetch(`${replica.baseUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } }).then((r) =>
            r.arrayBuffer(),
          ),
        ),
      );
    }
    fake.reset({ keepState: true });
    fake.setLatency('*', UPSTREAM_LATENCY);
    progress(`burst: ${userCount} users × ${serviceCount} services × ${concurrency} over ${replicaCount} replicas`);
    const before = await Promise.all(replicas.map(scrape));
    const burstStarted = performance.now();
    const ownCpu = process.cpuUsage();
    const plain = summarise(await burst(replicas, tokens, chosen, concurrency), fake, usernames, chosen);
    const ownCpuSeconds = ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(ownCpu));
    const where = {
      ...whereTimeWent(before, await Promise.all(replicas.map(scrape)), performance.now() - burstStarted),
      /** This process: the fake 3scale and the 960 clients. */
      benchCpuSeconds: ownCpuSeconds,
    };

    // The same burst for new users; one replica is killed once creates are under way.
    const killedUsers = Array.from({ length: userCount }, (_, i) => `killed-user${i}`);
    signUp(fake, killedUsers);
    const killedTokens = await tokensFor(issuer, killedUsers);
    for (const replica of replicas) {
      await Promise.all(
        killedTokens.map((token) =>
          fetch(`${replica.baseUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } }).then((r) =>
            r.arrayBuffer(),
          ),
        ),
      );
    }
    fake.reset({ keepState: true });
    fake.setLatency('*', UPSTREAM_LATENCY);
    const victim = replicas[0] as ChildServer;
    progress(`burst with replica pid ${victim.pid} killed after ${CREATES_BEFORE_KILL} creates`);
    let killedAt = 0;
    const watcher = setInterval(() => {
      if (killedAt === 0 && (fake.stats()['applications.create'] ?? 0) >= CREATES_BEFORE_KILL) {
        killedAt = performance.now();
        process.kill(victim.pid, 'SIGKILL');
      }
    }, 5);
    const killedAnswers = await burst(replicas, killedTokens, chosen, concurrency);
    clearInterval(watcher);
    const survivors = killedAnswers.filter((a) => a.replica !== 0);
    const killed = summarise(survivors, fake, killedUsers, chosen);
    const lostOnVictim = killedAnswers.filter((a) => a.replica === 0 && a.status === 'error').length;

    const met = {
      p50: plain.p50Ms <= TARGET_P50_MS,
      p99: plain.p99Ms <= TARGET_P99_MS,
      exactlyOne: plain.applications === plain.pairs && plain.pairsWithOneKey === plain.pairs && plain.failed === 0,
      killedMax: killed.maxMs <= TARGET_KILLED_MAX_MS,
      killedExactlyOne: killed.applications === killed.pairs && killed.pairsWithOneKey === killed.pairs,
    };
    const report = {
      benchmark: 'key-burst',
      ...machineInfo(),
      loadAverage: loadavg(),
      setup: {
        replicas: replicaCount,
        users: userCount,
        services: serviceCount,
        concurrency,
        upstream: UPSTREAM_LATENCY,
      },
      plain,
      whereTimeWent: where,
      killed: { ...killed, killedAfterCreates: CREATES_BEFORE_KILL, killedReplicaRequestsLost: lostOnVictim },
      met,
    };
    const row = (name: string, r: BurstResult) =>
      `| ${name} | ${r.requests} | ${r.ok} | ${fmt(r.p50Ms, 0)} | ${fmt(r.p99Ms, 0)} | ${fmt(r.maxMs, 0)} | ${r.applications} / ${r.pairs} | ${r.pairsWithOneKey} | ${r.creates} | ${r.deletes} |\n`;
    writeReport(
      report,
      `## key-burst (${replicaCount} replicas, ${userCount} users × ${serviceCount} services × ${concurrency}, upstream ${UPSTREAM_LATENCY.min}–${UPSTREAM_LATENCY.max} ms)\n\n` +
        '| run | requests | 200 | p50 ms | p99 ms | max ms | applications / pairs | pairs with one key | creates | deletes |\n' +
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
        row('burst', plain) +
        row('replica killed (surviving replicas)', killed) +
        failureLine('burst', plain) +
        `\nWhere the burst's time went (replicas' own metrics): ${fmt(where.wallMs, 0)} ms wall, ` +
        `${where.replicaCpuSeconds.toFixed(1)} CPU s over ${replicaCount} replicas, ` +
        `${where.benchCpuSeconds.toFixed(1)} CPU s in this process (the fake 3scale and the clients); ` +
        '3scale calls as the helpers saw them: ' +
        where.upstream.map((u) => `${u.operation} ${u.calls} × ${fmt(u.meanMs, 0)} ms`).join(', ') +
        '.\n' +
        failureLine('replica killed', killed) +
        `\nRequests lost with the killed replica: ${lostOnVictim}. Targets: p50 ≤ ${TARGET_P50_MS} ms ${met.p50 ? 'met' : 'MISSED'}, ` +
        `p99 ≤ ${TARGET_P99_MS} ms ${met.p99 ? 'met' : 'MISSED'}, one application and one key per pair ${met.exactlyOne ? 'met' : 'MISSED'}; ` +
        `killed replica: max wait ≤ ${TARGET_KILLED_MAX_MS} ms ${met.killedMax ? 'met' : 'MISSED'}, one application and key per pair ${met.killedExactlyOne ? 'met' : 'MISSED'}.\n`,
      progress,
    );
    if (values.check && Object.values(met).includes(false)) process.exitCode = 1;
  } finally {
    await Promise.all(replicas.map((r) => r.stop().catch(() => null)));
    await Promise.all([fake.close(), issuer.close(), redis.stop()]);
    rmSync(workDir, { recursive: true, force: true });
    clientAgent.destroy();
  }
}

runIfMain(import.meta.url, main);
