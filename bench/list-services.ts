/**
 * @module bench/list-services
 * Benchmark of `GET /api/services` on the embedded store with a warm cache and a valid RS256 token, against
 * a bare Fastify route returning the same JSON body. Requirement: the helper reaches at least 70% of the
 * baseline's requests per second, with the same load generator (autocannon), connections and duration.
 *
 * Three processes: this one (the test issuer and autocannon), the built helper
 * (`packages/helper/dist/bin/mlaas-helper.js`) and the baseline (`bench/baseline-server.ts`). Rounds
 * alternate baseline, helper, baseline, helper... and each side is summarised by its median round.
 *
 * Run: `node --import tsx bench/list-services.ts [--rounds 3] [--duration 10] [--warmup 3] [--connections 50]
 *       [--helper-env NAME=VALUE]... [--helper-node-arg=FLAG]... [--helper-bin PATH] [--check]`
 * Prints a markdown report on stdout, progress on stderr, and writes bench/results/list-services.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestIssuer, type TestIssuer } from '../packages/helper/test/support/test-issuer.js';
import { BENCH_HOST, findFreePort, startChildServer, type ChildServer } from './lib/child-server.js';
import { HELPER_BIN, ROOT, ensureHelperBuilt } from './lib/helper-build.js';
import { measureRound, medianRound, type LoadSettings, type RoundMedians, type RoundResult } from './lib/load.js';
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

/** The requirement: helper req/s ÷ baseline req/s. */
export const TARGET_RATIO = 0.7;
export const DEFAULT_ROUNDS = 3;
/** Calls of the list made before measuring, so the first measured request is not the first one served. */
const WARM_LIST_CALLS = 5;
/** The token outlives the whole run, so every request hits the verifier's cache. */
const TOKEN_LIFETIME_SECONDS = 3_600;
/** The service the benchmark user gets a key for, so the list shows one key (from the demo catalog). */
const WARM_SERVICE_ID = 'sentiment-analysis';

const BASELINE_SCRIPT = join(ROOT, 'bench', 'baseline-server.ts');
const LIST_PATH = '/api/services';

export interface BenchOptions extends LoadOptions, HelperOptions {
  rounds: number;
  /**
   * What the baseline route sends: `object` (the body parsed once, serialised by Fastify on every request) or
   * `bytes` (the helper's exact bytes, sent as they are: what a list costs with no work of its own).
   */
  baseline: 'object' | 'bytes';
  /** Exit with 1 when the target is missed. */
  check: boolean;
}

interface SideSummary {
  rounds: RoundResult[];
  median: RoundMedians;
  memory: { rssBytes: number | null; peakRssBytes: number | null };
}

/** Everything written to bench/results/list-services.json. */
export interface ListServicesReport extends MachineInfo {
  benchmark: 'list-services';
  /** 1-minute load average before and after the rounds: other work on the machine skews both sides. */
  loadAverage: { before: number; after: number };
  settings: Omit<BenchOptions, 'check'> & { method: 'GET'; path: string; bodyBytes: number };
  baseline: SideSummary;
  helper: SideSummary & { idleRssBytes: number | null };
  /** helper median req/s ÷ baseline median req/s */
  ratio: number;
  /** helper ÷ baseline of each pair of rounds run back to back. */
  pairRatios: number[];
  /**
   * baseline ÷ helper CPU time per request: the req/s ratio to expect when both servers are CPU-bound, and a
   * cross-check of `ratio` when other work on the machine makes req/s noisy. Null without /proc.
   */
  cpuRatio: number | null;
  target: number;
  meetsTarget: boolean;
}

/**
 * Runs the benchmark and returns its report (also printed and written to bench/results/).
 * @example const report = await runListServicesBench(parseOptions(['--rounds', '1']));
 */
export async function runListServicesBench(options: BenchOptions = parseOptions([])): Promise<ListServicesReport> {
  if (options.helperBin === HELPER_BIN) ensureHelperBuilt(progress);

  const workDir = mkdtempSync(join(tmpdir(), 'mlaas-bench-'));
  const started: ChildServer[] = [];
  let issuer: TestIssuer | null = null;
  try {
    issuer = await startTestIssuer({ clientId: BENCH_CLIENT_ID });
    const token = await issuer.token({ expiresIn: TOKEN_LIFETIME_SECONDS });
    const headers = { authorization: `Bearer ${token}` };

    progress('starting the helper');
    const helper = await startHelper({
      ...options,
      backend: { kind: 'embedded', dataDir: join(workDir, 'data') },
      issuerUrl: issuer.url,
      workDir,
    });
    started.push(helper);

    const body = await warmHelper(helper.baseUrl, headers);
    const bodyFile = join(workDir, 'services.json');
    writeFileSync(bodyFile, body);

    progress('starting the baseline');
    const baselinePort = await findFreePort();
    const baseline = await startChildServer({
      name: 'baseline',
      nodeArgs: ['--import', 'tsx', BASELINE_SCRIPT],
      cwd: ROOT,
      port: baselinePort,
      readyPath: LIST_PATH,
      env: {
        BENCH_BODY_FILE: bodyFile,
        BENCH_BASELINE_MODE: options.baseline,
        HOST: BENCH_HOST,
        PORT: String(baselinePort),
      },
    });
    started.push(baseline);
    const baselineBody = await getText(`${baseline.baseUrl}${LIST_PATH}`, headers);
    if (baselineBody !== body) throw new Error('the baseline does not return the same body as the helper');

    const helperIdleRss = helper.memory().rssBytes;
    const loadBefore = loadavg()[0] ?? 0;
    const settings: LoadSettings = {
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      headers,
    };
    const baselineRounds: RoundResult[] = [];
    const helperRounds: RoundResult[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      progress(`round ${round}/${options.rounds}: baseline`);
      baselineRounds.push(await measureRound(`${baseline.baseUrl}${LIST_PATH}`, settings, () => baseline.cpuTimes()));
      progress(`round ${round}/${options.rounds}: helper`);
      helperRounds.push(await measureRound(`${helper.baseUrl}${LIST_PATH}`, settings, () => helper.cpuTimes()));
    }

    // Read before stopping: /proc/<pid> is gone once the child exits.
    const helperMemory = helper.memory();
    const loadAfter = loadavg()[0] ?? 0;
    const baselineMemory = baseline.memory();
    const baselineSummary = summarise(baselineRounds, baselineMemory);
    const helperSummary = summarise(helperRounds, helperMemory);
    const ratio = helperSummary.median.requestsPerSecond / baselineSummary.median.requestsPerSecond;
    const { helperEnv, helperNodeArgs, helperBin, rounds, durationSeconds, warmupSeconds, connections } = options;
    return {
      benchmark: 'list-services',
      ...machineInfo(),
      loadAverage: { before: loadBefore, after: loadAfter },
      settings: {
        method: 'GET',
        path: LIST_PATH,
        bodyBytes: Buffer.byteLength(body),
        baseline: options.baseline,
        rounds,
        durationSeconds,
        warmupSeconds,
        connections,
        helperEnv,
        helperNodeArgs,
        helperBin,
      },
      baseline: baselineSummary,
      helper: { ...helperSummary, idleRssBytes: helperIdleRss },
      ratio,
      cpuRatio:
        baselineSummary.median.serverCpuMicrosPerRequest === null ||
        helperSummary.median.serverCpuMicrosPerRequest === null
          ? null
          : baselineSummary.median.serverCpuMicrosPerRequest / helperSummary.median.serverCpuMicrosPerRequest,
      pairRatios: helperRounds.map(
        (h, i) => h.requestsPerSecond / (baselineRounds[i] as RoundResult).requestsPerSecond,
      ),
      target: TARGET_RATIO,
      meetsTarget: ratio >= TARGET_RATIO,
    };
  } finally {
    // Stopped one by one, helper first: SIGTERM lets it close its store (and write a --cpu-prof profile).
    for (const child of started) {
      const code = await child.stop();
      if (code !== 0) progress(`${child.name} exited with ${code ?? 'a signal'}`);
    }
    await issuer?.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** One key for the benchmark user (creates the account), then a few lists; returns the list's exact body. */
async function warmHelper(baseUrl: string, headers: Record<string, string>): Promise<string> {
  const init = await fetch(`${baseUrl}/api/services/init`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: WARM_SERVICE_ID }),
  });
  const initText = await init.text();
  if (!init.ok) throw new Error(`warm-up init answered ${init.status}: ${initText}`);

  let body = '';
  for (let call = 0; call < WARM_LIST_CALLS; call += 1) {
    const text = await getText(`${baseUrl}${LIST_PATH}`, headers);
    if (body !== '' && text !== body) throw new Error('the list changed between two warm-up calls');
    body = text;
  }
  const parsed = JSON.parse(body) as { data?: { services?: Array<{ has_api_key?: boolean }> } };
  if (parsed.data?.services?.some((s) => s.has_api_key === true) !== true) {
    throw new Error('after the warm-up, the list shows no key for the benchmark user');
  }
  return body;
}

async function getText(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${text}`);
  return text;
}

function summarise(rounds: RoundResult[], memory: SideSummary['memory']): SideSummary {
  return {
    rounds,
    median: medianRound(rounds),
    memory,
  };
}

/** The report as markdown, for stdout and for pasting into bench/README.md. */
export function formatReport(report: ListServicesReport): string {
  const { settings } = report;
  const row = (name: string, side: SideSummary) =>
    `| ${name} | ${fmt(side.median.requestsPerSecond, 0)} | ${side.rounds.map((r) => fmt(r.requestsPerSecond, 0)).join(' / ')} | ` +
    `${fmt(side.median.latencyP50Ms, 1)} | ${fmt(side.median.latencyP99Ms, 1)} | ${micros(side.median.serverCpuMicrosPerRequest)} | ${micros(side.median.serverUserMicrosPerRequest)} | ` +
    `${mib(side.memory.peakRssBytes)} |`;
  const verdict = report.meetsTarget ? 'meets the target' : '**misses the target**';
  const extras = describeHelperOptions(settings);
  return [
    `### GET ${settings.path} — helper vs bare Fastify`,
    '',
    `${report.date.slice(0, 10)}, Node ${report.node}, ${report.platform}, ${report.cpus.count} × ${report.cpus.model}; ` +
      `autocannon ${settings.connections} connections, ${settings.rounds} alternating rounds of ${settings.durationSeconds} s ` +
      `(each after a ${settings.warmupSeconds} s warm-up); body ${settings.bodyBytes} bytes; ` +
      `load average ${fmt(report.loadAverage.before, 2)} before, ${fmt(report.loadAverage.after, 2)} after` +
      (extras.length > 0 ? `; ${extras.join('; ')}` : '') +
      '.',
    '',
    '| server | req/s (median) | req/s per round | p50 ms | p99 ms | server CPU µs/req | of which user space | peak RSS |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
    row(
      settings.baseline === 'bytes'
        ? 'bare Fastify sending the same bytes (baseline)'
        : 'bare Fastify serialising the body per request (baseline)',
      report.baseline,
    ),
    row('helper', report.helper),
    '',
    `**Ratio helper / baseline: ${fmt(report.ratio, 2)}** (target ≥ ${fmt(report.target, 2)}: ${verdict}; ` +
      `per round pair: ${report.pairRatios.map((r) => fmt(r, 2)).join(', ')}). ` +
      `CPU-time ratio baseline / helper per request: ${report.cpuRatio === null ? 'n/a' : fmt(report.cpuRatio, 2)}.`,
    `Helper peak RSS (VmHWM): ${mib(report.helper.memory.peakRssBytes)}; RSS after warm-up, before load: ${mib(report.helper.idleRssBytes)}.`,
    '',
  ].join('\n');
}

function micros(value: number | null): string {
  return value === null ? 'n/a' : fmt(value, 1);
}

function mib(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${fmt(bytes / 1024 / 1024, 1)} MiB`;
}

function progress(message: string): void {
  process.stderr.write(`list-services: ${message}\n`);
}

/**
 * Reads the command-line flags (see the module comment); throws TypeError on a bad one.
 * @example parseOptions(['--rounds', '5', '--helper-env', 'TOKEN_CACHE_SIZE=0'])
 */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: { rounds: { type: 'string' }, 'baseline-bytes': { type: 'boolean' }, ...SHARED_ARG_OPTIONS },
    strict: true,
  });
  const helper = readHelperOptions(values);
  return {
    rounds: wholeNumber('--rounds', values.rounds, DEFAULT_ROUNDS, 1),
    baseline: values['baseline-bytes'] ? 'bytes' : 'object',
    ...readLoadOptions(values, DEFAULT_LOAD_OPTIONS),
    ...helper,
    check: values.check ?? false,
  };
}

/** Writes the report to bench/results/ and prints it; sets exit code 1 on a miss when `--check`. */
export async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const report = await runListServicesBench(options);
  writeReport(report, formatReport(report), progress);
  if (options.check && !report.meetsTarget) process.exitCode = 1;
}

runIfMain(import.meta.url, main);
