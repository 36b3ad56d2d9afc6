/**
 * @module bench/threescale-list
 * Benchmark of `GET /api/services` on the 3scale adapter: a fake 3scale with 20
 * services and 30 ms of latency on every call; the wall time and upstream calls of a cold list — a fresh
 * helper process's first list as soon as it is ready, as configured by default (the catalog loading since it
 * started) and with THREESCALE_CATALOG_PRELOAD=false (every cache empty) — and of warm lists, next to the
 * original helper's pattern — 1 account find,
 * 1 services list, 1 proxy read per service and 1 applications list, in series. Targets: a cold list within
 * 3 upstream round trips of wall time; warm lists make no catalog call, and their p99 at 50 concurrent
 * clients is at most 5 ms.
 *
 * Two processes: this one (the fake 3scale in-process, a loopback test issuer, autocannon) and the built
 * helper (`packages/helper/dist/bin/mlaas-helper.js`), started afresh for every cold run (the two kinds
 * alternate); the last one, as configured by default, is kept for the warm measurements.
 *
 * Run: `node --import tsx bench/threescale-list.ts [--services 20] [--latency 30] [--cold-runs 5]
 *       [--duration 10] [--warmup 3] [--rounds 1] [--connections 50] [--helper-env NAME=VALUE]...
 *       [--helper-node-arg=FLAG]... [--helper-bin PATH] [--check]`
 * Prints a markdown report on stdout, progress on stderr, and writes bench/results/threescale-list.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  ENDPOINT_KEYS,
  createFake3scale,
  defaultSeed,
  seedWithServices,
  type EndpointKey,
  type Fake3scale,
  type Seed,
} from '../packages/fake-3scale/src/index.js';
import { startTestIssuer, type TestIssuer } from '../packages/helper/test/support/test-issuer.js';
import { BENCH_HOST, type ChildServer } from './lib/child-server.js';
import { HELPER_BIN, ensureHelperBuilt } from './lib/helper-build.js';
import {
  measureRound,
  median,
  medianRound,
  type LoadSettings,
  type RoundMedians,
  type RoundResult,
} from './lib/load.js';
import {
  DEFAULT_LOAD_OPTIONS,
  SHARED_ARG_OPTIONS,
  describeHelperOptions,
  readHelperOptions,
  readLoadOptions,
  wholeNumber,
} from './lib/options.js';
import type { HelperOptions, LoadOptions } from './lib/options.js';
import { fmt, machineInfo, writeReport, type MachineInfo } from './lib/report.js';
import { runIfMain } from './lib/run-if-main.js';
import { BENCH_CLIENT_ID, startHelper } from './lib/start-helper.js';

/** Target: the cold list's wall time, in upstream round trips. */
export const TARGET_COLD_ROUND_TRIPS = 3;
/** Target: p99 latency of warm lists at 50 concurrent clients, in milliseconds. */
export const TARGET_WARM_P99_MS = 5;
export const DEFAULT_SERVICES = 20;
export const DEFAULT_LATENCY_MS = 30;
export const DEFAULT_COLD_RUNS = 5;
export const DEFAULT_ROUNDS = 1;
/** Warm lists made one by one after the cold one, to count their upstream calls exactly. */
const WARM_LIST_CALLS = 5;
/** The token outlives the whole run, so every request after the first hits the verifier's cache. */
const TOKEN_LIFETIME_SECONDS = 3_600;
/** The seed's user with an existing 3scale account. */
const BENCH_USER = 'alice';
/** A backend-version-1 product of the default seed: its key is part of the application, so no extra key read. */
const KEYED_SERVICE = 'llm-chat';
/** The Admin API reads that make up the catalog; a warm list must make none of them. */
const CATALOG_ENDPOINTS: readonly EndpointKey[] = ['services.list', 'services.read', 'proxy.read', 'plans.list'];
/** 3scale's largest page, as the adapter asks for it. */
const PAGE_SIZE = 500;

const LIST_PATH = '/api/services';

export interface ThreescaleListOptions extends LoadOptions, HelperOptions {
  /** Products in the fake tenant: the default seed's own plus generated ones. */
  services: number;
  /** Fixed latency the fake adds to every Admin API call, in milliseconds. */
  latencyMs: number;
  /** Fresh helper processes, each measured on its first list. */
  coldRuns: number;
  /** Measured autocannon rounds on the warm helper. */
  rounds: number;
  /** Exit with 1 when a target is missed. */
  check: boolean;
}

/** Calls per Admin API endpoint (only those called). */
export type UpstreamCalls = Partial<Record<EndpointKey, number>>;

/** One timed list (or one run of the original pattern). */
export interface TimedRun {
  wallMs: number;
  calls: UpstreamCalls;
  /** Sequential rounds of upstream calls seen at the fake: calls that started together count once. */
  waves: number;
  /** When each upstream call reached the fake, in milliseconds after the run started (clock resolution 1 ms). */
  timeline: Array<{ atMs: number; endpoint: EndpointKey }>;
}

export interface ColdSummary {
  runs: TimedRun[];
  medianWallMs: number;
  medianWaves: number;
  ratioToLatency: number;
  roundTrips: number;
}

/** Everything written to bench/results/threescale-list.json. */
export interface ThreescaleListReport extends MachineInfo {
  benchmark: 'threescale-list';
  /** 1-minute load average before the first run and after the last. */
  loadAverage: { before: number; after: number };
  settings: Omit<ThreescaleListOptions, 'check'> & { path: string; user: string };
  /**
   * One upstream round trip as this machine does it: the original pattern's median wall time divided by its
   * calls (the fake's latency plus client, loopback and server overhead).
   */
  roundTripMs: number;
  original: { runs: TimedRun[]; medianWallMs: number; roundTrips: number };
  /** A fresh helper's first list as soon as it is ready, as configured by default (catalog preloading). */
  cold: ColdSummary;
  /** The same with THREESCALE_CATALOG_PRELOAD=false: every cache empty at the first list. */
  coldCatalog: ColdSummary;
  warm: {
    /** Lists made one by one right after the cold one. */
    single: { runs: TimedRun[]; medianWallMs: number };
    rounds: RoundResult[];
    median: RoundMedians;
    /** Upstream calls during the autocannon rounds, warm-ups included. */
    loadCalls: UpstreamCalls;
    /** Responses of the measured rounds (the calls above also served the warm-ups). */
    loadResponses: number;
  };
  targets: { coldRoundTrips: number; warmP99Ms: number };
  meets: { coldRoundTrips: boolean; warmNoCatalogCalls: boolean; warmP99: boolean };
  /** Informational: whether the cold list without catalog preloading is within the target too. */
  coldCatalogWithinTarget: boolean;
}

const NO_PRELOAD = { THREESCALE_CATALOG_PRELOAD: 'false' };

/**
 * Runs the benchmark and returns its report (also printed and written to bench/results/).
 * @example const report = await runThreescaleListBench(parseOptions(['--cold-runs', '3']));
 */
export async function runThreescaleListBench(
  options: ThreescaleListOptions = parseOptions([]),
): Promise<ThreescaleListReport> {
  if (options.helperBin === HELPER_BIN) ensureHelperBuilt(progress);

  const workDir = mkdtempSync(join(tmpdir(), 'mlaas-bench-3scale-'));
  const fake = createFake3scale({ seed: benchSeed(options.services), latency: { '*': options.latencyMs } });
  let issuer: TestIssuer | null = null;
  let helper: ChildServer | null = null;
  try {
    await fake.listen(0, BENCH_HOST);
    issuer = await startTestIssuer({ clientId: BENCH_CLIENT_ID });
    const token = await issuer.token({
      expiresIn: TOKEN_LIFETIME_SECONDS,
      claims: { soeid: BENCH_USER, preferred_username: BENCH_USER },
    });
    const headers = { authorization: `Bearer ${token}` };
    const loadBefore = loadavg()[0] ?? 0;

    // This process's first fetch loads undici and opens a connection: not part of any measurement.
    await fetch(`${fake.url}/__fake/stats`).then((response) => response.arrayBuffer());
    const originalRuns: TimedRun[] = [];
    for (let run = 1; run <= options.coldRuns; run += 1) {
      progress(`original pattern ${run}/${options.coldRuns}`);
      originalRuns.push(await timeUpstream(fake, options.latencyMs, () => runOriginalPattern(fake)));
    }

    const coldRuns: TimedRun[] = [];
    const coldCatalogRuns: TimedRun[] = [];
    const backend = { kind: 'threescale', adminApi: fake } as const;
    const kinds: Array<[TimedRun[], Record<string, string>]> = [
      [coldCatalogRuns, { ...options.helperEnv, ...NO_PRELOAD }],
      [coldRuns, options.helperEnv],
    ];
    for (let run = 1; run <= options.coldRuns; run += 1) {
      progress(`cold list ${run}/${options.coldRuns}: fresh helpers, without and with catalog preloading`);
      for (const [runs, helperEnv] of kinds) {
        await helper?.stop();
        helper = null;
        const server = await startHelper({ ...options, helperEnv, backend, issuerUrl: issuer.url, workDir });
        helper = server;
        runs.push(
          await timeUpstream(fake, options.latencyMs, () => listOnce(server.baseUrl, headers, options.services)),
        );
      }
    }
    if (helper === null) throw new Error('no helper was started');
    const warmHelper = helper;

    progress(`${WARM_LIST_CALLS} warm lists, one by one`);
    const singleRuns: TimedRun[] = [];
    for (let call = 0; call < WARM_LIST_CALLS; call += 1) {
      singleRuns.push(
        await timeUpstream(fake, options.latencyMs, () => listOnce(warmHelper.baseUrl, headers, options.services)),
      );
    }

    const settings: LoadSettings = {
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      headers,
    };
    const statsBeforeLoad = fake.stats();
    const rounds: RoundResult[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      progress(
        `warm load ${round}/${options.rounds}: ${options.connections} connections, ${options.durationSeconds} s`,
      );
      rounds.push(await measureRound(`${warmHelper.baseUrl}${LIST_PATH}`, settings, () => warmHelper.cpuTimes()));
    }
    const loadCalls = callsBetween(statsBeforeLoad, fake.stats());
    const loadAfter = loadavg()[0] ?? 0;

    const roundTripMs = median(originalRuns.map((r) => r.wallMs)) / totalCalls(originalRuns[0]?.calls ?? {});
    const summarise = (runs: TimedRun[]): ColdSummary => {
      const medianWallMs = median(runs.map((r) => r.wallMs));
      return {
        runs,
        medianWallMs,
        medianWaves: median(runs.map((r) => r.waves)),
        ratioToLatency: medianWallMs / options.latencyMs,
        roundTrips: medianWallMs / roundTripMs,
      };
    };
    const cold = summarise(coldRuns);
    const coldCatalog = summarise(coldCatalogRuns);
    const warmMedian = medianRound(rounds);
    const loadResponses = rounds.reduce((sum, r) => sum + r.responses, 0);
    const warmCatalogCalls = [...singleRuns.map((r) => r.calls), loadCalls].reduce(
      (sum, calls) => sum + catalogCalls(calls),
      0,
    );
    const { check: _check, ...settingsOut } = options;
    return {
      benchmark: 'threescale-list',
      ...machineInfo(),
      loadAverage: { before: loadBefore, after: loadAfter },
      settings: { ...settingsOut, path: LIST_PATH, user: BENCH_USER },
      roundTripMs,
      original: {
        runs: originalRuns,
        medianWallMs: median(originalRuns.map((r) => r.wallMs)),
        roundTrips: median(originalRuns.map((r) => r.wallMs)) / roundTripMs,
      },
      cold,
      coldCatalog,
      warm: {
        single: { runs: singleRuns, medianWallMs: median(singleRuns.map((r) => r.wallMs)) },
        rounds,
        median: warmMedian,
        loadCalls,
        loadResponses,
      },
      targets: { coldRoundTrips: TARGET_COLD_ROUND_TRIPS, warmP99Ms: TARGET_WARM_P99_MS },
      meets: {
        // Judged in measured round trips: the fake's latency plus this machine's per-call overhead.
        coldRoundTrips: cold.roundTrips <= TARGET_COLD_ROUND_TRIPS,
        warmNoCatalogCalls: warmCatalogCalls === 0,
        warmP99: warmMedian.latencyP99Ms <= TARGET_WARM_P99_MS,
      },
      coldCatalogWithinTarget: coldCatalog.roundTrips <= TARGET_COLD_ROUND_TRIPS,
    };
  } finally {
    const code = await helper?.stop();
    if (code !== undefined && code !== 0) progress(`helper exited with ${code ?? 'a signal'}`);
    await issuer?.close();
    await fake.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The default seed plus generated products up to `services`, and one key of the benchmark user on a v1 product. */
function benchSeed(services: number): Seed {
  const base = defaultSeed();
  const own = base.services?.length ?? 0;
  if (services < own) throw new TypeError(`--services must be at least ${own}, the default seed's own products`);
  const seed = seedWithServices(services - own, base);
  return { ...seed, applications: [...(seed.applications ?? []), { account: BENCH_USER, service: KEYED_SERVICE }] };
}

/**
 * Times `work` and reads, from the fake's counters and request log, the upstream calls it caused and how
 * many sequential rounds they came in.
 */
export async function timeUpstream(fake: Fake3scale, latencyMs: number, work: () => Promise<void>): Promise<TimedRun> {
  const before = fake.stats();
  const lastSeq = fake.requests().at(-1)?.seq ?? 0;
  const startedAt = Date.now();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const timeline = fake
    .requests()
    .flatMap((r) =>
      r.seq > lastSeq && r.endpoint !== null ? [{ atMs: Date.parse(r.at) - startedAt, endpoint: r.endpoint }] : [],
    );
  return {
    wallMs,
    calls: callsBetween(before, fake.stats()),
    waves: countWaves(
      timeline.map((t) => t.atMs),
      latencyMs,
    ),
    timeline,
  };
}

/**
 * Sequential rounds of upstream calls. A call that waited for another's answer reaches the fake at least the
 * injected latency after it, so a call arriving a full latency after the first call of the current round
 * starts the next round. Every chain of dependent calls thus spans as many rounds as it has calls; calls
 * spread out by a busy machine can only add rounds, never hide one.
 */
export function countWaves(arrivalsMs: number[], latencyMs: number): number {
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  let waves = 0;
  let waveStart = -Infinity;
  for (const at of sorted) {
    if (at - waveStart >= latencyMs) {
      waves += 1;
      waveStart = at;
    }
  }
  return waves;
}

/** One `GET /api/services`; throws unless it is a 200 listing every product, the user's account and a key. */
async function listOnce(baseUrl: string, headers: Record<string, string>, services: number): Promise<void> {
  const response = await fetch(`${baseUrl}${LIST_PATH}`, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${LIST_PATH} answered ${response.status}: ${text}`);
  const body = JSON.parse(text) as {
    data?: { services?: Array<{ has_api_key?: boolean }>; account_id?: string | null };
  };
  const listed = body.data?.services ?? [];
  if (listed.length !== services) throw new Error(`GET ${LIST_PATH} listed ${listed.length} services, not ${services}`);
  if (body.data?.account_id == null) throw new Error(`GET ${LIST_PATH} found no account for ${BENCH_USER}`);
  if (!listed.some((s) => s.has_api_key === true)) throw new Error(`GET ${LIST_PATH} shows no key for ${BENCH_USER}`);
}

/**
 * The original helper's reads for one list, in series, as JSON with the admin token in a Basic header:
 * find the account, list the services, read each service's proxy, list the account's applications.
 */
async function runOriginalPattern(fake: Fake3scale): Promise<void> {
  const authorization = `Basic ${Buffer.from(`:${fake.accessToken}`).toString('base64')}`;
  const get = async (path: string, params: Record<string, string> = {}): Promise<Record<string, unknown>> => {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${fake.url}${path}.json${query === '' ? '' : `?${query}`}`, {
      headers: { authorization, accept: 'application/json' },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`fake 3scale: GET ${path} answered ${response.status}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const found = await get('/admin/api/accounts/find', { username: BENCH_USER });
  const accountId = (found.account as { id?: unknown } | undefined)?.id;
  if (accountId === undefined) throw new Error(`fake 3scale: no account for ${BENCH_USER}`);
  const page = await get('/admin/api/services', { page: '1', per_page: String(PAGE_SIZE) });
  const services = (page.services as Array<{ service: { id: unknown } }> | undefined) ?? [];
  for (const { service } of services) await get(`/admin/api/services/${String(service.id)}/proxy`);
  await get(`/admin/api/accounts/${String(accountId)}/applications`);
}

function callsBetween(before: Record<string, number>, after: Record<string, number>): UpstreamCalls {
  const calls: UpstreamCalls = {};
  for (const key of ENDPOINT_KEYS) {
    const delta = (after[key] ?? 0) - (before[key] ?? 0);
    if (delta !== 0) calls[key] = delta;
  }
  return calls;
}

function totalCalls(calls: UpstreamCalls): number {
  return Object.values(calls).reduce((sum, n) => sum + (n ?? 0), 0);
}

function catalogCalls(calls: UpstreamCalls): number {
  return CATALOG_ENDPOINTS.reduce((sum, key) => sum + (calls[key] ?? 0), 0);
}

/** The report as markdown, for stdout and for pasting into bench/README.md. */
export function formatReport(report: ThreescaleListReport): string {
  const { settings, original, cold, coldCatalog, warm, meets } = report;
  const verdict = (met: boolean) => (met ? 'met' : '**missed**');
  const perRun = (runs: TimedRun[]) => runs.map((r) => fmt(r.wallMs, 0)).join(' / ');
  const sameCalls = (runs: TimedRun[]) => {
    const shown = new Set(runs.map((r) => describeCalls(r.calls)));
    return shown.size === 1 ? [...shown][0] : [...shown].join('; or ');
  };
  const extras = describeHelperOptions(settings);
  const coldRow = (label: string, c: ColdSummary) =>
    `| ${label} | ${fmt(c.medianWallMs, 1)} | ${perRun(c.runs)} | ${fmt(c.ratioToLatency, 2)} | ` +
    `${fmt(c.roundTrips, 2)} | ${fmt(c.medianWaves, 0)} | ${sameCalls(c.runs)} |`;
  const warmCalls = describeCalls(warm.loadCalls);
  return [
    `### GET ${settings.path} on 3scale — ${settings.services} services, ${settings.latencyMs} ms per upstream call`,
    '',
    `${report.date.slice(0, 10)}, Node ${report.node}, ${report.platform}, ${report.cpus.count} × ${report.cpus.model}; ` +
      `fake 3scale in the benchmark process with ${settings.latencyMs} ms fixed latency on every endpoint; ` +
      `user ${settings.user} (existing account, one key); ${settings.coldRuns} cold runs of each kind, each on a fresh helper process; ` +
      `load average ${fmt(report.loadAverage.before, 2)} before, ${fmt(report.loadAverage.after, 2)} after` +
      (extras.length > 0 ? `; ${extras.join('; ')}` : '') +
      '.',
    '',
    `One upstream round trip here: ${fmt(report.roundTripMs, 1)} ms (the serial pattern's median wall time ÷ its calls).`,
    '',
    '| list | wall ms (median) | wall ms per run | ÷ latency | round trips | sequential waves | upstream calls |',
    '|---|---:|---|---:|---:|---:|---|',
    `| original pattern, in series | ${fmt(original.medianWallMs, 1)} | ${perRun(original.runs)} | ` +
      `${fmt(original.medianWallMs / settings.latencyMs, 2)} | ${fmt(original.roundTrips, 2)} | ` +
      `${fmt(median(original.runs.map((r) => r.waves)), 0)} | ${sameCalls(original.runs)} |`,
    coldRow('helper, cold: fresh process, first list as soon as it is ready', cold),
    coldRow('… the same with THREESCALE_CATALOG_PRELOAD=false', coldCatalog),
    `| helper, warm (one by one) | ${fmt(warm.single.medianWallMs, 1)} | ${perRun(warm.single.runs)} | ` +
      `${fmt(warm.single.medianWallMs / settings.latencyMs, 2)} | ${fmt(warm.single.medianWallMs / report.roundTripMs, 2)} | ` +
      `${fmt(median(warm.single.runs.map((r) => r.waves)), 0)} | ${sameCalls(warm.single.runs)} |`,
    '',
    `Warm load: autocannon, ${settings.connections} connections, ${settings.rounds} round(s) of ${settings.durationSeconds} s ` +
      `after a ${settings.warmupSeconds} s warm-up, the same token.`,
    '',
    '| req/s | p50 ms | p99 ms | helper CPU µs/req | measured responses | upstream calls during the load, warm-ups included |',
    '|---:|---:|---:|---:|---:|---|',
    `| ${fmt(warm.median.requestsPerSecond, 0)} | ${fmt(warm.median.latencyP50Ms, 1)} | ${fmt(warm.median.latencyP99Ms, 1)} | ` +
      `${warm.median.serverCpuMicrosPerRequest === null ? 'n/a' : fmt(warm.median.serverCpuMicrosPerRequest, 1)} | ` +
      `${fmt(warm.loadResponses, 0)} | ${warmCalls} |`,
    '',
    `- Cold list ≤ ${report.targets.coldRoundTrips} round trips: ${verdict(meets.coldRoundTrips)} — ` +
      `${fmt(cold.roundTrips, 2)} measured round trips (${fmt(cold.ratioToLatency, 2)} × ${settings.latencyMs} ms), ` +
      `${fmt(cold.medianWaves, 0)} sequential waves of upstream calls. Without catalog preloading: ` +
      `${fmt(coldCatalog.roundTrips, 2)} round trips (${report.coldCatalogWithinTarget ? 'within' : 'over'} the target).`,
    `- Warm lists make no catalog call: ${verdict(meets.warmNoCatalogCalls)}.`,
    `- Warm p99 ≤ ${report.targets.warmP99Ms} ms at ${settings.connections} clients: ${verdict(meets.warmP99)} — ` +
      `p99 ${fmt(warm.median.latencyP99Ms, 1)} ms.`,
    '',
  ].join('\n');
}

/** `1 accounts.find + 1 services.list + … = N`, or `none`. */
function describeCalls(calls: UpstreamCalls): string {
  const parts = ENDPOINT_KEYS.filter((key) => (calls[key] ?? 0) > 0).map((key) => `${calls[key]} ${key}`);
  return parts.length === 0 ? 'none' : `${parts.join(' + ')} = ${totalCalls(calls)}`;
}

function progress(message: string): void {
  process.stderr.write(`threescale-list: ${message}\n`);
}

/**
 * Reads the command-line flags (see the module comment); throws TypeError on a bad one. The flags shared
 * with `list-services` mean the same, so `npm run bench -- --duration 5` applies to both.
 * @example parseOptions(['--cold-runs', '3', '--helper-env', 'ACCOUNT_CACHE_TTL_SECONDS=5'])
 */
export function parseOptions(argv: string[]): ThreescaleListOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      services: { type: 'string' },
      latency: { type: 'string' },
      'cold-runs': { type: 'string' },
      rounds: { type: 'string' },
      ...SHARED_ARG_OPTIONS,
    },
    strict: true,
  });
  const helper = readHelperOptions(values);
  return {
    services: wholeNumber('--services', values.services, DEFAULT_SERVICES, 1),
    latencyMs: wholeNumber('--latency', values.latency, DEFAULT_LATENCY_MS, 1),
    coldRuns: wholeNumber('--cold-runs', values['cold-runs'], DEFAULT_COLD_RUNS, 1),
    rounds: wholeNumber('--rounds', values.rounds, DEFAULT_ROUNDS, 1),
    ...readLoadOptions(values, DEFAULT_LOAD_OPTIONS),
    ...helper,
    check: values.check ?? false,
  };
}

/** Writes the report to bench/results/ and prints it; sets exit code 1 on a miss when `--check`. */
export async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const report = await runThreescaleListBench(options);
  writeReport(report, formatReport(report), progress);
  const missed = Object.values(report.meets).some((met) => !met);
  if (options.check && missed) process.exitCode = 1;
}

runIfMain(import.meta.url, main);
