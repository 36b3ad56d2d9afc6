/**
 * @module provisioning/offboarding
 * The offboarding phase of the reconcile loop: pages through the people holding keys, asks the identity
 * provider's directory whether each still exists, is enabled and is still entitled, suspends the keys of
 * those who are not, and resumes the keys it suspended once the person is back. A tier change moves the
 * application to the plan the person's groups give now. Every suspension and resumption is a key event.
 *
 * It never offboards on an error: when the directory cannot answer, nothing of the people it was asked about
 * changes, the run reports it, and the next run tries again. An application made for an earlier person with
 * the same user id (deleted and recreated in the identity provider: another `sub`) is suspended and never
 * resumed for the new person.
 */
import type { ApiManager, ApiService, HeldApplication, KeyHolder, ServicePlan } from '../apim/api-manager.js';
import { NO_ORIGIN, type AuditTrail } from '../audit/audit-log.js';
import type { DirectoryReading, DirectoryUser, UserDirectory } from '../directory/user-directory.js';
import { entitlementOf, hasTiers, ruleOf } from '../entitlements/entitlement.js';
import type { EntitlementPolicy } from '../entitlements/policy.js';
import { HelperError, isHelperError } from '../errors/helper-error.js';
import { planMove } from './choose-plan.js';
import { createPacer, mapLimited } from '../lib/bounded.js';

export interface OffboardingOptions {
  apiManager: ApiManager;
  directory: UserDirectory;
  audit: AuditTrail;
  policy: EntitlementPolicy | null;
  /** Changes (suspend, resume, plan moves) made at once. */
  concurrency: number;
  /** Holders read per page (and looked up in the directory per batch). */
  pageSize?: number;
  /** Upstream calls per minute (holder pages and changes; the directory paces itself). */
  callsPerMinute: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log?: { warn(fields: object, message: string): void };
  /** Told of every change made (not of those only planned in a dry run). */
  onChange?: (action: PlannedChange['action'], outcome: 'done' | 'failed') => void;
}

/** Why a key is suspended. */
export type OffboardingReason = 'gone' | 'disabled' | 'not_entitled' | 'earlier_person';

export interface PlannedChange {
  action: 'suspend' | 'resume' | 'change_plan';
  userId: string;
  serviceId: string;
  applicationId: string;
  /** Why: an offboarding reason, `reinstated`, or the plan moved to. */
  reason: string;
}

export interface OffboardingReport {
  dryRun: boolean;
  directory: string;
  /** Key holders looked at. */
  holders: number;
  suspended: number;
  resumed: number;
  planChanges: number;
  failed: number;
  /** Set when the directory could not answer: nothing was suspended for the people it was asked about. */
  directoryError: string | null;
  /** Set when the API manager could not list the key holders: the run stopped there. */
  backendError: string | null;
  /** Every change decided (made, or only planned in a dry run). */
  planned: PlannedChange[];
}

const DEFAULT_PAGE_SIZE = 500;
/**
 * A safety brake: when the directory knows none of at least this many holders of a page, and they are more
 * than half of it, the answer is taken for a misconfiguration (another user-id claim, an empty users file, the
 * wrong realm), not for a wave of departures, and nothing is suspended.
 */
const BRAKE_MIN_MISSING = 5;

const REASON_TEXT: Record<OffboardingReason, string> = {
  gone: 'no longer in the identity provider',
  disabled: 'disabled in the identity provider',
  not_entitled: 'no longer holds a role or group that grants the service',
  earlier_person: 'made for an earlier person with the same user id',
};

/**
 * Runs the phase once over every key holder.
 * @example const report = await offboardOnce({ apiManager, directory, audit, policy, concurrency: 8 });
 */
export async function offboardOnce(
  options: OffboardingOptions,
  run: { dryRun?: boolean } = {},
): Promise<OffboardingReport> {
  const { apiManager, policy } = options;
  const now = options.now ?? (() => new Date());
  const pace = createPacer(options.callsPerMinute, options.sleep);
  const dryRun = run.dryRun === true;
  const report: OffboardingReport = {
    dryRun,
    directory: options.directory.name,
    holders: 0,
    suspended: 0,
    resumed: 0,
    planChanges: 0,
    failed: 0,
    directoryError: null,
    backendError: null,
    planned: [],
  };

  let reading: DirectoryReading;
  try {
    reading = await options.directory.open();
  } catch (error) {
    return unreachable(report, error, options);
  }
  let services: Map<string, ApiService>;
  try {
    services = new Map((await apiManager.listServices()).map((service) => [service.id, service]));
  } catch (error) {
    return backendFailed(report, error, options);
  }
  const plansOf = memo((serviceId: string) => apiManager.listPlans(serviceId));

  let after: string | null = null;
  do {
    await pace();
    let page: { holders: KeyHolder[]; next: string | null };
    try {
      page = await apiManager.listHolders({ after, limit: options.pageSize ?? DEFAULT_PAGE_SIZE });
    } catch (error) {
      return backendFailed(report, error, options);
    }
    after = page.next;
    report.holders += page.holders.length;
    let users: Map<string, DirectoryUser>;
    try {
      users = await reading.lookup(
        page.holders.map((holder) => ({
          userId: holder.userId,
          membership: holder.applications.some((app) => needsMembership(policy, services.get(app.serviceId))),
        })),
      );
    } catch (error) {
      return unreachable(report, error, options);
    }
    const missing = page.holders.filter((holder) => !users.has(holder.userId)).length;
    if (missing >= BRAKE_MIN_MISSING && missing * 2 > page.holders.length) {
      const brake = new HelperError(
        'UPSTREAM_ERROR',
        `the directory knows ${missing} of ${page.holders.length} key holders as nobody; check that USER_ID_CLAIMS ` +
          'and the directory settings match the accounts — nothing was suspended',
      );
      return unreachable(report, brake, options);
    }
    const changes: (PlannedChange & { accountId: string; subject: string | null })[] = [];
    for (const holder of page.holders) {
      const user = users.get(holder.userId) ?? null;
      for (const application of holder.applications) {
        const service = services.get(application.serviceId);
        // A service gone from the catalog cannot be judged; its keys are left as they are.
        if (service === undefined) continue;
        const change = await decide(holder, application, service, user, policy, plansOf);
        if (change !== null) {
          changes.push({ ...change, accountId: holder.accountId, subject: user?.subject ?? application.subject });
        }
      }
    }
    report.planned.push(...changes.map(({ accountId: _a, subject: _s, ...change }) => change));
    if (dryRun) continue;
    await mapLimited(changes, options.concurrency, async (change) => {
      await pace();
      try {
        if (await apply(change)) options.onChange?.(change.action, 'done');
      } catch (error) {
        report.failed += 1;
        options.onChange?.(change.action, 'failed');
        options.log?.warn(
          {
            service_id: change.serviceId,
            action: change.action,
            code: isHelperError(error) ? error.code : 'INTERNAL_ERROR',
          },
          'could not apply an offboarding change; the next run tries again',
        );
      }
    });
  } while (after !== null);
  return report;

  /** Makes one change; false when there was nothing to do after all (resumed by someone else). */
  async function apply(change: PlannedChange & { accountId: string; subject: string | null }): Promise<boolean> {
    if (change.action === 'change_plan') {
      await apiManager.changePlan(change.accountId, change.applicationId, change.reason);
      report.planChanges += 1;
      return true;
    }
    if (change.action === 'suspend') {
      await apiManager.suspendApplication(change.accountId, change.applicationId, 'offboarding');
      report.suspended += 1;
    } else {
      if (!(await apiManager.resumeApplication(change.accountId, change.applicationId, 'offboarding'))) return false;
      report.resumed += 1;
    }
    await options.audit.record({
      event: change.action === 'suspend' ? 'suspended' : 'resumed',
      outcome: 'success',
      userId: change.userId,
      subject: change.subject,
      serviceId: change.serviceId,
      keyPreview: null,
      origin: NO_ORIGIN,
      detail:
        change.action === 'suspend'
          ? `offboarding: ${REASON_TEXT[change.reason as OffboardingReason] ?? change.reason}`
          : 'offboarding: reinstated',
      at: now(),
    });
    return true;
  }
}

/** What to do with one application, or null to leave it. */
async function decide(
  holder: KeyHolder,
  application: HeldApplication,
  service: ApiService,
  user: DirectoryUser | null,
  policy: EntitlementPolicy | null,
  plansOf: (serviceId: string) => Promise<ServicePlan[]>,
): Promise<PlannedChange | null> {
  const base = { userId: holder.userId, serviceId: service.id, applicationId: application.id };
  const reason = suspensionReason(application, service, user, policy);
  if (reason !== null) {
    // Already suspended (by offboarding, or by an administrator): nothing to do.
    return application.state === 'suspended' ? null : { ...base, action: 'suspend', reason };
  }
  if (application.state === 'suspended') {
    return application.suspendedBy === 'offboarding' ? { ...base, action: 'resume', reason: 'reinstated' } : null;
  }
  if (user !== null && hasTiers(policy, service)) {
    const target = planMove(policy, service, user, await plansOf(service.id), application.planId);
    if (target !== null) return { ...base, action: 'change_plan', reason: target.id };
  }
  return null;
}

function suspensionReason(
  application: HeldApplication,
  service: ApiService,
  user: DirectoryUser | null,
  policy: EntitlementPolicy | null,
): OffboardingReason | null {
  if (user === null) return 'gone';
  if (application.subject !== null && application.subject !== user.subject) return 'earlier_person';
  if (!user.enabled) return 'disabled';
  if (!entitlementOf(policy, service, user).entitled) return 'not_entitled';
  return null;
}

/** Whether deciding on a key of this service needs the person's roles and groups. */
function needsMembership(policy: EntitlementPolicy | null, service: ApiService | undefined): boolean {
  if (policy === null || service === undefined) return false;
  const rule = ruleOf(policy, service);
  return rule === null ? false : rule.allow !== null || rule.plans.length > 0;
}

function unreachable(report: OffboardingReport, error: unknown, options: OffboardingOptions): OffboardingReport {
  report.directoryError = isHelperError(error) ? `${error.code}: ${error.message}` : 'the directory did not answer';
  options.log?.warn(
    { directory: report.directory, code: isHelperError(error) ? error.code : 'INTERNAL_ERROR' },
    'the identity provider directory could not be read; nothing was suspended for the people not yet checked, the next run tries again',
  );
  return report;
}

function backendFailed(report: OffboardingReport, error: unknown, options: OffboardingOptions): OffboardingReport {
  report.backendError = isHelperError(error) ? `${error.code}: ${error.message}` : 'the API manager did not answer';
  options.log?.warn(
    { code: isHelperError(error) ? error.code : 'INTERNAL_ERROR' },
    'could not list key holders; offboarding stopped, the next run tries again',
  );
  return report;
}

function memo<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = load(key);
      cache.set(key, value);
    }
    return value;
  };
}
