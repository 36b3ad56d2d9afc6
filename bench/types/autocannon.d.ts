/**
 * @module bench/types/autocannon
 * The part of autocannon's programmatic API the benchmarks use (autocannon ships no type declarations).
 * See https://github.com/mcollina/autocannon#api.
 */
declare module 'autocannon' {
  export interface Options {
    url: string;
    /** Concurrent connections. */
    connections?: number;
    /** Seconds. */
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    pipelining?: number;
    title?: string;
  }

  /** A histogram summary; `p50`, `p99`... are percentiles, in the histogram's unit. */
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
  }

  export interface Result {
    title?: string;
    url: string;
    connections: number;
    pipelining: number;
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    '2xx': number;
    /** Milliseconds. */
    latency: Histogram;
    /** Requests per second, sampled once a second. */
    requests: Histogram & { sent: number };
    /** Bytes per second, sampled once a second. */
    throughput: Histogram;
  }

  /** Runs a load test; resolves when it ends. */
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
