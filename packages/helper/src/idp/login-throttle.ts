/**
 * @module idp/login-throttle
 * Slows password guessing: failed sign-ins are counted per username and per client IP in a sliding window;
 * past the limit, sign-in is refused (even with the right password) until old failures leave the window.
 * Unknown usernames are counted like known ones, so throttling reveals nothing about who exists.
 */
import { normalizeUsername } from './users.js';

/** Failures per username within the window before sign-in is refused. */
export const DEFAULT_MAX_FAILURES_PER_USER = 5;
/** Failures per client IP within the window before sign-in is refused. */
export const DEFAULT_MAX_FAILURES_PER_IP = 20;
/** Length of the window, in milliseconds. */
export const DEFAULT_THROTTLE_WINDOW_MS = 15 * 60 * 1000;
/** Most usernames and IPs tracked at once; the oldest entries are forgotten first. */
const MAX_TRACKED = 10_000;

export interface LoginThrottleOptions {
  maxFailuresPerUser?: number;
  maxFailuresPerIp?: number;
  windowMs?: number;
  now?: () => number;
}

export interface LoginThrottle {
  /** Seconds to wait before trying again, or 0 when sign-in may be attempted. */
  retryAfterSeconds(username: string, ip: string): number;
  recordFailure(username: string, ip: string): void;
  /** A successful sign-in clears the user's failures (not the IP's). */
  recordSuccess(username: string): void;
}

/**
 * Creates an in-memory throttle for one process.
 * @example const throttle = createLoginThrottle(); if (throttle.retryAfterSeconds(name, ip) > 0) refuse();
 */
export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const maxPerUser = options.maxFailuresPerUser ?? DEFAULT_MAX_FAILURES_PER_USER;
  const maxPerIp = options.maxFailuresPerIp ?? DEFAULT_MAX_FAILURES_PER_IP;
  const windowMs = options.windowMs ?? DEFAULT_THROTTLE_WINDOW_MS;
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();

  function recent(key: string): number[] {
    const times = failures.get(key);
    if (times === undefined) return [];
    const cutoff = now() - windowMs;
    const kept = times.filter((t) => t > cutoff);
    if (kept.length === 0) failures.delete(key);
    else failures.set(key, kept);
    return kept;
  }

  function waitFor(key: string, max: number): number {
    const times = recent(key);
    if (max <= 0 || times.length < max) return 0;
    // Allowed again once enough old failures have left the window.
    const oldestThatMustExpire = times[times.length - max] as number;
    return Math.max(1, Math.ceil((oldestThatMustExpire + windowMs - now()) / 1000));
  }

  function add(key: string): void {
    const times = recent(key);
    times.push(now());
    failures.delete(key);
    failures.set(key, times);
    if (failures.size > MAX_TRACKED) failures.delete(failures.keys().next().value as string);
  }

  const userKey = (username: string) => `u:${normalizeUsername(username)}`;
  const ipKey = (ip: string) => `i:${ip}`;

  return {
    retryAfterSeconds(username, ip) {
      return Math.max(waitFor(userKey(username), maxPerUser), waitFor(ipKey(ip), maxPerIp));
    },
    recordFailure(username, ip) {
      add(userKey(username));
      add(ipKey(ip));
    },
    recordSuccess(username) {
      failures.delete(userKey(username));
    },
  };
}
