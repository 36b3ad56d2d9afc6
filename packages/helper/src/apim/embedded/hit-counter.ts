/**
 * @module apim/embedded/hit-counter
 * Counts calls per application for the embedded store's demo gateway, durably and cheaply: hits are added to
 * per-minute buckets in memory and written to SQLite in one transaction about once a second (and on close),
 * never one commit per call. What the current period of each limit has used is kept in memory too, read from
 * the buckets once per period and then counted up, so admitting a call costs no database read.
 *
 * One process counts: the embedded store is a single-process backend.
 */
import type Database from 'better-sqlite3';
import { periodEnd, periodStart, granularityMs, type LimitPeriod, type UsageWindow } from '../../usage/periods.js';
import type { CatalogLimit } from './catalog.js';

const MINUTE_MS = 60_000;
/** How long hits wait in memory before they are written. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;

/** Where one limit stands for an application after a call was admitted or refused. */
export interface LimitState {
  limit: CatalogLimit;
  /** Calls counted in the current period, the call being admitted included. */
  used: number;
  /** When the current period ends; null for a limit that never resets. */
  resetsAt: Date | null;
}

/** The answer to a call: refused by the limit named, or admitted with where each limit now stands. */
export type Admission = { admitted: true; limits: LimitState[] } | { admitted: false; refusedBy: LimitState };

export interface HitCounter {
  /**
   * Counts one call of an application unless a limit is already reached; a refused call is not counted.
   * When several limits are reached, the one that resets last refuses (only then can the call pass).
   */
  admit(applicationId: string, limits: readonly CatalogLimit[], now: Date): Admission;
  /** Hits per interval of a window, oldest first. */
  hits(applicationId: string, window: UsageWindow): number[];
  /** Calls in the current calendar period of `period`, as of `now`. */
  used(applicationId: string, period: LimitPeriod, now: Date): number;
  /** Writes the hits held in memory now. */
  flush(): void;
  /** Writes what is held and stops the timer; the database stays open. */
  close(): void;
}

export interface HitCounterOptions {
  flushIntervalMs?: number;
}

/**
 * @example const counter = createHitCounter(db); counter.admit(app.id, limits, new Date());
 */
export function createHitCounter(db: Database.Database, options: HitCounterOptions = {}): HitCounter {
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const sumRange = db.prepare<[string, number, number], { hits: number }>(
    'SELECT COALESCE(SUM(hits), 0) AS hits FROM usage_minutes WHERE application_id = ? AND minute >= ? AND minute < ?',
  );
  const bucketsInRange = db.prepare<[string, number, number], { minute: number; hits: number }>(
    'SELECT minute, hits FROM usage_minutes WHERE application_id = ? AND minute >= ? AND minute < ?',
  );
  const addHits = db.prepare<[string, number, number]>(
    'INSERT INTO usage_minutes (application_id, minute, hits) VALUES (?, ?, ?) ' +
      'ON CONFLICT (application_id, minute) DO UPDATE SET hits = hits + excluded.hits',
  );
  const writeAll = db.transaction((entries: [string, number, number][]) => {
    for (const [app, minute, hits] of entries) addHits.run(app, minute, hits);
  });

  /** Hits not yet written: application → minute → hits. */
  let pending = new Map<string, Map<number, number>>();
  /** Calls in the current period of a limit: `${application}\0${period}` → period start and count. */
  const periods = new Map<string, { start: number; count: number }>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function pendingIn(applicationId: string, fromMinute: number, toMinute: number): number {
    let total = 0;
    for (const [minute, hits] of pending.get(applicationId) ?? [])
      if (minute >= fromMinute && minute < toMinute) total += hits;
    return total;
  }

  function countSince(applicationId: string, start: Date, now: Date): number {
    const from = Math.floor(start.getTime() / MINUTE_MS);
    const to = Math.floor(now.getTime() / MINUTE_MS) + 1;
    return (sumRange.get(applicationId, from, to)?.hits ?? 0) + pendingIn(applicationId, from, to);
  }

  function current(applicationId: string, period: LimitPeriod, now: Date): { start: number; count: number } {
    const key = `${applicationId}\u0000${period}`;
    const start = periodStart(period, now).getTime();
    let entry = periods.get(key);
    if (entry === undefined || entry.start !== start) {
      entry = { start, count: countSince(applicationId, new Date(start), now) };
      periods.set(key, entry);
    }
    return entry;
  }

  function scheduleFlush(): void {
    if (timer !== null || closed) return;
    timer = setTimeout(() => {
      timer = null;
      flush();
    }, flushIntervalMs);
    timer.unref();
  }

  function flush(): void {
    if (pending.size === 0) return;
    const entries: [string, number, number][] = [];
    for (const [app, minutes] of pending) for (const [minute, hits] of minutes) entries.push([app, minute, hits]);
    const held = pending;
    pending = new Map();
    try {
      writeAll.immediate(entries);
    } catch (error) {
      // Keep the hits for the next try rather than lose them.
      for (const [app, minutes] of held) {
        const into = pending.get(app) ?? new Map<number, number>();
        for (const [minute, hits] of minutes) into.set(minute, (into.get(minute) ?? 0) + hits);
        pending.set(app, into);
      }
      scheduleFlush();
      throw error;
    }
  }

  return {
    admit(applicationId, limits, now) {
      const states = limits.map((limit) => ({ limit, entry: current(applicationId, limit.period, now) }));
      const reached = states.filter(({ limit, entry }) => entry.count >= limit.max);
      if (reached.length > 0) {
        const last = reached
          .map(({ limit, entry }) => ({ limit, used: entry.count, resetsAt: periodEnd(limit.period, now) }))
          .sort((a, b) => (b.resetsAt?.getTime() ?? Infinity) - (a.resetsAt?.getTime() ?? Infinity))[0] as LimitState;
        return { admitted: false, refusedBy: last };
      }
      for (const { entry } of states) entry.count += 1;
      const minute = Math.floor(now.getTime() / MINUTE_MS);
      const minutes = pending.get(applicationId) ?? new Map<number, number>();
      minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
      pending.set(applicationId, minutes);
      scheduleFlush();
      return {
        admitted: true,
        limits: states.map(({ limit, entry }) => ({
          limit,
          used: entry.count,
          resetsAt: periodEnd(limit.period, now),
        })),
      };
    },

    hits(applicationId, window) {
      const step = granularityMs(window.granularity);
      const since = window.since.getTime();
      const from = Math.floor(since / MINUTE_MS);
      const to = Math.floor(window.until.getTime() / MINUTE_MS);
      const values = new Array<number>(window.intervals).fill(0);
      const add = (minute: number, hits: number) => {
        const index = Math.floor((minute * MINUTE_MS - since) / step);
        if (index >= 0 && index < values.length) values[index] = (values[index] ?? 0) + hits;
      };
      for (const row of bucketsInRange.all(applicationId, from, to)) add(row.minute, row.hits);
      for (const [minute, hits] of pending.get(applicationId) ?? [])
        if (minute >= from && minute < to) add(minute, hits);
      return values;
    },

    used(applicationId, period, now) {
      return countSince(applicationId, periodStart(period, now), now);
    },

    flush,

    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      flush();
    },
  };
}
