/**
 * @module provisioning/converge
 * One application per (account, service), whatever happened to the locks. Locks make duplicates rare; this
 * makes them harmless: after every create, and from any periodic sweep, the applications of the pair are
 * read fresh, the oldest one survives and every newer one is removed. The survivor is chosen from the data
 * alone (the lowest id, which is the oldest create), so any number of callers, on any number of replicas,
 * running at the same time, pick the same survivor and remove the same duplicates.
 */
import type { ApiManager, Application } from '../apim/api-manager.js';

/** A duplicate found and removed (or that could not be removed yet). */
export interface DuplicateEvent {
  accountId: string;
  serviceId: string;
  /** The application kept. */
  keptId: string;
  /** The newer application of the same pair. */
  duplicateId: string;
  outcome: 'removed' | 'failed';
}

export interface ConvergeOptions {
  /** Told of every duplicate, for the audit trail and the logs. */
  onDuplicate?: (event: DuplicateEvent) => void;
  /**
   * The application the caller just created, with its key. The pair is then read without keys (ids are all
   * the survivor is chosen by; on 3scale that spares a keys read per application), and when the survivor is
   * another application it alone is read again with its key.
   */
  own?: Application;
}

export interface ConvergeResult {
  /** The application every caller must answer with; null when the pair has none. */
  survivor: Application | null;
  /** Ids of the newer applications removed by this call (or already gone). */
  removed: string[];
  /** Ids of newer applications that could not be removed now; a later sweep retries them. */
  remaining: string[];
}

/**
 * Orders application ids oldest first: numeric ids (3scale's) by value, others as text. A total order on
 * ids alone, so every replica agrees.
 */
export function compareApplicationIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The application that survives among a pair's applications: the oldest (lowest id). */
export function survivorOf(applications: readonly Application[], serviceId: string): Application | null {
  let oldest: Application | null = null;
  for (const app of applications) {
    if (app.serviceId !== serviceId) continue;
    if (oldest === null || compareApplicationIds(app.id, oldest.id) < 0) oldest = app;
  }
  return oldest;
}

/**
 * Reads the pair's applications fresh and removes every one but the oldest. Safe to call concurrently from
 * several replicas: all choose the same survivor, and removing an application already removed is a no-op.
 * A failed removal is reported and left for the next call; the survivor is returned either way.
 * @example const { survivor } = await convergeApplications(apiManager, account.id, service.id);
 */
export async function convergeApplications(
  apiManager: ApiManager,
  accountId: string,
  serviceId: string,
  options: ConvergeOptions = {},
): Promise<ConvergeResult> {
  const own = options.own;
  const applications = await apiManager.listApplications(accountId, {
    fresh: true,
    ...(own !== undefined ? { keys: 'none' as const } : {}),
  });
  const oldest = survivorOf(applications, serviceId);
  const survivor =
    oldest === null || own === undefined
      ? oldest
      : oldest.id === own.id
        ? own
        : ((await apiManager.listApplications(accountId, { fresh: true })).find((app) => app.id === oldest.id) ?? null);
  const result: ConvergeResult = { survivor, removed: [], remaining: [] };
  if (survivor === null) return result;
  const duplicates = applications.filter((app) => app.serviceId === serviceId && app.id !== oldest?.id);
  await Promise.all(
    duplicates.map(async (duplicate) => {
      let outcome: DuplicateEvent['outcome'] = 'removed';
      try {
        await apiManager.deleteApplication(accountId, duplicate.id);
        result.removed.push(duplicate.id);
      } catch {
        outcome = 'failed';
        result.remaining.push(duplicate.id);
      }
      options.onDuplicate?.({ accountId, serviceId, keptId: survivor.id, duplicateId: duplicate.id, outcome });
    }),
  );
  return result;
}
