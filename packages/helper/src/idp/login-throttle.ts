/**
 * @module idp/login-throttle
 * Slows password guessing without locking anyone out: failed sign-ins are counted per (username, client
 * address). After a few free failures each further attempt from that address for that user must wait, and
 * the wait doubles with every failure up to a ceiling. Another address (the real user's) is not slowed, so
 * nobody can lock an account by failing on purpose.
 *
 * An attempt is counted when it starts, before the slow password check: attempts sent at the same moment
 * cannot all slip past the count. A success clears the count.
 * Unknown usernames are counted like known ones, so throttling reveals nothing about who exists.
 */
import { normalizeUsername } from './users.js';

/** Failures per (user, address) before attempts must wait. */
export const DEFAULT_FREE_FAILURES = 5;
/** The first wait, in milliseconds; each further failure doubles it. */
export const DEFAULT_BASE_DELAY_MS = 1_000;
/** The longest wait, in milliseconds. */
export const DEFAULT_MAX_DELAY_MS = 15 * 60 * 1000;
/** Failures older than this are forgotten, in milliseconds. */
export const DEFAULT_THROTTLE_WINDOW_MS = 15 * 60 * 1000;
/** Most (user, address) pairs tracked at once; the least recently seen are forgotten first. */
const MAX_TRACKED = 10_000;

export interface LoginThrottleOptions {
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  windowMs?: number;
  now?: () => number;
}

/** An attempt allowed to go ahead; report how it ended. */
export interface AttemptTicket {
  succeeded(): void;
}

export type AttemptDecision = { allowed: true; ticket: AttemptTicket } | { allowed: false; retryAfterSeconds: number };

export interface LoginThrottle {
  /**
   * Starts an attempt: either it may go ahead (and is counted as a failure until it succeeds), or it must
   * wait this many seconds. Synchronous, so concurrent attempts are counted one by one.
   */
  begin(username: string, ip: string): AttemptDecision;
}

interface PairState {
  failures: number;
  /** No attempt before this time (ms). */
  nextAllowedAt: number;
  lastFailureAt: number;
}

/**
 * Creates an in-memory throttle for one process.
 * @example const decision = throttle.begin(name, ip); if (!decision.allowed) refuse(decision.retryAfterSeconds);
 */
export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const freeFailures = options.freeFailures ?? DEFAULT_FREE_FAILURES;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const windowMs = options.windowMs ?? DEFAULT_THROTTLE_WINDOW_MS;
  const now = options.now ?? Date.now;
  const pairs = new Map<string, PairState>();

  function delayAfter(failures: number): number {
    if (failures < freeFailures) return 0;
    const doublings = Math.min(failures - freeFailures, 30);
    return Math.min(baseDelayMs * 2 ** doublings, maxDelayMs);
  }

  function stateOf(key: string, at: number): PairState {
    const state = pairs.get(key);
    // Forgotten once quiet for the window and past its wait.
    if (state !== undefined && at - state.lastFailureAt <= windowMs) return state;
    if (state !== undefined && at < state.nextAllowedAt) return state;
    return { failures: 0, nextAllowedAt: 0, lastFailureAt: at };
  }

  return {
    begin(username, ip) {
      const key = `${normalizeUsername(username)}\u0000${ip}`;
      const at = now();
      const state = stateOf(key, at);
      if (at < state.nextAllowedAt) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((state.nextAllowedAt - at) / 1000)) };
      }
      // Counted as failed until it reports success: the hash takes time, and others may arrive meanwhile.
      const reserved: PairState = {
        failures: state.failures + 1,
        nextAllowedAt: at + delayAfter(state.failures + 1),
        lastFailureAt: at,
      };
      pairs.delete(key);
      pairs.set(key, reserved);
      if (pairs.size > MAX_TRACKED) pairs.delete(pairs.keys().next().value as string);
      return {
        allowed: true,
        ticket: {
          succeeded() {
            if (pairs.get(key) === reserved) pairs.delete(key);
          },
        },
      };
    },
  };
}
