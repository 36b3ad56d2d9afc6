/**
 * @module provisioning/reconcile
 * The one loop that enforces key deadlines: keys past their expiry and replaced keys past their grace period.
 * Each due deadline is enforced by the API manager and recorded as a key event. It is idempotent (a deadline
 * already done is skipped) and resumable (a crash leaves the rest due for the next run), and it bounds its
 * upstream calls per minute and in flight.
 */
import type { ApiManager, DueDeadline } from '../apim/api-manager.js';
import { NO_ORIGIN, type AuditTrail } from '../audit/audit-log.js';
import { isHelperError } from '../errors/helper-error.js';

export interface ReconcileOptions {
  apiManager: ApiManager;
  audit: AuditTrail;
  /** Upstream calls per minute, reads of due deadlines included. */
  callsPerMinute: number;
  /** Deadlines enforced at once. */
  concurrency: number;
  /** Deadlines read per page. */
  pageSize?: number;
  /** The most deadlines one run handles; the rest wait for the next run. */
  maxPerRun?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  onDeadline?: (outcome: 'due' | 'done' | 'failed') => void;
  log?: { warn(fields: object, message: string): void };
}

export interface ReconcileReport {
  dryRun: boolean;
  due: number;
  done: number;
  failed: number;
  /** Found already done by someone else (another replica, an earlier crashed run). */
  skipped: number;
  /** What a dry run would do. */
  planned: { kind: DueDeadline['kind']; serviceId: string; userId: string; keyPreview: string; at: string }[];
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_MAX_PER_RUN = 100_000;

/**
 * Runs the loop once over everything due now.
 * @example const report = await reconcileOnce({ apiManager, audit, callsPerMinute: 600, concurrency: 8 });
 */
export async function reconcileOnce(
  options: ReconcileOptions,
  run: { dryRun?: boolean } = {},
): Promise<ReconcileReport> {
  const now = options.now ?? (() => new Date());
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxPerRun = options.maxPerRun ?? DEFAULT_MAX_PER_RUN;
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
        keyPreview: deadline.keyPreview,
        at: deadline.at.toISOString(),
      });
    }
    return report;
  }

  const failed = new Set<string>();
  while (report.due < maxPerRun) {
    await pace();
    const page = (await options.apiManager.listDueDeadlines(now(), pageSize + failed.size)).filter(
      (deadline) => !failed.has(deadline.ref),
    );
    if (page.length === 0) break;
    report.due += page.length;
    await forEachLimited(page, options.concurrency, async (deadline) => {
      options.onDeadline?.('due');
      await pace();
      try {
        const changed = await options.apiManager.completeDeadline(deadline, now());
        if (!changed) {
          report.skipped += 1;
          return;
        }
        report.done += 1;
        options.onDeadline?.('done');
        await options.audit.record({
          event: deadline.kind === 'duplicate' ? 'duplicate_removed' : deadline.kind,
          outcome: 'success',
          userId: deadline.userId,
          subject: null,
          serviceId: deadline.serviceId,
          keyPreview: deadline.keyPreview,
          origin: NO_ORIGIN,
          detail: `deadline ${deadline.at.toISOString()}`,
          at: now(),
        });
      } catch (error) {
        failed.add(deadline.ref);
        report.failed += 1;
        options.onDeadline?.('failed');
        options.log?.warn(
          {
            service_id: deadline.serviceId,
            kind: deadline.kind,
            code: isHelperError(error) ? error.code : 'INTERNAL_ERROR',
          },
          'could not enforce a key deadline; the next run tries again',
        );
      }
    });
    if (page.length < pageSize) break;
  }
  return report;
}

/** Spaces calls evenly so that at most `perMinute` start in any minute. */
function createPacer(perMinute: number, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
  const interval = 60_000 / perMinute;
  let next = 0;
  return async (): Promise<void> => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + interval;
    if (at > now) await sleep(at - now);
  };
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const worker = async () => {
    while (index < items.length) await work(items[index++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
