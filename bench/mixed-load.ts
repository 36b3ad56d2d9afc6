/**
 * @module bench/mixed-load
 * Benchmark of the helper under a sustained mixed load on the 3scale adapter: 90 %
 * `GET /api/services` and 10 % `POST /api/services/init`, 50 concurrent clients, 200 users each with their
 * own token, for 60 seconds against the fake 3scale. Requirement: zero errors (every answer a 200, no socket
 * error or timeout), and the helper's resident memory grows by less than 20 % from the start of the measured
 * run to its end. Reported: p50/p99 latency, throughput, upstream calls, RSS at boot, at the start and at the
 * end of the run, and its peak.
 *
 * Two processes: this one (the fake 3scale in-process with its default tenant, a loopback test issuer and
 * autocannon) and the built helper (`packages/helper/dist/bin/mlaas-helper.js`) with its defaults — caches
 * included — except that every rate limit is off (200 users at this rate would otherwise get 429s).
 *
 * Run: `node --import tsx bench/mixed-load.ts [--duration 60] [--warmup 15] [--connections 50] [--users 200]
 *       [--init-percent 10] [--latency 0] [--helper-env NAME=VALUE]... [--helper-node-arg=FLAG]...
 *       [--helper-bin PATH] [--check]`
 * Prints a markdown report on stdout, progress on stderr, and writes bench/results/mixed-load.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Request, type Result } from 'autocannon';
import { createFake3scale, type EndpointKey } from '../packages/fake-3scale/src/index.js';
import { startTestIssuer } from '../packages/helper/test/support/test-issuer.js';
import { BENCH_HOST, type ChildServer } from './lib/child-server.js';
import { HELPER_BIN, ensureHelperBuilt } from './lib/helper-build.js';
import {
  SHARED_ARG_OPTIONS,
  readHelperOptions,
  readLoadOptions,
  wholeNumber,
  type HelperOptions,
  type LoadOptions,
} from './lib/options.js';
import { machineInfo, writeReport, type MachineInfo } from './lib/report.js';
import { runIfMain } from './lib/run-if-main.js';
import { BENCH_CLIENT_ID, startHelper } from './lib/start-helper.js';

/** How often the helper's resident set is sampled during the measured run. */
const RSS_SAMPLE_INTERVAL_MS = 5_000;
/** Requirement: RSS at the end of the measured run ÷ RSS at its start, minus one. */
export const MAX_RSS_GROWTH = 0.2;
export const DEFAULT_DURATION_SECONDS = 60;
export const DEFAULT_WARMUP_SECONDS = 15;
export const DEFAULT_CONNECTIONS = 50;
export const DEFAULT_USERS = 200;
export const DEFAULT_INIT_PERCENT = 10;
export const DEFAULT_LATENCY_MS = 0;
/** Tokens outlive the run, so the load measures the helper, not expiries. */
const TOKEN_LIFETIME_SECONDS = 3_600;
/** A request unanswered this long counts as a timeout (an error). */
const REQUEST_TIMEOUT_SECONDS = 10;
/** The default tenant's products, asked for by name as the CLI's `--name` does. */
const SERVICE_NAMES = ['LLM Chat Completions', 'Image Classification', 'Text Embeddings', 'Speech to Text'];
const LIST_PATH = '/api/services';
const INIT_PATH = '/api/services/init';
const MIB = 1024 * 1024;

/** The run's settings; `warmupSeconds` is the same load before the measured run, not measured: JIT, caches and heap settle. */
export interface MixedLoadOptions extends LoadOptions, HelperOptions {
  users: number;
  /** Share of requests that are inits, in percent. */
  initPercent: number;
  /** Latency the fake 3scale adds to every call, in milliseconds. */
  latencyMs: number;
  /** Exit with 1 when the requirement is missed. */
  check: boolean;
}

/** What one autocannon run produced. */
interface RunResult {
  result: Result;
  /** Responses by request kind and status. */
  statuses: { list: Record<string, number>; init: Record<string, number> };
}

/** Everything written to bench/results/mixed-load.json. */
export interface MixedLoadReport extends MachineInfo {
  benchmark: 'mixed-load';
  loadAverage: { before: number; after: number };
  settings: Omit<MixedLoadOptions, 'check'>;
  measured: {
    requests: number;
    requestsPerSecond: { mean: number; min: number; max: number };
    latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    statuses: RunResult['statuses'];
  };
  /** Admin API calls the fake received during the measured run. */
  upstreamCalls: Partial<Record<EndpointKey, number>>;
  memory: {
    /** Resident set right after the helper was ready, before any request. */
    bootRssMiB: number | null;
    /** After the warm-up: the start of the measured run. */
    startRssMiB: number | null;
    endRssMiB: number | null;
    peakRssMiB: number | null;
    /** end ÷ start − 1. */
    growth: number | null;
    /** Resident set every few seconds of the measured run, in MiB. */
    samplesMiB: (number | null)[];
  };
  meets: { zeroErrors: boolean; rssGrowth: boolean };
}

/**
 * Runs the benchmark and returns its report.
 * @example const report = await runMixedLoadBench(parseOptions(['--duration', '10']));
 */
export async function runMixedLoadBench(options: MixedLoadOptions = parseOptions([])): Promise<MixedLoadReport> {
  if (options.helperBin === HELPER_BIN) ensureHelperBuilt(progress);
  const workDir = mkdtempSync(join(tmpdir(), 'mlaas-bench-mixed-'));
  const fake = createFake3scale(options.latencyMs > 0 ? { latency: { '*': options.latencyMs } } : {});
  const issuer = await startTestIssuer({ clientId: BENCH_CLIENT_ID });
  let helper: ChildServer | null = null;
  try {
    await fake.listen(0, BENCH_HOST);
    const tokens = await Promise.all(
      Array.from({ length: options.users }, (_, i) =>
        issuer.token({
          expiresIn: TOKEN_LIFETIME_SECONDS,
          claims: {
            sub: `bench-user-${i}`,
            preferred_username: `bench-user-${i}`,
            email: `bench-user-${i}@example.test`,
          },
        }),
      ),
    );
    helper = await startHelper({
      ...options,
      backend: { kind: 'threescale', adminApi: fake },
      issuerUrl: issuer.url,
      workDir,
    });
    const running = helper;
    const boot = running.memory();
    const loadBefore = loadavg()[0] ?? 0;

    if (options.warmupSeconds > 0) {
      progress(`warm-up: ${options.warmupSeconds} s`);
      const warm = await fire(running.baseUrl, tokens, options, options.warmupSeconds);
      assertClean('warm-up', warm);
    }
    const start = running.memory();
    const statsBefore = fake.stats();
    progress(
      `measured run: ${options.durationSeconds} s, ${options.connections} connections, ${options.users} users, ${options.initPercent} % inits`,
    );
    const samples: (number | null)[] = [];
    const sampler = setInterval(() => samples.push(mib(running.memory().rssBytes)), RSS_SAMPLE_INTERVAL_MS);
    const measured = await fire(running.baseUrl, tokens, options, options.durationSeconds).finally(() =>
      clearInterval(sampler),
    );
    const end = running.memory();
    const statsAfter = fake.stats();
    const loadAfter = loadavg()[0] ?? 0;

    const upstreamCalls: Partial<Record<EndpointKey, number>> = {};
    for (const [key, count] of Object.entries(statsAfter) as [EndpointKey, number][]) {
      const delta = count - (statsBefore[key] ?? 0);
      if (delta > 0) upstreamCalls[key] = delta;
    }
    const { result } = measured;
    const errors = result.errors;
    const growth = start.rssBytes !== null && end.rssBytes !== null ? end.rssBytes / start.rssBytes - 1 : null;
    return {
      benchmark: 'mixed-load',
      ...machineInfo(),
      loadAverage: { before: loadBefore, after: loadAfter },
      settings: { ...withoutCheck(options) },
      measured: {
        requests: result['2xx'] + result.non2xx,
        requestsPerSecond: { mean: result.requests.average, min: result.requests.min, max: result.requests.max },
        latencyMs: {
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          mean: result.latency.average,
          max: result.latency.max,
        },
        errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        statuses: measured.statuses,
      },
      upstreamCalls,
      memory: {
        bootRssMiB: mib(boot.rssBytes),
        startRssMiB: mib(start.rssBytes),
        endRssMiB: mib(end.rssBytes),
        peakRssMiB: mib(end.peakRssBytes),
        growth,
        samplesMiB: samples,
      },
      meets: {
        zeroErrors: errors === 0 && result.timeouts === 0 && result.non2xx === 0 && result['2xx'] > 0,
        rssGrowth: growth !== null && growth < MAX_RSS_GROWTH,
      },
    };
  } finally {
    await helper?.stop();
    await fake.close();
    await issuer.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * One autocannon run: every request picks a user at random and is an init with probability initPercent,
 * for one of the tenant's services at random; otherwise a list.
 */
async function fire(
  baseUrl: string,
  tokens: string[],
  options: MixedLoadOptions,
  durationSeconds: number,
): Promise<RunResult> {
  const statuses: RunResult['statuses'] = { list: {}, init: {} };
  const initShare = options.initPercent / 100;
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: durationSeconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
    requests: [
      {
        setupRequest(request: Request, context: Record<string, unknown>) {
          const token = tokens[Math.floor(Math.random() * tokens.length)] as string;
          const isInit = Math.random() < initShare;
          context.kind = isInit ? 'init' : 'list';
          const headers: Record<string, string> = { authorization: `Bearer ${token}` };
          if (!isInit) return { ...request, method: 'GET', path: LIST_PATH, headers, body: '' };
          const name = SERVICE_NAMES[Math.floor(Math.random() * SERVICE_NAMES.length)] as string;
          return {
            ...request,
            method: 'POST',
            path: INIT_PATH,
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ service_name: name }),
          };
        },
        onResponse(status: number, _body: string, context: Record<string, unknown>) {
          const counts = context.kind === 'init' ? statuses.init : statuses.list;
          counts[status] = (counts[status] ?? 0) + 1;
        },
      },
    ],
  });
  return { result, statuses };
}

function assertClean(phase: string, { result }: RunResult): void {
  const problems = [
    result.non2xx > 0 ? `${result.non2xx} non-2xx responses` : '',
    result.errors > 0 ? `${result.errors} errors` : '',
    result.timeouts > 0 ? `${result.timeouts} timeouts` : '',
  ].filter((p) => p !== '');
  if (problems.length > 0) progress(`warning: the ${phase} was not clean: ${problems.join(', ')}`);
}

function withoutCheck(options: MixedLoadOptions): Omit<MixedLoadOptions, 'check'> {
  const { check: _check, ...rest } = options;
  return rest;
}

function mib(bytes: number | null): number | null {
  return bytes === null ? null : Math.round((bytes / MIB) * 10) / 10;
}

function progress(message: string): void {
  process.stderr.write(`mixed-load: ${message}\n`);
}

/** The report as markdown. */
export function formatReport(report: MixedLoadReport): string {
  const m = report.measured;
  const mem = report.memory;
  const pct = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);
  const statusText = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([status, n]) => `${n.toLocaleString('en')} × ${status}`)
      .join(', ') || 'none';
  const calls = Object.entries(report.upstreamCalls)
    .map(([key, n]) => `${key} ${n?.toLocaleString('en')}`)
    .join(', ');
  return [
    `## mixed-load: ${report.settings.durationSeconds} s, ${100 - report.settings.initPercent} % list / ${report.settings.initPercent} % init, ` +
      `${report.settings.connections} connections, ${report.settings.users} users`,
    '',
    `${report.date}, Node ${report.node}, ${report.platform}, ${report.cpus.count} × ${report.cpus.model}; ` +
      `1-minute load average ${report.loadAverage.before.toFixed(1)} before, ${report.loadAverage.after.toFixed(1)} after.`,
    '',
    '| requests | req/s (mean, min–max) | p50 ms | p90 ms | p99 ms | max ms | errors | timeouts | non-2xx |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${m.requests.toLocaleString('en')} | ${Math.round(m.requestsPerSecond.mean).toLocaleString('en')} (${m.requestsPerSecond.min.toLocaleString('en')}–${m.requestsPerSecond.max.toLocaleString('en')}) | ` +
      `${m.latencyMs.p50} | ${m.latencyMs.p90} | ${m.latencyMs.p99} | ${m.latencyMs.max} | ${m.errors} | ${m.timeouts} | ${m.non2xx} |`,
    '',
    `- Lists: ${statusText(m.statuses.list)}; inits: ${statusText(m.statuses.init)}.`,
    `- 3scale calls during the run: ${calls || 'none'}.`,
    `- Helper RSS: ${mem.bootRssMiB ?? 'n/a'} MiB at boot, ${mem.startRssMiB ?? 'n/a'} MiB after the warm-up (start), ` +
      `${mem.endRssMiB ?? 'n/a'} MiB at the end, peak ${mem.peakRssMiB ?? 'n/a'} MiB; growth start → end ${pct(mem.growth)}. ` +
      `Every ${RSS_SAMPLE_INTERVAL_MS / 1000} s of the run: ${mem.samplesMiB.map((v) => v ?? 'n/a').join(', ')} MiB.`,
    `- Zero errors: ${report.meets.zeroErrors ? 'met' : '**missed**'}; RSS growth < ${MAX_RSS_GROWTH * 100} %: ${report.meets.rssGrowth ? 'met' : '**missed**'}.`,
    '',
  ].join('\n');
}

/** Reads the command line (see the module comment). */
export function parseOptions(argv: string[]): MixedLoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...SHARED_ARG_OPTIONS,
      users: { type: 'string' },
      'init-percent': { type: 'string' },
      latency: { type: 'string' },
    },
    strict: true,
  });
  const helper = readHelperOptions(values);
  return {
    ...readLoadOptions(values, {
      durationSeconds: DEFAULT_DURATION_SECONDS,
      warmupSeconds: DEFAULT_WARMUP_SECONDS,
      connections: DEFAULT_CONNECTIONS,
    }),
    users: wholeNumber('--users', values.users, DEFAULT_USERS, 1),
    initPercent: wholeNumber('--init-percent', values['init-percent'], DEFAULT_INIT_PERCENT, 0, 100),
    latencyMs: wholeNumber('--latency', values.latency, DEFAULT_LATENCY_MS, 0),
    ...helper,
    check: values.check ?? false,
  };
}

/** Writes the report to bench/results/ and prints it; sets exit code 1 on a miss when `--check`. */
export async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const report = await runMixedLoadBench(options);
  writeReport(report, formatReport(report), progress);
  if (options.check && Object.values(report.meets).some((met) => !met)) process.exitCode = 1;
}

runIfMain(import.meta.url, main);
