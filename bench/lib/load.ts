/**
 * @module bench/lib/load
 * One measured round of load with autocannon (a discarded warm-up first, then the measurement), and the
 * median used to summarise several rounds.
 */
import autocannon, { type Result } from 'autocannon';
import type { CpuTimes } from './child-server.js';

export interface LoadSettings {
  /** Concurrent keep-alive connections. */
  connections: number;
  /** Length of the discarded warm-up before each measured round, in seconds (0 for none). */
  warmupSeconds: number;
  /** Length of each measured round, in seconds. */
  durationSeconds: number;
  headers: Record<string, string>;
}

/** What one measured round produced. */
export interface RoundResult {
  /** Mean of autocannon's once-a-second samples of completed requests. */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  /** Responses received in the measured round. */
  responses: number;
  /**
   * CPU time the server used per response in the measured round, in microseconds (null when unknown). Less
   * sensitive than req/s to other work on the machine, which slows both servers but does not add to this.
   */
  serverCpuMicrosPerRequest: number | null;
  /** The part of it spent in user space (the server's own code, V8, Node's HTTP); null when unknown. */
  serverUserMicrosPerRequest: number | null;
}

/**
 * Warms `url` up, then measures it. Throws when any response of either phase is not a 2xx or any request
 * fails: a round of cheap 401s or 429s would measure the wrong thing.
 * `serverCpuTimes` reads the server's CPU time so far, for the CPU cost per request.
 * @example const round = await measureRound('http://127.0.0.1:5000/api/services', settings, () => server.cpuTimes());
 */
export async function measureRound(
  url: string,
  settings: LoadSettings,
  serverCpuTimes: () => CpuTimes | null = () => null,
): Promise<RoundResult> {
  if (settings.warmupSeconds > 0) {
    checkClean(url, 'warm-up', await fire(url, settings.connections, settings.warmupSeconds, settings.headers));
  }
  const cpuBefore = serverCpuTimes();
  const result = await fire(url, settings.connections, settings.durationSeconds, settings.headers);
  const cpuAfter = serverCpuTimes();
  checkClean(url, 'round', result);
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.average,
    responses: result['2xx'],
    ...cpuPerRequest(cpuBefore, cpuAfter, result['2xx']),
  };
}

function cpuPerRequest(before: CpuTimes | null, after: CpuTimes | null, responses: number) {
  if (before === null || after === null) return { serverCpuMicrosPerRequest: null, serverUserMicrosPerRequest: null };
  const user = after.userSeconds - before.userSeconds;
  const system = after.systemSeconds - before.systemSeconds;
  return {
    serverCpuMicrosPerRequest: ((user + system) * 1e6) / responses,
    serverUserMicrosPerRequest: (user * 1e6) / responses,
  };
}

/**
 * The median of the values (the mean of the middle two when their count is even).
 * @example median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new TypeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function fire(url: string, connections: number, duration: number, headers: Record<string, string>): Promise<Result> {
  return autocannon({ url, connections, duration, headers, method: 'GET' });
}

function checkClean(url: string, phase: string, result: Result): void {
  const problems = [
    result.non2xx > 0 ? `${result.non2xx} non-2xx responses` : '',
    result.errors > 0 ? `${result.errors} errors` : '',
    result.timeouts > 0 ? `${result.timeouts} timeouts` : '',
    result['2xx'] === 0 ? 'no responses' : '',
  ].filter((p) => p !== '');
  if (problems.length > 0) throw new Error(`${phase} against ${url} is not clean: ${problems.join(', ')}`);
}

/** The median of each figure over several rounds. */
export interface RoundMedians {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Null when any round lacks it. */
  serverCpuMicrosPerRequest: number | null;
  serverUserMicrosPerRequest: number | null;
}

/**
 * Summarises rounds by the median of each figure (each taken on its own, so they may come from different rounds).
 * @example const { requestsPerSecond } = medianRound(rounds);
 */
export function medianRound(rounds: readonly RoundResult[]): RoundMedians {
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    latencyP50Ms: median(rounds.map((r) => r.latencyP50Ms)),
    latencyP99Ms: median(rounds.map((r) => r.latencyP99Ms)),
    serverCpuMicrosPerRequest: medianOrNull(rounds.map((r) => r.serverCpuMicrosPerRequest)),
    serverUserMicrosPerRequest: medianOrNull(rounds.map((r) => r.serverUserMicrosPerRequest)),
  };
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  return values.every((v) => v !== null) ? median(values as number[]) : null;
}
