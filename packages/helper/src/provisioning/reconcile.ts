/**
 * @module provisioning/reconcile
 * The one loop that enforces what the API manager reports as due: keys past their expiry, replaced keys past
 * their grace period, and second applications of one (account, service) pair that slipped past the converge
 * step (the newer one is removed, the older one — whose key callers were told — is kept). Each item done is
 * recorded as a key event.
 *
 * It is idempotent (an item already done by someone else is skipped) and resumable (a crash leaves what was
 * not yet marked done due for the next run). It bounds its backend calls per minute and in flight. A backend
 * that can mark a whole page done in one step (`completeDeadlines`, the embedded store's one transaction) gets
 * one call per page, and the page's key events are stored together; otherwise each item is one call. A
 * backend whose listing reads everything anyway (`listsDueDeadlinesWhole`, 3scale) is read once per run. Reads
 * and completions never overlap, and each completion makes its backend calls one after another, so at most
 * `concurrency` backend calls are in flight.
 * A run with nothing due makes exactly one backend call (one read of what is due).
 */
import type { ApiManager, DueDeadline } from '../apim/api-manager.js';
import { NO_ORIGIN, type AuditTrail, type KeyEventInput, type KeyEventType } from '../audit/audit-log.js';
import { isHelperError } from '../errors/helper-error.js';
import { createPacer, mapLimited } from '../lib/bounded.js';

export interface ReconcileOptions {
  apiManager: ApiManager;
  audit: AuditTrail;
  /**
   * Backend calls per minute: each read of due items, and each completion call (one per item, or one per
   * page for a backend with `completeDeadlines`).
   */
  callsPerMinute: number;
  /** Completion calls in flight at once. */
  concurrency: number;
  /** Items read per page (default 500; everything up to `maxPerRun` for a backend that lists whole). */
  pageSize?: number;
  /** The most items one run handles; the rest wait for the next run. */
  maxPerRun?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every item, by outcome and kind (for the metrics). */
  onDeadline?: (outcome: 'due' | 'done' | 'failed', kind: DueDeadline['kind']) => void;
  log?: { warn(fields: object, message: string): void };
}

/** One item a dry run would handle. */
export interface PlannedItem {
  kind: DueDeadline['kind'];
  serviceId: string;
  userId: string;
  /** The application concerned (for a duplicate, the newer one, which would be removed). */
  applicationId: string;
  keyPreview: string;
  at: string;
}

export interface ReconcileReport {
  dryRun: boolean;
  due: number;
  done: number;
  failed: number;
  /** Found already done by someone else (another replica, an earlier crashed run). */
  skipped: number;
  /** What a dry run would do. */
  planned: PlannedItem[];
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_MAX_PER_RUN = 100_000;

/** The key event recording each kind of item done. */
const EVENT_OF: Readonly<Record<DueDeadline['kind'], KeyEventType>> = {
  expired: 'expired',
  grace_ended: 'grace_ended',
  duplicate: 'duplicate_removed',
};

/**
 * Runs the loop once over everything due now.
 * @example const report = await reconcileOnce({ apiManager, audit, callsPerMinute: 600, concurrency: 8 });
 */
export async function reconcileOnce(
  options: ReconcileOptions,
  run: { dryRun?: boolean } = {},
): Promise<ReconcileReport> {
  const now = options.now ?? (() => new Date());
  const maxPerRun = options.maxPerRun ?? DEFAULT_MAX_PER_RUN;
  // A backend that reads everything on every listing is read once per run, not once per page.
  const pageSize =
    options.pageSize ?? (options.apiManager.listsDueDeadlinesWhole === true ? maxPerRun : DEFAULT_PAGE_SIZE);
  const pace = createPacer(options.callsPerMinute, options.sleep);
  const report: ReconcileReport = { dryRun: run.dryRun === true, due: 0, done: 0, failed: 0, skipped: 0, planned: [] };

  if (run.dryRun === true) {
    await pace();
    for (const deadline of await options.apiManager.listDueDeadlines(now(), maxPerRun)) {
      report.due += 1;
      report.planned.push({
        kind: deadline.kind,
        serviceId: deadline.serviceId,
        userId: deadline.userId,
        applicationId: deadline.applicationId,
        keyPreview: deadline.keyPreview,
        at: deadline.at.toISOString(),
      });
    }
    return report;
  }

  const byPage = options.apiManager.completeDeadlines !== undefined;
  // Items that failed or were found done this run: not asked again, so that one that stays listed (a
  // backend still reporting it) cannot keep the run going.
  const settled = new Set<string>();
  while (report.due < maxPerRun) {
    await pace();
    const page = (await options.apiManager.listDueDeadlines(now(), pageSize + settled.size))
      .filter((deadline) => !settled.has(deadline.ref))
      .slice(0, Math.min(pageSize, maxPerRun - report.due));
    if (page.length === 0) break;
    report.due += page.length;
    for (const deadline of page) options.onDeadline?.('due', deadline.kind);
    const outcomes = byPage
      ? await completePage(options, page, pace, now)
      : await completeEach(options, page, pace, now);
    const events: KeyEventInput[] = [];
    page.forEach((deadline, index) => {
      const outcome = outcomes[index];
      if (outcome === 'done') {
        report.done += 1;
        options.onDeadline?.('done', deadline.kind);
        if (byPage) events.push(eventOf(deadline, now()));
        return;
      }
      settled.add(deadline.ref);
      if (outcome === 'skipped') {
        report.skipped += 1;
        return;
      }
      report.failed += 1;
      options.onDeadline?.('failed', deadline.kind);
    });
    if (events.length > 0) await recordAll(options.audit, events);
    if (page.length < pageSize) break;
  }
  return report;
}

type Outcome = 'done' | 'skipped' | 'failed';

/** One backend call per item, `concurrency` in flight; each item done is recorded at once. */
async function completeEach(
  options: ReconcileOptions,
  page: readonly DueDeadline[],
  pace: () => Promise<void>,
  now: () => Date,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await mapLimited(page, options.concurrency, async (deadline, index) => {
    await pace();
    try {
      const changed = await options.apiManager.completeDeadline(deadline, now());
      outcomes[index] = changed ? 'done' : 'skipped';
      if (changed) await options.audit.record(eventOf(deadline, now()));
    } catch (error) {
      outcomes[index] = 'failed';
      warnFailed(options, [deadline], error);
    }
  });
  return outcomes;
}

/** One backend call for the page; the page's events are then stored together. */
async function completePage(
  options: ReconcileOptions,
  page: readonly DueDeadline[],
  pace: () => Promise<void>,
  now: () => Date,
): Promise<Outcome[]> {
  await pace();
  try {
    const changed = await options.apiManager.completeDeadlines!(page, now());
    return page.map((_, index) => (changed[index] === true ? 'done' : 'skipped'));
  } catch (error) {
    warnFailed(options, page, error);
    return page.map(() => 'failed');
  }
}

function warnFailed(options: ReconcileOptions, deadlines: readonly DueDeadline[], error: unknown): void {
  const first = deadlines[0];
  if (first === undefined) return;
  options.log?.warn(
    {
      service_id: first.serviceId,
      kind: first.kind,
      count: deadlines.length,
      code: isHelperError(error) ? error.code : 'INTERNAL_ERROR',
    },
    'could not enforce a key deadline; the next run tries again',
  );
}

function eventOf(deadline: DueDeadline, at: Date): KeyEventInput {
  return {
    event: EVENT_OF[deadline.kind],
    outcome: 'success',
    userId: deadline.userId,
    subject: null,
    serviceId: deadline.serviceId,
    keyPreview: deadline.keyPreview,
    origin: NO_ORIGIN,
    detail:
      deadline.kind === 'duplicate'
        ? `application ${deadline.applicationId} (created ${deadline.at.toISOString()}) removed; the pair's older application kept`
        : `deadline ${deadline.at.toISOString()}`,
    at,
  };
}

async function recordAll(audit: AuditTrail, events: KeyEventInput[]): Promise<void> {
  if (audit.recordMany !== undefined) {
    await audit.recordMany(events);
    return;
  }
  for (const event of events) await audit.record(event);
}

/**
 * Spaces calls evenly so that at most `perMinute` start in any minute (to within a millisecond: a wait shorter
 * than the timers' 1 ms resolution is not made, as a timer would wait a whole millisecond instead).
 */
