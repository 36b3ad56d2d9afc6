/**
 * @module test/support/load
 * Bounded load for fault tests: a few concurrent workers repeat a step until told to stop (or a hard cap
 * on the number of steps is reached), and every outcome is kept with when it started and ended, so a test
 * can judge each request by what was happening to the system at that moment.
 */

/** One step's result, with its start and end (ms since the load began). */
export interface Timed<T> {
  worker: number;
  startedAt: number;
  endedAt: number;
  outcome: T;
}

export interface LoadOptions<T> {
  workers: number;
  /** One request (or a few); must not throw — turn failures into outcomes. */
  step: (worker: number, i: number) => Promise<T>;
  /** Checked before each step; the load ends when it returns true. */
  stop: () => boolean;
  /** No worker makes more steps than this, whatever `stop` says. */
  maxStepsPerWorker?: number;
}

/** A running load: `done` resolves with every outcome once all workers have stopped. */
export interface Load<T> {
  /** Milliseconds since the load began. */
  elapsed(): number;
  done: Promise<Timed<T>[]>;
}

const DEFAULT_MAX_STEPS_PER_WORKER = 2_000;

/**
 * Starts `workers` loops of `step`.
 * @example const load = startLoad({ workers: 10, step: () => list(), stop: () => stopped }); … stopped = true; await load.done;
 */
export function startLoad<T>(options: LoadOptions<T>): Load<T> {
  const began = performance.now();
  const elapsed = () => performance.now() - began;
  const cap = options.maxStepsPerWorker ?? DEFAULT_MAX_STEPS_PER_WORKER;
  const results: Timed<T>[] = [];
  const worker = async (w: number) => {
    for (let i = 0; i < cap && !options.stop(); i += 1) {
      const startedAt = elapsed();
      const outcome = await options.step(w, i);
      results.push({ worker: w, startedAt, endedAt: elapsed(), outcome });
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w))).then(() => results);
  return { elapsed, done };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** What an HTTP request over a socket ended with. */
export type HttpOutcome =
  | { kind: 'response'; status: number; headers: Headers; body: string; json: unknown }
  /** The request failed before any response arrived (refused, reset, closed). */
  | { kind: 'no-response'; reason: string }
  /** A response started but its body did not arrive whole. */
  | { kind: 'broken-response'; status: number; reason: string };

/**
 * Sends one request with fetch and classifies how it ended; never throws.
 * @example const outcome = await request(`${url}/api/services`, { headers: { authorization } });
 */
export async function request(url: string, init: RequestInit = {}): Promise<HttpOutcome> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return { kind: 'no-response', reason: reasonOf(error) };
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    return { kind: 'broken-response', status: response.status, reason: reasonOf(error) };
  }
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {
    // Not JSON: the caller decides whether that is acceptable.
  }
  return { kind: 'response', status: response.status, headers: response.headers, body, json };
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
