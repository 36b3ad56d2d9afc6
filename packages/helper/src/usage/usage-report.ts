/**
 * @module usage/usage-report
 * How much a person has used their key on a service, and what their plan allows: hits per interval over the
 * last day, week or month, and every limit of the plan with what the current period has used and when it
 * resets. Only the caller's own application is ever read: it is found from the caller's account, never
 * named by the request. Knows no transport; talks only to the `ApiManager` port.
 */
import type { ApiManager, ApiService, Application, Identity } from '../apim/api-manager.js';
import { assertEntitled } from '../entitlements/entitlement.js';
import type { EntitlementPolicy } from '../entitlements/policy.js';
import { HelperError } from '../errors/helper-error.js';
import { findService, lookupIdentity, pickApplication } from '../provisioning/provisioning.js';
import {
  USAGE_PERIODS,
  granularityMs,
  isUsagePeriod,
  periodEnd,
  usageWindow,
  type LimitPeriod,
  type UsagePeriod,
  type UsageWindow,
} from './periods.js';

/** One limit of the plan as the owner sees it. */
export interface LimitReport {
  metric: string;
  period: LimitPeriod;
  max: number;
  /** Used in the current period; null when the backend could not say. */
  used: number | null;
  /** When the current period ends and the count starts again; null for a limit that never resets. */
  resetsAt: Date | null;
}

export interface UsageReport {
  service: ApiService;
  application: Application;
  period: UsagePeriod;
  window: UsageWindow;
  /** False when the backend could not read the counts: `intervals` is empty, the limits still listed. */
  available: boolean;
  intervals: { start: Date; hits: number }[];
  limits: LimitReport[];
}

export interface UsageReader {
  /** The caller's usage of a service over `period` (`day`, `week` or `month`). */
  usage(identity: Identity, serviceId: string, period: string): Promise<UsageReport>;
}

export interface UsageReaderOptions {
  apiManager: ApiManager;
  /** Who may use which service; usage of one the caller may not hold answers NOT_ENTITLED. None = everyone. */
  entitlements?: EntitlementPolicy | null;
  now?: () => Date;
}

/**
 * Creates the usage reader.
 * @example const report = await createUsageReader({ apiManager }).usage(identity, 'sentiment-analysis', 'week');
 */
export function createUsageReader(options: UsageReaderOptions): UsageReader {
  const { apiManager } = options;
  const now = options.now ?? (() => new Date());

  return {
    async usage(identity, serviceId, period) {
      if (!isUsagePeriod(period)) {
        throw new HelperError('VALIDATION_ERROR', `period must be one of ${USAGE_PERIODS.join(', ')}.`, {
          details: [{ field: 'period', problem: `must be one of ${USAGE_PERIODS.join(', ')}` }],
        });
      }
      const service = findService(await apiManager.listServices(), { id: serviceId });
      assertEntitled(options.entitlements ?? null, service, identity);
      // Reads may come from the short-lived account cache: usage changes nothing, and a key made by this
      // process drops the cached list.
      const account = await apiManager.findAccount(lookupIdentity(identity));
      const application =
        account === null ? null : pickApplication(await apiManager.listApplications(account.id), service.id);
      if (application === null) {
        throw new HelperError(
          'KEY_NOT_FOUND',
          `You have no key for "${service.name}"; get one with: mlaas services init ${service.id}.`,
        );
      }
      const at = now();
      const window = usageWindow(period, at);
      const usage = await apiManager.getUsage(application, window, at);
      const step = granularityMs(window.granularity);
      const hits = usage.hits !== null && usage.hits.length === window.intervals ? usage.hits : null;
      return {
        service,
        application,
        period,
        window,
        available: hits !== null,
        intervals:
          hits === null
            ? []
            : hits.map((count, index) => ({ start: new Date(window.since.getTime() + index * step), hits: count })),
        limits: usage.limits.map((limit) => ({ ...limit, resetsAt: periodEnd(limit.period, at) })),
      };
    },
  };
}
