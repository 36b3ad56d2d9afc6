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
    /** Seconds before a request counts as timed out (default 10). */
    timeout?: number;
    /** Requests each connection cycles through; `setupRequest` may rewrite each one before it is sent. */
    requests?: RequestSpec[];
  }

  /** One request as autocannon sends it. */
  export interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }

  /** An entry of `requests`: defaults for the request, and hooks around it. */
  export interface RequestSpec extends Request {
    /** Returns the request to send (called for every request the connection makes). */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
    /** Called with each response of this request. */
    onResponse?: (
      status: number,
      body: string,
      context: Record<string, unknown>,
      headers: Record<string, string>,
    ) => void;
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
