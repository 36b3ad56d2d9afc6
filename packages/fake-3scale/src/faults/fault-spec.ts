/**
 * @module faults/fault-spec
 * Fault and latency specifications: what can go wrong on an endpoint, written as data so tests and the
 * `/__fake/` control API describe them the same way. Inputs are checked here, with one message per problem.
 */
import { type EndpointTarget, isEndpointTarget } from '../endpoints.js';
import { Fake3scaleError } from '../errors.js';

/**
 * - `down`: the connection is closed without any response.
 * - `status`: an HTTP error status (default 503) with a short HTML body, as a proxy in front of 3scale answers.
 * - `rate_limited`: 429 with `Retry-After` (seconds, default 1).
 * - `malformed`: the real status and headers with a truncated, unparseable body.
 * - `reset`: headers and half the body, then a TCP reset.
 * - `hang`: no response at all until `reset()`/`close()` (the client's timeout must fire).
 * - `ignore_paging`: Service List returns every product whatever `page`/`per_page` say (3scale before 2.10).
 * - `store_then_timeout`: the request is fully processed (an application IS created), then no response is
 *   ever sent — the case that tempts a client into a duplicate create.
 * - `store_then_status`: processed, then an error status (default 504) instead of the real response.
 */
export const FAULT_KINDS = [
  'down',
  'status',
  'rate_limited',
  'malformed',
  'reset',
  'hang',
  'ignore_paging',
  'store_then_timeout',
  'store_then_status',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** For `status` (default 503) and `store_then_status` (default 504): 400–599. */
  status?: number;
  /** For `rate_limited`: the `Retry-After` value in seconds (default 1). */
  retryAfter?: number;
  /** Apply to the next N matching calls only, then clear; absent = until cleared. */
  times?: number;
}

/** Fixed milliseconds, `{ ms }`, or a uniform random delay `{ min, max }` in milliseconds. */
export type LatencySpec = number | { ms: number } | { min: number; max: number };

/** A latency as a range (fixed = min equals max). */
export interface LatencyRange {
  min: number;
  max: number;
}

export const DEFAULT_FAULT_STATUS = 503;
export const DEFAULT_STORE_THEN_STATUS = 504;
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
/** Longest injected latency: long enough for any timeout test, short enough that a typo cannot wedge a run. */
export const MAX_LATENCY_MS = 600_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function fail(problems: string[]): never {
  throw new Fake3scaleError('ERR_FAULT_INVALID', problems.join('; '), { problems });
}

/** Checks an endpoint target (`services.list`, …, or `*`). */
export function checkTarget(target: unknown): EndpointTarget {
  if (!isEndpointTarget(target)) fail([`unknown endpoint ${JSON.stringify(target)}`]);
  return target;
}

/**
 * A checked fault spec. Accepts `count` as another name for `times` and `retry_after` for `retryAfter`
 * (the control API's JSON).
 */
export function normalizeFault(target: EndpointTarget, value: unknown): FaultSpec {
  if (!isObject(value)) fail(['a fault must be an object with a "kind"']);
  const problems: string[] = [];
  const known = ['kind', 'status', 'retryAfter', 'retry_after', 'times', 'count'];
  for (const key of Object.keys(value)) if (!known.includes(key)) problems.push(`unknown fault field "${key}"`);
  const kind = value.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    problems.push(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const spec: FaultSpec = { kind: kind as FaultKind };
  if (value.status !== undefined) {
    if (!isWhole(value.status, 400, 599)) problems.push('status must be an integer from 400 to 599');
    else spec.status = value.status;
  }
  const retryAfter = value.retryAfter ?? value.retry_after;
  if (retryAfter !== undefined) {
    if (!isWhole(retryAfter, 0, 86_400)) problems.push('retryAfter must be whole seconds from 0 to 86400');
    else spec.retryAfter = retryAfter;
  }
  const times = value.times ?? value.count;
  if (times !== undefined) {
    if (!isWhole(times, 1, Number.MAX_SAFE_INTEGER)) problems.push('times must be a positive integer');
    else spec.times = times;
  }
  if (kind === 'ignore_paging' && target !== 'services.list' && target !== '*') {
    problems.push('ignore_paging applies to services.list only');
  }
  if (problems.length > 0) fail(problems);
  return spec;
}

/** A checked latency as a range. */
export function normalizeLatency(value: unknown): LatencyRange {
  const range =
    typeof value === 'number'
      ? { min: value, max: value }
      : isObject(value) && 'ms' in value
        ? { min: value.ms, max: value.ms }
        : isObject(value)
          ? { min: value.min, max: value.max }
          : undefined;
  if (
    !range ||
    !isWhole(range.min, 0, MAX_LATENCY_MS) ||
    !isWhole(range.max, 0, MAX_LATENCY_MS) ||
    range.min > range.max
  ) {
    fail([`latency must be whole milliseconds (0..${MAX_LATENCY_MS}), {"ms": N} or {"min": A, "max": B} with A <= B`]);
  }
  return { min: range.min, max: range.max };
}
